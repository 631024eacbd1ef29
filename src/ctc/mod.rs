//! Reading text out of a CTC network's output, in plain Rust so that the browser page, the
//! command line and the tests decode alike.
//!
//! The output is row-major `frames × classes` natural-log probabilities (a log-softmax per
//! frame). Class 0 is CTC's blank; class `i ≥ 1` stands for `alphabet[i - 1]`. Garbage never
//! panics: NaN reads as impossible, a value above 0 as certain, no frames as an empty reading,
//! and a length that is no whole number of frames as a [`DecodeError`] (a wrong alphabet whose
//! class count happens to divide the length cannot be told apart).

mod align;
mod beam;
mod greedy;
mod language_model;
mod lexicon;
mod score;
mod word_list;

pub use align::align;
pub use beam::{BeamOptions, beam_search};
pub use greedy::greedy;
pub use language_model::{LanguageModel, LanguageModelError, LanguageModelWeights};
pub use score::log_likelihood_ignoring_case_and_spaces;
pub use word_list::{WordList, WordListError, words_of};

use std::ops::Range;

use thiserror::Error;

/// CTC's blank: it separates symbols (a doubled letter needs one between) and reads as nothing.
const BLANK: usize = 0;
/// Enough other readings of a symbol for a page to offer corrections without clutter.
const MAX_ALTERNATIVES: usize = 3;

/// One symbol of a reading, with what a page needs to show how sure the network is of it and
/// where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadSymbol {
    /// The symbol read.
    pub symbol: char,
    /// Its probability (0 to 1) at its peak frame. The peak rather than the mean over its frames:
    /// CTC networks fire a symbol in a spike a frame or two wide, so its edge frames would make
    /// a clear symbol look unsure.
    pub confidence: f32,
    /// The frames (columns of the input) it was read from, to place it on the writing.
    pub frames: Range<usize>,
    /// What the writer may have meant instead: the likeliest other symbols at its peak frame,
    /// likeliest first, at most three, never blank or the symbol itself.
    pub alternatives: Vec<(char, f32)>,
}

/// A line read.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// What the line says.
    pub text: String,
    /// The text's symbols in order, one per `char`, for showing each one's confidence.
    pub symbols: Vec<ReadSymbol>,
    /// How likely the reading is (natural log), to compare readings of one decoder: greedy's is
    /// its single best path's, beam search's the sum over every path of its text plus what its word
    /// list and language model make of it.
    pub log_probability: f32,
}

/// Why an output cannot be decoded: a caller's mistake, never the writing's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The network and the alphabet disagree on the number of classes.
    #[error(
        "the network's output has {values} numbers, not a whole number of frames of {classes} \
         classes (blank and {} symbols)",
        classes - 1
    )]
    Shape { values: usize, classes: usize },
    /// The text to align has a symbol the network cannot write.
    #[error("'{0}' is not in the model's alphabet")]
    UnknownSymbol(char),
    /// The text to align cannot be read from these frames.
    #[error(
        "the text cannot be read here: the line is too short for it or the network rules it out"
    )]
    Unalignable,
}

/// The network's output, its shape checked once so that the decoders index it freely.
struct Frames<'a> {
    values: &'a [f32],
    classes: usize,
}

impl<'a> Frames<'a> {
    fn new(values: &'a [f32], alphabet: &[char]) -> Result<Self, DecodeError> {
        let classes = alphabet.len() + 1;
        if !values.len().is_multiple_of(classes) {
            return Err(DecodeError::Shape {
                values: values.len(),
                classes,
            });
        }
        Ok(Self { values, classes })
    }

    fn len(&self) -> usize {
        self.values.len() / self.classes
    }

    /// A class's log-probability at a frame, made safe to add and compare: NaN is impossible,
    /// and nothing is likelier than certain (which also keeps +∞ − +∞ out of the sums).
    fn log_prob(&self, frame: usize, class: usize) -> f32 {
        let value = self.values[frame * self.classes + class];
        if value.is_nan() {
            f32::NEG_INFINITY
        } else {
            value.min(0.0)
        }
    }

