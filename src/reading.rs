//! Reading a line of handwriting: segment it, recognise every candidate character in one
//! batch, keep the likeliest way to read the groups (each whole, a wide one split, two that
//! touch merged), let the line's context settle case, digits and punctuation, find the
//! spaces, and mark what the network is unsure of.

use crate::context;
use crate::glyph::Glyph;
use crate::preprocess::{Point, Stroke, glyph_from_strokes};
use crate::recognizer::{Prediction, RecognizeError, Recognizer};
use crate::segment::{Bounds, Breadth, Character, Split, segment};
use crate::slash::without_slash;
use crate::weights::ModelMetadata;

/// What the text shows for what is clearly no character (a scribble, a scratch-out).
pub const UNSURE: &str = "?";
/// A reading of a group as several characters must beat its reading as one by this factor per
/// extra piece (and two close groups read as two, their reading as one): the parts must read
/// clearly better than the whole.
const SPLIT_MARGIN: f32 = 0.6;
/// How much less likely a split reading becomes for each of its cuts that crosses the ink
/// more than once, through a loop (see [`Split::loops_cut`]). Chosen on validation writers'
/// lone digits (600) and printed words (200), read as the page reads them: 0.5 to 0.7 read
/// one more digit with the digits model and one more with the characters model (0.4 two), the
/// words alike; at 0.4 a wide scratch-out reads as one confident character rather than as
/// unreadable pieces (`tests/reading.rs`), so 0.6, clear of that.
const LOOP_CUT: f32 = 0.6;
/// How sure the network is taken to be, at most, of each piece of a split when deciding
/// whether to draw it: a split whose pieces would all have to read surer than this to beat the
/// whole is spared the network's time. On validation writers' lone digits (767), printed words
/// (200) and cursive words (300), read with the digits and the characters models, no split that
/// won needed its pieces surer than 0.88 on average (geometric mean); two touching noughts
/// drawn as the tests draw them need 0.97 (`tests/reading.rs`).
const SUREST_PIECE: f32 = 0.98;
/// Characters often wider than tall: a group read as one of them is not cut up for its width.
const WIDE_LABELS: [&str; 6] = ["m", "w", "M", "W", "%", "@"];
/// The labels of an oval, all of which a slashed one stands for zero: the slash is there to
/// tell the digit from the letters.
const NOUGHTS: [&str; 3] = ["0", "o", "O"];
/// How surely an oval must read as a nought, once its slash is off, for a group that reads as
/// a digit to read as zero. The whole is no guide: the digits model reads a slashed nought as a
/// sure 8. On the validation writers' 767 lone digits (2026-12-08), 25 of the 32 noughts found
/// slashed read as a nought at 0.99 or more once it was off; of the other digits found
/// slashed, none above 0.85 (a 2 whose tail passed for a slash).
const SURE_NOUGHT: f32 = 0.95;
/// Labels of which a model needs one to read specks: a model without them (digits) ignores
/// specks, as stray touches of the pen.
const SPECK_LABELS: [&str; 2] = [".", ","];

/// One character of a reading.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadCharacter {
    /// Where it was drawn, in canvas coordinates.
    pub bounds: Bounds,
    /// What the network saw.
    pub glyph: Glyph,
    /// What the network saw, revised by the line's context.
    pub prediction: Prediction,
    /// Whether the model stands by its best label (see [`ModelMetadata::is_sure`]).
    pub sure: bool,
    /// Whether it is a character at all, however unsure (see [`ModelMetadata::is_plausible`]).
    pub plausible: bool,
    /// Whether a word gap comes before it.
    pub space_before: bool,
}

impl ReadCharacter {
    /// The character's text: its best label, unsure or not, or [`UNSURE`] for what is no
    /// character.
    pub fn text(&self) -> &str {
        if self.plausible {
            &self.prediction.best().label
        } else {
            UNSURE
        }
    }
}

/// A line of handwriting, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Left to right.
    pub characters: Vec<ReadCharacter>,
}

impl Reading {
    /// The text, words separated by spaces, with [`UNSURE`] for what is no character.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for character in &self.characters {
            if character.space_before {
                text.push(' ');
            }
            text.push_str(character.text());
        }
        text
    }
}

