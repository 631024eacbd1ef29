//! Test drawings made of real handwriting by writers the models never trained on: UNIPEN's
//! test-split (or validation-split) characters and words, written out as the page's strokes.
//! Printed words are composed of one writer's letters (see [`crate::printed`]).

use std::path::Path;

use anyhow::{Context, Result, bail};
use handwriting::lines::{PEN_WIDTH, line_from_strokes};
use handwriting::{Point, Stroke};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde::{Deserialize, Serialize};

use crate::characters::{self, Split};
use crate::printed::{CAP, Hands, place};
use crate::unipen::{self, Segment, SegmentKind};

/// Five-letter words in the three cases people write them in, for the word fixture.
const WORDS: [&str; 40] = [
    "Hello", "world", "HOUSE", "Table", "light", "PAPER", "River", "stone", "CLOUD", "Green",
    "music", "TRAIN", "Apple", "bread", "NIGHT", "Plant", "water", "SMILE", "Heart", "quick",
    "BROWN", "Zebra", "jumps", "FIELD", "Money", "chair", "OCEAN", "Tiger", "dream", "WHEEL",
    "Glass", "sugar", "PIANO", "Horse", "fruit", "LEMON", "Vivid", "party", "KNIFE", "Youth",
];

/// One drawing and what was written.
#[derive(Debug, Serialize, Deserialize)]
pub struct Drawing {
    pub text: String,
    pub writer: String,
    pub strokes: Vec<Stroke>,
}

/// How many drawings of each kind to write.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    /// Lone digits, at most all the split has.
    pub digits: usize,
    /// Printed words: the word list, again with other writers' letters beyond its 40.
    pub printed: usize,
    /// Cursive words, at most all the split has.
    pub cursive: usize,
}
/// Height of a cursive word on the page, ascenders to descenders, in canvas pixels.
const CURSIVE_HEIGHT: f32 = 140.0;
/// Points closer than this to the previous one kept are dropped: UNIPEN's tablets sample far
/// more densely than the page needs, and the fixture stays small.
const MIN_POINT_SPACING: f32 = 2.5;

/// Writes `digits.json` (digits of the `writers` split of UNIPEN, each alone), `words.json`
/// (the word list, each from one such writer's letters) and `cursive.json` (joined-up words
/// as such writers wrote them) into `out`. The test writers' are the tests' fixtures; the
/// validation writers' tune what the tests then measure.
pub fn write(root: &Path, out: &Path, counts: Counts, seed: u64, writers: Split) -> Result<()> {
    if writers == Split::Train {
        bail!("the training writers make no fixtures: the models have seen them");
    }
    let cursive = cursive_words(root, counts.cursive, seed, writers)?;
    let corpus = unipen::read(root, &["1a", "1b", "1c"])?;
    let written: Vec<Segment> = corpus
        .segments
        .into_iter()
        .filter(|s| s.kind == SegmentKind::Character && characters::split_of(&s.writer) == writers)
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let digit_drawings = lone_digits(&written, counts.digits, &mut rng);
    let hands = Hands::of(&written);
    let words: Vec<Drawing> = WORDS
        .iter()
        .cycle()
        .take(counts.printed)
        .filter_map(|word| {
            let (writer, strokes) = hands.print(word, &mut rng)?;
            Some(Drawing {
                text: word.to_string(),
                writer: writer.to_string(),
                strokes,
            })
        })
        .collect();
    if digit_drawings.is_empty() || words.is_empty() || cursive.is_empty() {
        bail!("the {writers:?} writers gave no digits, printed or cursive words to write");
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, drawings) in [
        ("digits.json", &digit_drawings),
        ("words.json", &words),
        ("cursive.json", &cursive),
    ] {
        let path = out.join(name);
        std::fs::write(&path, serde_json::to_string(drawings)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("{} drawings written to {}", drawings.len(), path.display());
    }
    Ok(())
}

/// `count` of the digits among `written`, chosen at random, each alone at the cap height.
fn lone_digits(written: &[Segment], count: usize, rng: &mut StdRng) -> Vec<Drawing> {
    written
        .iter()
        .filter(|s| s.label.len() == 1 && s.label.chars().all(|c| c.is_ascii_digit()))
        // A few recordings are points in one place: no drawing to the line model, which
        // the tests read every digit with too.
        .filter(|s| line_from_strokes(&s.strokes, PEN_WIDTH).is_ok())
        .collect::<Vec<_>>()
        .choose_multiple(rng, count)
        .map(|s| Drawing {
            text: s.label.clone(),
            writer: s.writer.clone(),
            strokes: place(&s.strokes, 0.0, CAP, 0.0),
        })
        .collect()
}

/// Cursive words (UNIPEN category 6) by the `writers` split: letters only, three to ten of
/// them, chosen with their own random stream so that the other fixtures stay as they were.
fn cursive_words(root: &Path, count: usize, seed: u64, writers: Split) -> Result<Vec<Drawing>> {
    let corpus = unipen::read(root, &["6"])?;
    let candidates: Vec<Segment> = corpus
        .segments
        .into_iter()
        .filter(|s| {
            characters::split_of(&s.writer) == writers
                && (3..=10).contains(&s.label.len())
                && s.label.chars().all(|c| c.is_ascii_alphabetic())
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(seed ^ 0xC0125);
    Ok(candidates
        .choose_multiple(&mut rng, count)
        .map(|s| Drawing {
            text: s.label.clone(),
            writer: s.writer.clone(),
            strokes: thin(&place(&s.strokes, 0.0, CURSIVE_HEIGHT, 0.0)),
        })
        .collect())
}

/// The strokes without points closer than [`MIN_POINT_SPACING`] to the last one kept.
fn thin(strokes: &[Stroke]) -> Vec<Stroke> {
    strokes
        .iter()
        .map(|stroke| {
            let mut points: Vec<Point> = Vec::with_capacity(stroke.points.len());
            for &point in &stroke.points {
                let far = points.last().is_none_or(|last| {
                    (point.x - last.x).hypot(point.y - last.y) >= MIN_POINT_SPACING
                });
                if far {
                    points.push(point);
                }
            }
            Stroke {
                points,
                width: stroke.width,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digit(label: &str, points: &[(f32, f32)]) -> Segment {
        Segment {
            kind: SegmentKind::Character,
            label: label.to_string(),
            category: "1a".to_string(),
            writer: "test/writer".to_string(),
            strokes: vec![Stroke {
                points: points.iter().map(|&(x, y)| Point { x, y }).collect(),
                width: 1.0,
            }],
        }
    }

    #[test]
    fn lone_digits_leave_out_letters_and_recordings_of_one_point() {
        let written = [
            digit("1", &[(10.0, 0.0), (10.0, 50.0)]),
            digit("4", &[(5.0, 5.0), (5.0, 5.0), (5.0, 5.0)]),
            digit("l", &[(0.0, 0.0), (0.0, 40.0)]),
            digit("7", &[(0.0, 0.0), (30.0, 0.0), (10.0, 40.0)]),
        ];
        let mut rng = StdRng::seed_from_u64(1);
        let mut texts: Vec<String> = lone_digits(&written, 10, &mut rng)
            .into_iter()
            .map(|drawing| drawing.text)
            .collect();
        texts.sort();
        assert_eq!(texts, ["1", "7"]);
    }
}
