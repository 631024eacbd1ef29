//! Reading the test writers' words and lines with a line model, through the library's own
//! drawing and decoding, and tallying the errors per category and decoder.

use std::collections::BTreeMap;

use anyhow::Result;
use handwriting::ctc::{BeamOptions, LanguageModel, WordList, words_of};
use handwriting::lines::{Decoding, LineImage, LineReader, PEN_WIDTH, line_from_strokes};
use serde::Serialize;

use super::data::{LineSample, category_name};
use super::metrics::ErrorTally;

/// Lines per forward pass.
pub(super) const BATCH: usize = 32;
/// The decoder the page reads with (no word list unless the user picks one): the picture's.
const PAGE_DECODER: usize = 2;
/// Test lines kept per category for the report's picture.
const EXAMPLES_PER_CATEGORY: usize = 4;

/// The grouping of cursive and mixed-style words together, which the targets are set on.
pub const ALL_WORDS: &str = "all words";
/// The words whose text no training text has: the language model learnt the training texts,
/// and UNIPEN's writers copied prompts that repeat across writers, so this grouping shows
/// what it does for words it never saw.
pub const UNSEEN_WORDS: &str = "words not in the training texts";

/// The decoders compared, in report order: each adds to the one before.
pub const DECODERS: [&str; 4] = [
    "greedy",
    "beam search",
    "beam search + language model",
    "beam search + language model + word list",
];

/// Errors of each decoder on one category of test lines.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CategoryErrors {
    pub by_decoder: BTreeMap<&'static str, ErrorTally>,
}

/// A test line, drawn and read, for the report's picture.
#[derive(Debug, Clone)]
pub struct Example {
    pub image: LineImage,
    pub truth: String,
    pub read: String,
}

/// What the evaluation found: errors per category name, and every category's words together.
pub struct LineEvaluation {
    pub categories: BTreeMap<String, CategoryErrors>,
    pub examples: Vec<Example>,
    /// Words in the word list the third decoder used.
    pub word_list_size: usize,
}

/// How [`vocabulary`] lists words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// As the texts have them: a word only ever capitalised is listed so ("Susan"), and a
    /// search holds it to that (see `WordList`).
    AsWritten,
    /// In lower case: looked up in lower case too (as [`groupings`] does), a word counts as
    /// listed in any case, as the language model, which folds case, sees it.
    LowerCase,
}

/// The word list of a set of texts: each run of letters, once.
pub fn vocabulary(samples: &[LineSample], spelling: Spelling) -> Result<WordList> {
    let mut words: Vec<String> = samples
        .iter()
        .flat_map(|sample| words_of(&sample.text))
        .map(|word| match spelling {
            Spelling::AsWritten => word.to_string(),
            Spelling::LowerCase => word.to_ascii_lowercase(),
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    Ok(WordList::parse(words.join("\n").as_bytes())?)
}

/// Reads every sample with each of [`DECODERS`]: greedy, beam search, beam search with
/// `language_model`, and with `word_list` too. `training_words` (the training texts' words,
/// [`Spelling::LowerCase`]) sorts out the words the language model never saw.
pub fn evaluate(
    reader: &LineReader,
    samples: &[LineSample],
    language_model: &LanguageModel,
    word_list: &WordList,
    training_words: &WordList,
) -> Result<LineEvaluation> {
    let with_model = BeamOptions {
        language_model: Some(language_model),
        ..BeamOptions::default()
    };
    let decodings = [
        Decoding::Greedy,
        Decoding::Beam(BeamOptions::default()),
        Decoding::Beam(with_model),
        Decoding::Beam(BeamOptions {
            word_list: Some(word_list),
            ..with_model
        }),
    ];
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.sort_by(|&a, &b| samples[a].aspect.total_cmp(&samples[b].aspect));
    let mut categories: BTreeMap<String, CategoryErrors> = BTreeMap::new();
    let mut examples: BTreeMap<&str, Vec<(usize, Example)>> = BTreeMap::new();
    for batch in order.chunks(BATCH) {
        let drawn: Vec<(usize, LineImage)> = batch
            .iter()
            .filter_map(|&i| Some((i, line_from_strokes(&samples[i].strokes, PEN_WIDTH).ok()?)))
            .collect();
        let (indices, images): (Vec<usize>, Vec<LineImage>) = drawn.into_iter().unzip();
        let frames = reader.frames_of(&images)?;
        for ((index, image), frames) in indices.into_iter().zip(images).zip(frames) {
            let sample = &samples[index];
            let mut readings = Vec::with_capacity(DECODERS.len());
            for decoding in &decodings {
                readings.push(decoding.decode(&frames, reader.alphabet())?.text);
            }
            for grouping in groupings(sample, training_words) {
                let errors = categories.entry(grouping).or_default();
                for (decoder, read) in DECODERS.iter().zip(&readings) {
                    errors
                        .by_decoder
                        .entry(decoder)
                        .or_default()
                        .add(&sample.text, read);
                }
            }
            // The same lines each time, whatever the batch order: the first few of each
            // category, kept as they come so that the other lines' images are not held.
            let shown = examples.entry(category_name(&sample.category)).or_default();
            shown.push((
                index,
                Example {
                    image,
                    truth: sample.text.clone(),
                    read: readings[PAGE_DECODER].clone(),
                },
            ));
            shown.sort_by_key(|(index, _)| *index);
            shown.truncate(EXAMPLES_PER_CATEGORY);
        }
    }
    let examples = examples
        .into_values()
        .flat_map(|shown| shown.into_iter().map(|(_, example)| example))
        .collect();
    Ok(LineEvaluation {
        categories,
        examples,
        word_list_size: word_list.len(),
    })
}

/// The report groups a sample counts in: its own category, and for words, all words and,
/// for a word the training texts never had, the unseen words.
pub(super) fn groupings(sample: &LineSample, training_words: &WordList) -> Vec<String> {
    let mut groupings = vec![category_name(&sample.category).to_string()];
    if sample.category != "8" {
        groupings.push(ALL_WORDS.to_string());
        if !training_words.lists_all(&sample.text.to_ascii_lowercase()) {
            groupings.push(UNSEEN_WORDS.to_string());
        }
    }
    groupings
}