/// A line's candidate characters before recognition: every glyph that must go through the
/// network, and how they make up the line. Recognition runs in up to two batches: the groups
/// as wholes, and each pair of groups that touch as one ([`Layout::of`]), then what the first
/// readings call for: the split readings of the wide groups whose whole reading a split could
/// still beat, and the ovals of the groups that may be slashed zeros
/// ([`Layout::add_second_batch`]); most groups need neither. Split from
/// [`Recognizer::read`] so that callers whose read-back is asynchronous (WebGPU) can run the
/// batches themselves.
#[derive(Debug, Clone)]
pub struct Layout {
    glyphs: Vec<Glyph>,
    places: Vec<Place>,
}

/// One segment: its whole reading and, for a wide group, its split readings.
#[derive(Debug, Clone)]
struct Place {
    /// The group's strokes, for what the first batch's reading asks to draw of it.
    group: Character,
    whole: Slot,
    /// The group without the stroke through its middle, where it reads as a digit and has one:
    /// a slashed zero's oval, if it reads as a nought (see [`Place::one_character`]).
    unslashed: Option<Slot>,
    /// The group read together with the next one, when the two stand close enough to be one
    /// character drawn in strokes that share too few columns to be grouped (the bars of an
    /// "F" begun beside its stem).
    merged_with_next: Option<Slot>,
    /// Ways to cut the group, not yet drawn.
    cuts: Vec<Split>,
    /// The cuts drawn, once the whole's reading asked for them, with their
    /// [`best_split_score`].
    splits: Vec<(Vec<Slot>, f32)>,
    /// A speck: read only by models that know punctuation.
    speck: bool,
}

/// A candidate character: its box and the index of its glyph in the batch.
#[derive(Debug, Clone, Copy)]
struct Slot {
    bounds: Bounds,
    glyph: usize,
    /// An oval whose slash was taken off: it reads as zero or not at all.
    slashed: bool,
}

impl Slot {
    /// How likely the slot is one character: its best class's probability (for a slashed
    /// oval, the noughts' together), weighed by how plausible its box is for one character of
    /// that class.
    fn whole_score(&self, predictions: &[Prediction]) -> f32 {
        let prediction = &predictions[self.glyph];
        if self.slashed {
            return prediction.probability_of_any(&NOUGHTS)
                * self.bounds.one_character_plausibility(Breadth::Ordinary);
        }
        let best = prediction.best();
        best.probability * self.bounds.one_character_plausibility(breadth(&best.label))
    }

    fn scored(self, predictions: &[Prediction]) -> (f32, Self) {
        (self.whole_score(predictions), self)
    }

    /// What the network read in the slot, as the line reads it: a slashed oval's noughts all
    /// count as zero.
    fn prediction(&self, predictions: &[Prediction]) -> Prediction {
        let prediction = &predictions[self.glyph];
        if self.slashed {
            prediction.merged(&NOUGHTS, NOUGHTS[0])
        } else {
            prediction.clone()
        }
    }
}

impl Place {
    /// The place read as one character, and how likely that is: the whole group, or a slashed
    /// zero where the whole reads as a digit (the 8 or 9 that a slashed nought looks like) and
    /// the group without its slash as a sure nought. Letters are left be: a d's or a p's stem
    /// passes for a slash, and a letter with a slash is no zero.
    fn one_character(&self, predictions: &[Prediction]) -> (f32, Slot) {
        let whole = self.whole.scored(predictions);
        match self.unslashed {
            Some(oval) if predictions[oval.glyph].probability_of_any(&NOUGHTS) >= SURE_NOUGHT => {
                oval.scored(predictions)
            }
            _ => whole,
        }
    }
}

