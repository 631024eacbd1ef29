//! Scoring a recognizer on a labelled set, through the same inference path the page uses.

use anyhow::Result;
use handwriting::{Glyph, Recognizer};

use crate::data::Sample;
use crate::metrics::ConfusionMatrix;
use crate::rejection::Scored;
use crate::report::Misclassified;

/// Images per forward pass: large enough to amortise the call, small enough for any memory.
const BATCH: usize = 500;

/// What an evaluation found.
pub struct Evaluation {
    pub confusion: ConfusionMatrix,
    pub misclassified: Vec<Misclassified>,
    /// Each sample's best-class probability and whether it was right, in sample order.
    pub scores: Vec<Scored>,
}

/// Classifies every sample and tallies the results.
pub fn evaluate(recognizer: &Recognizer, samples: &[Sample]) -> Result<Evaluation> {
    let mut confusion = ConfusionMatrix::new(recognizer.metadata().labels.len());
    let mut misclassified = Vec::new();
    let mut scores = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(BATCH) {
        let glyphs: Vec<Glyph> = chunk
            .iter()
            .map(|s| Glyph::from_mnist_bytes(&s.pixels))
            .collect();
        let predictions = recognizer.recognize_batch(&glyphs)?;
        for ((sample, glyph), prediction) in chunk.iter().zip(&glyphs).zip(predictions) {
            let best = prediction.best();
            confusion.record(sample.class, best.class);
            scores.push(Scored {
                confidence: best.probability,
                correct: best.class == sample.class,
                mean_ink: glyph.mean_ink(),
            });
            if best.class != sample.class {
                misclassified.push(Misclassified {
                    pixels: sample.pixels,
                    truth: sample.class,
                    predicted: best.class,
                    confidence: best.probability,
                });
            }
        }
    }
    Ok(Evaluation {
        confusion,
        misclassified,
        scores,
    })
}
