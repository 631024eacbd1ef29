//! The rejection threshold: calibrated on the validation split, then measured on the test split
//! and on inputs that are no character at all (see [`crate::outliers`]).

use anyhow::Result;
use handwriting::{
    Glyph, InkRange, ModelMetadata, PixelFormat, Raster, Recognizer, Stroke, glyph_from_raster,
    glyph_from_strokes,
};
use serde::{Deserialize, Serialize};

use crate::outliers::{NOISE_SIDE, noise, scribbles, symbols};

/// How sure the network was of one labelled image, whether it was right, and the image's
/// mean ink.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub confidence: f32,
    pub correct: bool,
    pub mean_ink: f32,
}

/// The ink range spans the training images from this quantile to its complement: the extremes
/// of tens of thousands of scans and drawings include a few freak ones.
const INK_QUANTILE: f64 = 0.001;
/// ...widened by this fraction of that span on each side: drawn digits vary more than MNIST's
/// scans, and only gross excess (a scratch-out) should count.
const INK_MARGIN: f32 = 0.25;

/// The `[rejection]` section of the config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectionConfig {
    /// Accuracy the accepted validation images must reach; the threshold is the lowest
    /// confidence that achieves it.
    pub target_accuracy: f64,
    /// Random scribbles added to every training batch with every class as their target, so
    /// that the network learns to be unsure of what is no character (0: none).
    pub scribbles_per_batch: usize,
}

/// The lowest confidence at which the images accepted (confidence at or above it) reach
/// `target_accuracy`: it keeps as many images as the target allows. When no threshold meets
/// the target, one above every confidence: everything is unsure.
pub fn calibrate(scores: &[Scored], target_accuracy: f64) -> f32 {
    let mut sorted = scores.to_vec();
    sorted.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    let mut correct = 0usize;
    let mut threshold = sorted.first().map_or(1.0, |s| s.confidence.next_up());
    for (i, score) in sorted.iter().enumerate() {
        correct += usize::from(score.correct);
        let ties_follow = sorted
            .get(i + 1)
            .is_some_and(|next| next.confidence == score.confidence);
        if !ties_follow && correct as f64 >= target_accuracy * (i + 1) as f64 {
            threshold = score.confidence;
        }
    }
    threshold
}

/// The mean ink of all but the lightest and heaviest few of the training images' `inks`, with
/// a margin. The training images, not the validation ones: the range is what the network
/// learnt from, and a few held-out writers (767 digits of 19 for the digits model) span less
/// of it than the page's writers do.
pub fn ink_range(mut inks: Vec<f32>) -> Option<InkRange> {
    inks.sort_by(f32::total_cmp);
    let at = |quantile: f64| {
        let index = (quantile * (inks.len() - 1) as f64).round() as usize;
        inks.get(index).copied()
    };
    let (min, max) = (at(INK_QUANTILE)?, at(1.0 - INK_QUANTILE)?);
    let margin = INK_MARGIN * (max - min);
    Some(InkRange {
        min: (min - margin).max(0.0),
        max: max + margin,
    })
}

/// What a model's rejection keeps of a labelled set and how accurate the kept part is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selective {
    /// Fraction of images accepted.
    pub coverage: f64,
    /// Accuracy among the accepted images (1 when none is accepted).
    pub accuracy: f64,
}

pub fn selective(scores: &[Scored], metadata: &ModelMetadata) -> Selective {
    let accepted: Vec<&Scored> = scores
        .iter()
        .filter(|s| metadata.is_sure(s.mean_ink, s.confidence))
        .collect();
    let correct = accepted.iter().filter(|s| s.correct).count();
    Selective {
        coverage: accepted.len() as f64 / scores.len().max(1) as f64,
        accuracy: if accepted.is_empty() {
            1.0
        } else {
            correct as f64 / accepted.len() as f64
        },
    }
}

/// How the network treats inputs that are no character.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OffDistribution {
    /// Inputs tried.
    pub count: usize,
    /// Fraction that preprocessing found empty or the threshold marked unsure.
    pub rejected: f64,
    /// Mean best-class probability of those that reached the network.
    pub mean_confidence: f64,
}

/// Runs glyphs that are no character through the recognizer; `count` includes inputs that
/// never became a glyph (preprocessing rejected them).
pub fn off_distribution(
    recognizer: &Recognizer,
    glyphs: &[Glyph],
    count: usize,
) -> Result<OffDistribution> {
    let metadata = recognizer.metadata();
    let confidences: Vec<f32> = recognizer
        .recognize_batch(glyphs)?
        .iter()
        .map(|p| p.best().probability)
        .collect();
    let unsure = glyphs
        .iter()
        .zip(&confidences)
        .filter(|(glyph, confidence)| !metadata.is_sure(glyph.mean_ink(), **confidence))
        .count();
    Ok(OffDistribution {
        count,
        rejected: (count - glyphs.len() + unsure) as f64 / count.max(1) as f64,
        mean_confidence: confidences.iter().map(|&c| f64::from(c)).sum::<f64>()
            / confidences.len().max(1) as f64,
    })
}

