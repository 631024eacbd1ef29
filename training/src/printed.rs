//! Words printed in one writer's hand, composed of the characters that writer wrote alone
//! (UNIPEN categories 1a–1c), the way print is written: each character scaled to its place on
//! the line (x-height, ascenders, descenders), side by side with a letter's gap between them.
//! The test fixtures print their word list so; the line model trains on training writers'
//! words printed so.

use std::collections::BTreeMap;

use handwriting::{Point, Stroke};
use rand::Rng;
use rand::seq::IndexedRandom;

use crate::unipen::Segment;

/// Height of a capital on the composed line, in canvas pixels (the page's pad is ~400 tall).
pub const CAP: f32 = 120.0;
/// Height of a lower-case letter without ascender, as a fraction of [`CAP`].
const X_HEIGHT: f32 = 0.6;
/// How far a descender reaches below the baseline, as a fraction of [`CAP`].
const DESCENT: f32 = 0.35;
/// The pen's width on the page: 5% of a 400-pixel pad.
const PEN: f32 = 20.0;
/// Gap between letters, as a fraction of [`CAP`], drawn uniformly from this range.
const LETTER_GAP: (f32, f32) = (0.12, 0.3);

/// Each writer's characters written alone, by label.
pub struct Hands<'a> {
    by_writer: BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a Segment>>>,
}

impl<'a> Hands<'a> {
    /// Files the characters by writer and label.
    pub fn of(characters: &'a [Segment]) -> Self {
        let mut by_writer: BTreeMap<&str, BTreeMap<&str, Vec<&Segment>>> = BTreeMap::new();
        for character in characters {
            by_writer
                .entry(&character.writer)
                .or_default()
                .entry(&character.label)
                .or_default()
                .push(character);
        }
        Self { by_writer }
    }

    /// `word` printed by a random writer among those who wrote each of its characters, and
    /// that writer; `None` when nobody did.
    pub fn print(&self, word: &str, rng: &mut impl Rng) -> Option<(&'a str, Vec<Stroke>)> {
        let writers: Vec<&str> = self
            .by_writer
            .iter()
            .filter(|(_, characters)| {
                word.chars()
                    .all(|c| characters.contains_key(c.to_string().as_str()))
            })
            .map(|(writer, _)| *writer)
            .collect();
        let writer = *writers.choose(rng)?;
        let characters = &self.by_writer[writer];
        let chosen: Vec<&Segment> = word
            .chars()
            .map(|c| {
                *characters[c.to_string().as_str()]
                    .choose(rng)
                    .expect("listed characters have samples")
            })
            .collect();
        Some((writer, compose(&chosen, rng)))
    }
}

/// The characters side by side on one line, each scaled to its height class.
fn compose(characters: &[&Segment], rng: &mut impl Rng) -> Vec<Stroke> {
    let mut strokes = Vec::new();
    let mut x = 0.0;
    for character in characters {
        let c = character.label.chars().next().unwrap_or(' ');
        let (top, bottom) = if "gjpqy".contains(c) {
            (-X_HEIGHT * CAP, DESCENT * CAP)
        } else if c.is_ascii_lowercase() && !"bdfhklt".contains(c) {
            (-X_HEIGHT * CAP, 0.0)
        } else {
            (-CAP, 0.0)
        };
        let placed = place(&character.strokes, x, bottom - top, top);
        let right = placed
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.x))
            .fold(x, f32::max);
        strokes.extend(placed);
        x = right + PEN + rng.random_range(LETTER_GAP.0..LETTER_GAP.1) * CAP;
    }
    strokes
}

/// The strokes scaled to `height`, their left edge at `left` and top at `top`, drawn with the
/// page's pen, rounded to a tenth of a pixel (the fixtures stay small).
pub fn place(strokes: &[Stroke], left: f32, height: f32, top: f32) -> Vec<Stroke> {
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