    /// The likeliest class at a frame; the first of equals, so a frame of NaN reads as blank.
    fn best_class(&self, frame: usize) -> usize {
        (0..self.classes).fold(BLANK, |best, class| {
            if self.log_prob(frame, class) > self.log_prob(frame, best) {
                class
            } else {
                best
            }
        })
    }

    /// What a page shows of `class` read from `frames` (which must not be empty).
    fn read_symbol(&self, alphabet: &[char], class: usize, frames: Range<usize>) -> ReadSymbol {
        let peak = frames
            .clone()
            .min_by(|&a, &b| self.log_prob(b, class).total_cmp(&self.log_prob(a, class)))
            .unwrap_or(frames.start);
        let mut alternatives: Vec<(char, f32)> = (1..self.classes)
            .filter(|&other| other != class)
            .map(|other| (symbol(alphabet, other), self.log_prob(peak, other).exp()))
            .filter(|&(_, probability)| probability > 0.0)
            .collect();
        alternatives.sort_by(|a, b| b.1.total_cmp(&a.1));
        alternatives.truncate(MAX_ALTERNATIVES);
        ReadSymbol {
            symbol: symbol(alphabet, class),
            confidence: self.log_prob(peak, class).exp(),
            frames,
            alternatives,
        }
    }
}

/// The symbol a class other than blank stands for.
fn symbol(alphabet: &[char], class: usize) -> char {
    alphabet[class - 1]
}

/// The class that writes `symbol`, if the alphabet has it.
fn class_of(alphabet: &[char], symbol: char) -> Option<usize> {
    alphabet
        .iter()
        .position(|&known| known == symbol)
        .map(|index| index + 1)
}

/// The fewest frames that can spell `labels`: one per label, and a blank between each pair
/// of equal neighbours (a doubled letter), since a run of one class reads as one symbol.
fn frames_needed<Label: PartialEq>(labels: &[Label]) -> usize {
    let doubles = labels.windows(2).filter(|pair| pair[0] == pair[1]).count();
    labels.len() + doubles
}

/// The runs of equal values in a path of one value per frame, each with its frames.
fn runs(path: &[usize]) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
    let mut start = 0;
    path.chunk_by(|a, b| a == b).map(move |run| {
        let frames = start..start + run.len();
        start = frames.end;
        (run[0], frames)
    })
}

#[cfg(test)]
mod test_support {
    use super::BLANK;

    /// Letters with one capital, digits, space and apostrophe: enough to spell the tests' lines.
    pub(super) fn alphabet() -> Vec<char> {
        "abcdefghijklmnopqrstuvwxyzH0123456789 '".chars().collect()
    }

    /// Log-probabilities of frames that give the listed symbols ('_' for blank) their
    /// probabilities and spread the rest evenly over the other classes, as a softmax would.
    pub(super) fn output(alphabet: &[char], frames: &[&[(char, f32)]]) -> Vec<f32> {
        let classes = alphabet.len() + 1;
        let class_of = |symbol: char| match symbol {
            '_' => BLANK,
            _ => super::class_of(alphabet, symbol).expect("in the alphabet"),
        };
        frames
            .iter()
            .flat_map(|listed| {
                let rest = 1.0 - listed.iter().map(|&(_, p)| p).sum::<f32>();
                let mut probabilities = vec![rest / (classes - listed.len()) as f32; classes];
                for &(symbol, probability) in *listed {
                    probabilities[class_of(symbol)] = probability;
                }
                probabilities.into_iter().map(f32::ln)
            })
            .collect()
    }

    /// A confident reading of `path`, one frame per character ('_' for blank): what a
    /// well-trained network gives for clear writing.
    pub(super) fn peaked(alphabet: &[char], path: &str) -> Vec<f32> {
        let frames: Vec<[(char, f32); 1]> = path.chars().map(|c| [(c, 0.9)]).collect();
        let frames: Vec<&[(char, f32)]> = frames.iter().map(|frame| &frame[..]).collect();
        output(alphabet, &frames)
    }
}
