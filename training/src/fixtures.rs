//! Test drawings made of real handwriting by writers the models never trained on: UNIPEN's
//! test-split (or validation-split) characters and words, written out as the page's strokes.
//! Words are composed the way print is written: each letter scaled to its place on the line
//! (x-height, ascenders, descenders), side by side with a letter's gap between them.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use handwriting::{Point, Stroke};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::characters::{self, Split};
use crate::unipen::{self, Segment, SegmentKind};

/// Height of a capital on the composed line, in canvas pixels (the page's pad is ~400 tall).
const CAP: f32 = 120.0;
/// Height of a lower-case letter without ascender, as a fraction of [`CAP`].
const X_HEIGHT: f32 = 0.6;
/// How far a descender reaches below the baseline, as a fraction of [`CAP`].
const DESCENT: f32 = 0.35;
/// The pen's width on the page: 5% of a 400-pixel pad.
const PEN: f32 = 20.0;
/// Gap between letters, as a fraction of [`CAP`], drawn uniformly from this range.
const LETTER_GAP: (f32, f32) = (0.12, 0.3);

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
    let digit_drawings: Vec<Drawing> = written
        .iter()
        .filter(|s| s.label.len() == 1 && s.label.chars().all(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .choose_multiple(&mut rng, counts.digits)
        .map(|s| Drawing {
            text: s.label.clone(),
            writer: s.writer.clone(),
            strokes: place(&s.strokes, 0.0, CAP, 0.0),
        })
        .collect();
    let mut by_writer: BTreeMap<&str, BTreeMap<&str, Vec<&Segment>>> = BTreeMap::new();
    for segment in &written {
        by_writer
            .entry(&segment.writer)
            .or_default()
            .entry(&segment.label)
            .or_default()
            .push(segment);
    }
    let mut words = Vec::new();
    for word in WORDS.iter().cycle().take(counts.printed) {
        let writers: Vec<&str> = by_writer
            .iter()
            .filter(|(_, letters)| {
                word.chars()
                    .all(|c| letters.contains_key(c.to_string().as_str()))
            })
            .map(|(writer, _)| *writer)
            .collect();
        let Some(writer) = writers.choose(&mut rng) else {
            continue;
        };
        let letters = &by_writer[writer];
        let chosen: Vec<&Segment> = word
            .chars()
            .map(|c| {
                *letters[c.to_string().as_str()]
                    .choose(&mut rng)
                    .expect("listed letters have samples")
            })
            .collect();
        words.push(Drawing {
            text: word.to_string(),
            writer: writer.to_string(),
            strokes: compose(&chosen, &mut rng),
        });
    }
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

/// The letters side by side on one line, each scaled to its height class.
pub fn compose(letters: &[&Segment], rng: &mut impl Rng) -> Vec<Stroke> {
    let mut strokes = Vec::new();
    let mut x = 0.0;
    for letter in letters {
        let c = letter.label.chars().next().unwrap_or(' ');
        let (top, bottom) = if "gjpqy".contains(c) {
            (-X_HEIGHT * CAP, DESCENT * CAP)
        } else if c.is_ascii_lowercase() && !"bdfhklt".contains(c) {
            (-X_HEIGHT * CAP, 0.0)
        } else {
            (-CAP, 0.0)
        };
        let placed = place(&letter.strokes, x, bottom - top, top);
        let right = placed
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.x))
            .fold(x, f32::max);
        strokes.extend(placed);
        x = right + PEN + rng.random_range(LETTER_GAP.0..LETTER_GAP.1) * CAP;
    }
    strokes
}

/// The strokes scaled to `height`, their left edge at `left` and top at `top`, rounded to a
/// tenth of a pixel (the fixtures stay small).
fn place(strokes: &[Stroke], left: f32, height: f32, top: f32) -> Vec<Stroke> {
    let points = || strokes.iter().flat_map(|s| s.points.iter());
    let min_x = points().map(|p| p.x).fold(f32::INFINITY, f32::min);
    let min_y = points().map(|p| p.y).fold(f32::INFINITY, f32::min);
    let max_y = points().map(|p| p.y).fold(f32::NEG_INFINITY, f32::max);
    let scale = height / (max_y - min_y).max(1.0);
    let round = |v: f32| (v * 10.0).round() / 10.0;
    strokes
        .iter()
        .map(|s| Stroke {
            points: s
                .points
                .iter()
                .map(|p| Point {
                    x: round(left + (p.x - min_x) * scale),
                    y: round(top + (p.y - min_y) * scale),
                })
                .collect(),
            width: PEN,
        })
        .collect()
}