/// The report's lines on rejection: the threshold, what it keeps of the test split, and how
/// scribbles, symbols and noise fare.
pub fn facts(recognizer: &Recognizer, test_scores: &[Scored]) -> Result<Vec<(String, String)>> {
    const TRIALS: usize = 1000;
    let metadata = recognizer.metadata();
    let kept = selective(test_scores, metadata);
    let drawn = |drawings: Vec<Vec<Stroke>>| -> Vec<Glyph> {
        drawings
            .iter()
            .filter_map(|strokes| glyph_from_strokes(strokes).ok())
            .collect()
    };
    let noise_glyphs: Vec<Glyph> = noise(TRIALS, 2)
        .iter()
        .filter_map(|pixels| {
            let raster = Raster::new(NOISE_SIDE, NOISE_SIDE, PixelFormat::Gray8, pixels).ok()?;
            glyph_from_raster(&raster).ok()
        })
        .collect();
    let describe = |what: OffDistribution| {
        format!(
            "{:.1}% of {} marked unsure (mean confidence {:.3})",
            100.0 * what.rejected,
            what.count,
            what.mean_confidence
        )
    };
    Ok(vec![
        (
            "rejection threshold".into(),
            format!("{:.4}", metadata.rejection_threshold),
        ),
        (
            "mean ink accepted".into(),
            metadata.ink_range.map_or("any".into(), |range| {
                format!("{:.3} to {:.3}", range.min, range.max)
            }),
        ),
        (
            "test images accepted".into(),
            format!(
                "{:.2}% (accuracy among them {:.2}%)",
                100.0 * kept.coverage,
                100.0 * kept.accuracy
            ),
        ),
        (
            "random scribbles".into(),
            describe(off_distribution(
                recognizer,
                &drawn(scribbles(TRIALS, 1)),
                TRIALS,
            )?),
        ),
        (
            "symbols (asterisks, hashes, crosses)".into(),
            describe(off_distribution(
                recognizer,
                &drawn(symbols(TRIALS, 3)),
                TRIALS,
            )?),
        ),
        (
            "random noise".into(),
            describe(off_distribution(recognizer, &noise_glyphs, TRIALS)?),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use handwriting::Architecture;

    fn scores(pairs: &[(f32, bool)]) -> Vec<Scored> {
        pairs
            .iter()
            .map(|&(confidence, correct)| Scored {
                confidence,
                correct,
                mean_ink: 0.1,
            })
            .collect()
    }

    fn metadata(threshold: f32, ink_range: Option<InkRange>) -> ModelMetadata {
        let mut metadata =
            ModelMetadata::new(Architecture::VggGap, vec!["0".into(), "1".into()], "test");
        metadata.rejection_threshold = threshold;
        metadata.ink_range = ink_range;
        metadata
    }

    #[test]
    fn threshold_keeps_the_most_images_that_meet_the_target() {
        // Sorted: 0.99 ✓, 0.95 ✓, 0.9 ✗, 0.8 ✓, 0.6 ✗.
        let s = scores(&[
            (0.8, true),
            (0.99, true),
            (0.6, false),
            (0.9, false),
            (0.95, true),
        ]);
        assert_eq!(calibrate(&s, 1.0), 0.95);
        // 3 of 4 = 0.75 at 0.8.
        assert_eq!(calibrate(&s, 0.75), 0.8);
        assert_eq!(calibrate(&s, 0.5), 0.6);
        assert!(calibrate(&scores(&[(0.7, false)]), 0.9) > 0.7);
    }

    #[test]
    fn tied_confidences_are_accepted_or_rejected_together() {
        // Accepting the first 0.9 alone would meet the target, but its twin is wrong.
        let s = scores(&[(0.9, true), (0.9, false), (0.95, true)]);
        assert_eq!(calibrate(&s, 1.0), 0.95);
        assert_eq!(calibrate(&s, 0.6), 0.9);
    }

    #[test]
    fn selective_accuracy_counts_only_accepted_images() {
        let s = scores(&[(0.99, true), (0.95, true), (0.9, false), (0.8, true)]);
        let kept = selective(&s, &metadata(0.95, None));
        assert_eq!((kept.coverage, kept.accuracy), (0.5, 1.0));
        assert_eq!(selective(&s, &metadata(1.5, None)).accuracy, 1.0);
    }

    #[test]
    fn images_with_unusual_ink_are_rejected_however_confident() {
        let mut s = scores(&[(0.99, true), (0.99, false)]);
        s[1].mean_ink = 0.5;
        let range = ink_range(vec![0.1]).unwrap();
        assert!(range.min <= 0.1 && range.max >= 0.1);
        let kept = selective(&s, &metadata(0.9, Some(range)));
        assert_eq!((kept.coverage, kept.accuracy), (0.5, 1.0));
        let widened = ink_range(vec![0.1, 0.1]).unwrap();
        assert_eq!((widened.min, widened.max), (0.1, 0.1));
        let spread = ink_range(vec![0.3, 0.1, 0.2]).unwrap();
        assert!(spread.min < 0.1 && spread.max > 0.3, "{spread:?}");
        assert!(ink_range(Vec::new()).is_none());
    }
}