impl Layout {
    /// Segments the strokes and normalises each group as a whole, and each pair of
    /// neighbouring groups that stand close as one. Groups that preprocessing finds empty (a
    /// lone dot) are left out.
    pub fn of(strokes: &[Stroke]) -> Self {
        let mut layout = Self {
            glyphs: Vec::new(),
            places: Vec::new(),
        };
        for segment in segment(strokes) {
            let whole = if segment.speck {
                // A tap is one point, which draws nothing: drawn as a dot of its pen's width.
                layout
                    .slot(&segment.whole)
                    .or_else(|| layout.slot(&as_dot(&segment.whole)))
            } else {
                layout.slot(&segment.whole)
            };
            let Some(whole) = whole else {
                continue;
            };
            let pair = layout
                .places
                .last()
                .filter(|left| !left.speck && !segment.speck)
                .filter(|left| left.group.bounds.touches_sideways(&whole.bounds))
                .map(|left| left.group.clone().absorb(segment.whole.clone()));
            let merged = pair.and_then(|pair| layout.slot(&pair));
            if let Some(place) = layout.places.last_mut() {
                place.merged_with_next = merged;
            }
            layout.places.push(Place {
                group: segment.whole,
                whole,
                unslashed: None,
                merged_with_next: None,
                cuts: segment.splits,
                splits: Vec::new(),
                speck: segment.speck,
            });
        }
        layout
    }

    /// Draws `character` into the batch.
    fn slot(&mut self, character: &Character) -> Option<Slot> {
        let glyph = glyph_from_strokes(&character.strokes).ok()?;
        self.glyphs.push(glyph);
        Some(Slot {
            bounds: character.bounds,
            glyph: self.glyphs.len() - 1,
            slashed: false,
        })
    }

    /// Every glyph to recognise so far, in batch order.
    pub fn glyphs(&self) -> &[Glyph] {
        &self.glyphs
    }

    /// Given the predictions of every glyph so far, draws the split readings of the groups
    /// whose whole reading one could beat with its pieces read as sure as [`SUREST_PIECE`],
    /// and the ovals of the groups with a slash whose whole reads as a digit (see
    /// [`Place::one_character`]), and returns those new glyphs (empty when no group needs
    /// them): their predictions follow the first ones, in this order.
    pub fn add_second_batch(&mut self, predictions: &[Prediction]) -> &[Glyph] {
        let first_new = self.glyphs.len();
        let mut places = std::mem::take(&mut self.places);
        for place in &mut places {
            // Only a group read as a digit is searched for a slash: letters are left be.
            if !place.speck && is_digit(&predictions[place.whole.glyph].best().label) {
                place.unslashed = without_slash(&place.group.strokes)
                    .and_then(|oval| self.slot(&Character::new(oval)))
                    .map(|oval| Slot {
                        slashed: true,
                        ..oval
                    });
            }
            let whole = place.whole.whole_score(predictions);
            let could_beat_whole = |split: &Split, best: f32| {
                whole < best * SUREST_PIECE.powi(split.pieces.len() as i32)
            };
            // A split with a piece that preprocessing finds empty is no reading at all.
            place.splits = std::mem::take(&mut place.cuts)
                .iter()
                .map(|split| (split, best_split_score(split)))
                .filter(|&(split, best)| could_beat_whole(split, best))
                .filter_map(|(split, best)| {
                    let slots = split
                        .pieces
                        .iter()
                        .map(|piece| self.slot(piece))
                        .collect::<Option<Vec<_>>>()?;
                    Some((slots, best))
                })
                .collect();
        }
        self.places = places;
        &self.glyphs[first_new..]
    }

    /// Assembles the reading from the batch's predictions (in [`Layout::glyphs`] order). A wide
    /// group reads as several characters, and two close groups as one, when that reading's
    /// joint probability beats the other's, weighed by how plausible each box is for one
    /// character, less a margin for each character read and for each cut through a loop: its
    /// parts must read clearly better than the whole. Then the line's context revises each
    /// character's prediction (case, digit or letter, punctuation) and finds the word gaps.
    pub fn read(self, predictions: &[Prediction], metadata: &ModelMetadata) -> Reading {
        let reads_specks = SPECK_LABELS
            .iter()
            .any(|speck| metadata.labels.iter().any(|label| label == speck));
        let places: Vec<&Place> = self
            .places
            .iter()
            .filter(|place| !place.speck || reads_specks)
            .collect();
        let chosen = likeliest_reading(&places, predictions);
        let in_line: Vec<_> = chosen
            .iter()
            .map(|slot| (slot.bounds, slot.prediction(predictions)))
            .collect();
        let revised = context::apply(&in_line, &metadata.labels);
        let characters = chosen
            .into_iter()
            .zip(revised)
            .map(|(slot, (prediction, space_before))| {
                let glyph = self.glyphs[slot.glyph].clone();
                let (ink, probability) = (glyph.mean_ink(), prediction.best().probability);
                ReadCharacter {
                    bounds: slot.bounds,
                    sure: metadata.is_sure(ink, probability),
                    plausible: metadata.is_plausible(ink, probability),
                    space_before,
                    glyph,
                    prediction,
                }
            })
            .collect();
        Reading { characters }
    }
}

