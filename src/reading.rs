//! Reading a line of handwriting: segment it, recognise every candidate character in one
//! batch, keep the likelier of each wide group's readings, and mark what the network is unsure of.

use crate::glyph::Glyph;
use crate::preprocess::{Stroke, glyph_from_strokes};
use crate::recognizer::{Prediction, RecognizeError, Recognizer};
use crate::segment::{Bounds, Character, segment};
use crate::weights::ModelMetadata;

/// What the text shows for a character the network is unsure of.
pub const UNSURE: &str = "?";

/// One character of a reading.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadCharacter {
    /// Where it was drawn, in canvas coordinates.
    pub bounds: Bounds,
    /// What the network saw.
    pub glyph: Glyph,
    pub prediction: Prediction,
    /// Whether the model stands by its best label (see [`ModelMetadata::is_sure`]).
    pub sure: bool,
}

impl ReadCharacter {
    /// The character's text: its best label, or [`UNSURE`].
    pub fn text(&self) -> &str {
        if self.sure {
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
    /// The text, with [`UNSURE`] for each character the model does not stand by.
    pub fn text(&self) -> String {
        self.characters.iter().map(ReadCharacter::text).collect()
    }
}

/// A line's candidate characters before recognition: every glyph that must go through the
/// network, and how they make up the line. Split from [`Recognizer::read`] so that callers
/// whose read-back is asynchronous (WebGPU) can run the batch themselves.
#[derive(Debug, Clone)]
pub struct Layout {
    glyphs: Vec<Glyph>,
    places: Vec<Place>,
}

/// One segment: its whole reading and, for a wide group, its split readings.
#[derive(Debug, Clone)]
struct Place {
    whole: Slot,
    /// How plausible the group's shape is for one character (see [`Bounds`]).
    whole_plausibility: f32,
    splits: Vec<Vec<Slot>>,
}

/// A candidate character: its box and the index of its glyph in the batch.
#[derive(Debug, Clone, Copy)]
struct Slot {
    bounds: Bounds,
    glyph: usize,
}

impl Layout {
    /// Segments the strokes and normalises every candidate character. Groups that
    /// preprocessing finds empty (a lone dot) are left out.
    pub fn of(strokes: &[Stroke]) -> Self {
        let mut glyphs = Vec::new();
        let mut slot = |character: &Character| {
            let glyph = glyph_from_strokes(&character.strokes).ok()?;
            glyphs.push(glyph);
            Some(Slot {
                bounds: character.bounds,
                glyph: glyphs.len() - 1,
            })
        };
        let mut places = Vec::new();
        for segment in segment(strokes) {
            let Some(whole) = slot(&segment.whole) else {
                continue;
            };
            // A split with a piece that preprocessing finds empty is no reading at all.
            let splits = segment
                .splits
                .iter()
                .filter_map(|pieces| pieces.iter().map(&mut slot).collect::<Option<Vec<_>>>())
                .collect();
            places.push(Place {
                whole,
                whole_plausibility: segment.whole.bounds.one_character_plausibility(),
                splits,
            });
        }
        Self { glyphs, places }
    }

    /// Every glyph to recognise, in one batch.
    pub fn glyphs(&self) -> &[Glyph] {
        &self.glyphs
    }

    /// Assembles the reading from the batch's predictions (in [`Layout::glyphs`] order). A wide
    /// group reads as several characters when their joint probability beats its own, weighed
    /// by how plausible its shape is for one character.
    pub fn read(self, predictions: &[Prediction], metadata: &ModelMetadata) -> Reading {
        let confidence = |slot: &Slot| predictions[slot.glyph].best().probability;
        let joint = |slots: &[Slot]| -> f32 { slots.iter().map(confidence).product() };
        let mut chosen = Vec::new();
        for place in &self.places {
            let whole = confidence(&place.whole) * place.whole_plausibility;
            let best_split = place
                .splits
                .iter()
                .map(|slots| (joint(slots), slots))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match best_split {
                Some((score, slots)) if score > whole => chosen.extend(slots.iter().copied()),
                _ => chosen.push(place.whole),
            }
        }
        let characters = chosen
            .into_iter()
            .map(|slot| {
                let prediction = predictions[slot.glyph].clone();
                let glyph = self.glyphs[slot.glyph].clone();
                ReadCharacter {
                    bounds: slot.bounds,
                    sure: metadata.is_sure(glyph.mean_ink(), prediction.best().probability),
                    glyph,
                    prediction,
                }
            })
            .collect();
        Reading { characters }
    }
}

impl Recognizer {
    /// Reads a line of handwriting with one forward pass (synchronous read-back: CPU backends).
    pub fn read(&self, strokes: &[Stroke]) -> Result<Reading, RecognizeError> {
        let layout = Layout::of(strokes);
        let predictions = self.recognize_batch(layout.glyphs())?;
        Ok(layout.read(&predictions, self.metadata()))
    }
}
