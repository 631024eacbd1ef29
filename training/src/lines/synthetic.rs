//! Lines composed of one writer's words placed side by side. UNIPEN holds nine words for every
//! line of text, so a model trained on it alone seldom sees a gap between words and reads
//! "hello world" as "helloworld"; these lines teach it the space, in each writer's own hand.

use std::collections::BTreeMap;
use std::sync::Arc;

use handwriting::{Point, Stroke};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::config::SyntheticLines;
use super::data::{LineSample, aspect, is_learnable};
use crate::augment::{ink_size, uniform};

/// The category the composed lines are filed under (UNIPEN's own are numbers).
pub const SYNTHETIC: &str = "synthetic";

/// How many words a composed line holds, at most.
const MAX_WORDS: usize = 4;

/// Composes `settings.count` lines from the words (not lines) in `samples`, each of two to
/// four words by one writer, deterministically from `seed`. Lines whose text is too long for
/// `max_text_length` are not made, so fewer may come back.
pub fn compose(
    samples: &[LineSample],
    settings: &SyntheticLines,
    max_text_length: usize,
    seed: u64,
) -> Vec<LineSample> {
    let mut by_writer: BTreeMap<&str, Vec<&LineSample>> = BTreeMap::new();
    for sample in samples.iter().filter(|s| s.category != "8") {
        by_writer.entry(&sample.writer).or_default().push(sample);
    }
    let writers: Vec<&Vec<&LineSample>> = by_writer.values().filter(|w| w.len() > 1).collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut lines = Vec::with_capacity(settings.count);
    for _ in 0..settings.count {
        let Some(words) = writers.choose(&mut rng) else {
            break;
        };
        let count = rng.random_range(2..=MAX_WORDS);
        let chosen: Vec<&LineSample> = (0..count)
            .filter_map(|_| words.choose(&mut rng).copied())
            .collect();
        if let Some(line) = side_by_side(&chosen, settings, max_text_length, &mut rng) {
            lines.push(line);
        }
    }
    lines
}

/// The words' strokes moved onto one line: each starts a random gap after the previous one's
/// ink, with its middle (the median height of its points, near the x-height's middle whatever
/// its ascenders) level with the first word's, give or take a little.
fn side_by_side(
    words: &[&LineSample],
    settings: &SyntheticLines,
    max_text_length: usize,
    rng: &mut StdRng,
) -> Option<LineSample> {
    let mut heights: Vec<f32> = words.iter().map(|w| ink_size(&w.strokes).1).collect();
    heights.sort_by(f32::total_cmp);
    let scale = heights[heights.len() / 2];
    let mut strokes = Vec::new();
    let mut next_left = 0.0;
    let mut first_middle = None;
    for word in words {
        let (left, right) = horizontal_extent(&word.strokes)?;
        let middle = median_height(&word.strokes)?;
        let baseline = *first_middle.get_or_insert(middle);
        let drift = uniform(rng, -settings.max_drift, settings.max_drift) * scale;
        let (dx, dy) = (next_left - left, baseline + drift - middle);
        strokes.extend(word.strokes.iter().map(|stroke| {
            Stroke {
                points: stroke
                    .points
                    .iter()
                    .map(|p| Point {
                        x: p.x + dx,
                        y: p.y + dy,
                    })
                    .collect(),
                width: stroke.width,
            }
        }));
        let gap = uniform(rng, settings.min_gap, settings.max_gap) * scale;
        next_left = right + dx + gap;
    }
    let text = words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let aspect = aspect(&strokes)?;
    is_learnable(&text, aspect, max_text_length).then(|| LineSample {
        strokes: Arc::new(strokes),
        text,
        category: SYNTHETIC.to_string(),
        writer: words[0].writer.clone(),
        aspect,
    })
}

fn horizontal_extent(strokes: &[Stroke]) -> Option<(f32, f32)> {
    let xs = strokes.iter().flat_map(|s| s.points.iter().map(|p| p.x));
    let (left, right) = xs.fold((f32::INFINITY, f32::NEG_INFINITY), |(l, r), x| {
        (l.min(x), r.max(x))
    });
    (left <= right).then_some((left, right))
}

fn median_height(strokes: &[Stroke]) -> Option<f32> {
    let mut ys: Vec<f32> = strokes
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.y))
        .collect();
    ys.sort_by(f32::total_cmp);
    ys.get(ys.len() / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, writer: &str, left: f32, top: f32) -> LineSample {
        let stroke = Stroke {
            points: vec![
                Point { x: left, y: top },
                Point {
                    x: left + 10.0 * text.len() as f32,
                    y: top + 10.0,
                },
            ],
            width: 1.0,
        };
        let strokes = vec![stroke];
        LineSample {
            aspect: aspect(&strokes).unwrap(),
            strokes: Arc::new(strokes),
            text: text.to_string(),
            category: "6".to_string(),
            writer: writer.to_string(),
        }
    }

    fn settings(count: usize) -> SyntheticLines {
        SyntheticLines {
            count,
            min_gap: 0.5,
            max_gap: 0.5,
            max_drift: 0.0,
            printed_words: 0,
        }
    }

    #[test]
    fn lines_join_one_writers_words_with_spaces_and_gaps() {
        // Written far apart on the tablet, as UNIPEN's separate words are.
        let samples = vec![
            word("ab", "w1", 500.0, 900.0),
            word("cd", "w1", 0.0, 0.0),
            word("ef", "w2", 0.0, 0.0),
        ];
        let lines = compose(&samples, &settings(50), 64, 7);
        assert_eq!(lines.len(), 50);
        for line in &lines {
            assert_eq!(line.writer, "w1", "w2 wrote one word only");
            assert_eq!(line.category, SYNTHETIC);
            let words: Vec<&str> = line.text.split(' ').collect();
            assert!((2..=MAX_WORDS).contains(&words.len()), "{}", line.text);
            assert!(words.iter().all(|w| ["ab", "cd"].contains(w)));
            // Each word is 20 wide and 10 high, so half a height apart: n·20 + (n−1)·5 wide, on
            // one level.
            let (width, height) = ink_size(&line.strokes);
            let n = words.len() as f32;
            assert!(
                (width - (n * 20.0 + (n - 1.0) * 5.0)).abs() < 1e-3,
                "{width}"
            );
            assert!((height - 10.0).abs() < 1e-3, "{height}");
        }
        assert_eq!(
            compose(&samples, &settings(50), 64, 7)[3].text,
            lines[3].text
        );
    }

    #[test]
    fn too_long_texts_and_writers_of_one_word_make_no_line() {
        let samples = vec![
            word("abcdef", "w1", 0.0, 0.0),
            word("ghijkl", "w1", 0.0, 0.0),
        ];
        assert!(compose(&samples, &settings(20), 10, 7).is_empty());
        assert!(compose(&samples[..1], &settings(20), 64, 7).is_empty());
    }
}