/// The characters of the likeliest reading of `places` (left to right): each place as a
/// whole or split, or merged with the next one where that was drawn. Scores add up in
/// logarithms, so a long line cannot underflow them.
fn likeliest_reading(places: &[&Place], predictions: &[Prediction]) -> Vec<Slot> {
    // Each step reads as one character at the cost of one margin, or as a split whose score
    // holds the margins of its extra characters (see [`best_split_score`]).
    let step_score = |score: f32| score.ln() + SPLIT_MARGIN.ln();
    let alone: Vec<(f32, Vec<Slot>)> = places
        .iter()
        .map(|place| {
            let (score, slot) = place.one_character(predictions);
            let whole = (score, vec![slot]);
            let splits = place.splits.iter().map(|(slots, best)| {
                let joint = slots
                    .iter()
                    .map(|slot| predictions[slot.glyph].best().probability)
                    .product::<f32>();
                (joint * best, slots.clone())
            });
            let (score, slots) = std::iter::once(whole)
                .chain(splits)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .expect("the whole is always a reading");
            (step_score(score), slots)
        })
        .collect();
    // best[k]: the log score of the likeliest reading of the first k places, and how many
    // places its last step read (1 alone, 2 merged).
    let mut best: Vec<(f32, usize)> = vec![(0.0, 0)];
    for k in 1..=places.len() {
        let mut step = (best[k - 1].0 + alone[k - 1].0, 1);
        if let Some(merged) = (k >= 2).then(|| places[k - 2].merged_with_next).flatten() {
            let score = best[k - 2].0 + step_score(merged.whole_score(predictions));
            if score > step.0 {
                step = (score, 2);
            }
        }
        best.push(step);
    }
    let mut chosen = Vec::new();
    let mut k = places.len();
    while k > 0 {
        match best[k].1 {
            2 => chosen.push(vec![
                places[k - 2]
                    .merged_with_next
                    .expect("a merged step had a merge"),
            ]),
            _ => chosen.push(alone[k - 1].1.clone()),
        }
        k -= best[k].1;
    }
    chosen.into_iter().rev().flatten().collect()
}

/// The score [`likeliest_reading`] gives a split whose every piece reads with certainty, on
/// the scale of one character's whole score: the margin for each extra piece and the cost of
/// each cut through a loop. A split that could not beat its whole even with every piece read
/// as sure as [`SUREST_PIECE`] is never drawn: most splits of an unsure wide letter cut a loop
/// and are spared the network's time.
fn best_split_score(split: &Split) -> f32 {
    let extra_pieces = split.pieces.len() as i32 - 1;
    SPLIT_MARGIN.powi(extra_pieces) * LOOP_CUT.powi(split.loops_cut as i32)
}

fn is_digit(label: &str) -> bool {
    !label.is_empty() && label.chars().all(|c| c.is_ascii_digit())
}

/// How wide a character read as `label` runs for its height.
fn breadth(label: &str) -> Breadth {
    if WIDE_LABELS.contains(&label) {
        Breadth::Wide
    } else if label.len() == 1 && context::SMALL_LETTERS.contains(label) {
        Breadth::Short
    } else {
        Breadth::Ordinary
    }
}

/// A speck drawn as a round dot as wide as its pen, centred where it was touched.
fn as_dot(speck: &Character) -> Character {
    let bounds = speck.bounds;
    let width = speck.strokes.iter().map(|s| s.width).fold(1.0, f32::max);
    let (x, y) = (
        bounds.x + bounds.width / 2.0,
        bounds.y + bounds.height / 2.0,
    );
    let points = (0..=8)
        .map(|i| {
            let angle = i as f32 * std::f32::consts::TAU / 8.0;
            Point {
                x: x + width * angle.cos(),
                y: y + width * angle.sin(),
            }
        })
        .collect();
    Character::new(vec![Stroke { points, width }])
}

impl Recognizer {
    /// Reads a line of handwriting with one or two forward passes (synchronous read-back: CPU
    /// backends).
    pub fn read(&self, strokes: &[Stroke]) -> Result<Reading, RecognizeError> {
        let mut layout = Layout::of(strokes);
        let mut predictions = self.recognize_batch(layout.glyphs())?;
        let second = self.recognize_batch(layout.add_second_batch(&predictions))?;
        predictions.extend(second);
        Ok(layout.read(&predictions, self.metadata()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A nought drawn 1.7 times as wide as tall in one stroke: every cut through it crosses
    /// its loop, so no split of it can score more than `SPLIT_MARGIN * LOOP_CUT`.
    fn wide_nought() -> Vec<Stroke> {
        let points = (0..=48)
            .map(|i| {
                let t = i as f32 / 48.0 * std::f32::consts::TAU;
                Point {
                    x: 85.0 * (1.0 - t.cos()),
                    y: 50.0 * (1.0 - t.sin()),
                }
            })
            .collect();
        vec![Stroke { points, width: 8.0 }]
    }

    /// How many split glyphs the layout draws when its one group reads as "w" with a whole
    /// score of `score`.
    fn splits_drawn(score: f32) -> usize {
        let mut layout = Layout::of(&wide_nought());
        assert_eq!(layout.glyphs().len(), 1);
        let plausibility = layout.places[0]
            .whole
            .bounds
            .one_character_plausibility(Breadth::Wide);
        let probability = score / plausibility;
        // The rest spread thinly enough over other classes that "w" stays the best.
        let labels: Vec<String> = ["w", "0", "1", "2", "3"].map(String::from).into();
        let rest = (1.0 - probability) / 4.0;
        let prediction = Prediction::new(vec![probability, rest, rest, rest, rest], &labels);
        layout.add_second_batch(&[prediction]).len()
    }

    /// How many glyphs the second batch draws for a slashed nought whose whole reads as
    /// `label` with `probability`.
    fn ovals_drawn(label: &str, probability: f32) -> usize {
        let oval = (0..=48).map(|i| {
            let t = i as f32 / 48.0 * std::f32::consts::TAU;
            Point {
                x: 50.0 + 30.0 * t.sin(),
                y: 50.0 - 50.0 * t.cos(),
            }
        });
        let slash = [(75.0, -10.0), (25.0, 110.0)].map(|(x, y)| Point { x, y });
        let strokes = [oval.collect(), slash.to_vec()].map(|points| Stroke { points, width: 8.0 });
        let mut layout = Layout::of(&strokes);
        assert_eq!(
            layout.glyphs().len(),
            1,
            "the oval waits for the whole's reading"
        );
        let labels: Vec<String> = [label, "0", "o", "O"].map(String::from).into();
        let rest = (1.0 - probability) / 3.0;
        let prediction = Prediction::new(vec![probability, rest, rest, rest], &labels);
        layout.add_second_batch(&[prediction]).len()
    }

    #[test]
    fn a_slashed_group_s_oval_is_drawn_only_where_it_reads_as_a_digit() {
        // A slashed nought looks like an 8 to the networks, however sure they are.
        assert_eq!(ovals_drawn("8", 0.99), 1);
        assert_eq!(ovals_drawn("d", 0.3), 0);
    }

    #[test]
    fn only_splits_that_could_beat_the_whole_are_drawn() {
        let loop_split = SPLIT_MARGIN * LOOP_CUT;
        // Two pieces read as sure as a piece is taken to be, at most.
        let surest_loop_split = loop_split * SUREST_PIECE.powi(2);
        assert!(splits_drawn(0.9 * surest_loop_split) > 0);
        // Only pieces surer than that could beat this whole.
        assert_eq!(splits_drawn(0.5 * (surest_loop_split + loop_split)), 0);
        // Below the margin a split of clean cuts could beat, but these all cut the loop.
        assert_eq!(splits_drawn(0.5 * (loop_split + SPLIT_MARGIN)), 0);
        assert_eq!(splits_drawn(SPLIT_MARGIN), 0);
    }
}
