//! The line model's language model: learnt from the training writers' texts, written beside
//! the weights for the page, read back for evaluation, its settings swept on validation
//! writers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use handwriting::ctc::{BeamOptions, LanguageModel, LanguageModelWeights, WordList, words_of};
use handwriting::lines::{Decoding, LineReader, PEN_WIDTH, line_from_strokes};

use super::config::LanguageModelSection;
use super::data::{LineSample, category_name};
use super::english;
use super::evaluate::{ALL_WORDS, BATCH, Spelling, UNSEEN_WORDS, groupings, vocabulary};
use super::metrics::ErrorTally;
use crate::atomic;

/// A model of the texts of `train` (real ones: composed lines would teach it random word
/// orders) and of the English words `section` adds to them, weighed as `section` says, with a
/// lexicon of the words of `train` and of the SCOWL lists `section` names.
pub fn learn(section: &LanguageModelSection, train: &[LineSample]) -> Result<LanguageModel> {
    let words = english::load(&section.english_words_dir, &section.english_word_repeats)
        .context("english_word_repeats in [language_model]")?;
    let model = LanguageModel::learn(
        train
            .iter()
            .map(|sample| sample.text.as_str())
            .chain(words.iter().map(String::as_str)),
        section.history,
        section.weights()?,
    );
    let lexicon = english::load(
        &section.english_words_dir,
        &vec![1; section.lexicon_english_lists],
    )
    .context("lexicon_english_lists in [language_model]")?;
    let training_words = train.iter().flat_map(|sample| words_of(&sample.text));
    model
        .with_lexicon(lexicon.iter().map(String::as_str).chain(training_words))
        .context("the language model's lexicon")
}

/// Where the language model of the line model's weights at `weights` lives: beside them, as
/// `.lm` (the page fetches `lines.lm` beside `lines.bpk`).
pub fn path_beside(weights: &Path) -> PathBuf {
    weights.with_extension("lm")
}

/// Writes `model` to `path`; returns its size in bytes.
pub fn write(model: &LanguageModel, path: &Path) -> Result<usize> {
    let bytes = model.to_bytes();
    atomic::write(path, &bytes)?;
    Ok(bytes.len())
}

/// Reads the language model at `path`, naming the command that writes one if there is none.
pub fn read(path: &Path) -> Result<LanguageModel> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the language model {} (`cargo run -p training --release -- lines \
             language-model` writes it)",
            path.display()
        )
    })?;
    LanguageModel::from_bytes(&bytes).with_context(|| format!("cannot use {}", path.display()))
}

/// The settings [`sweep`] tries (3 symbols of history did worse than 4 at every weight).
const HISTORY: usize = 4;
const WEIGHTS: [f32; 4] = [0.4, 0.5, 0.6, 0.7];
const BONUSES: [f32; 3] = [1.5, 2.0, 2.5];
const CASE_WEIGHTS: [f32; 2] = [0.3, 0.6];
/// The costs of a word the lexicon lacks that [`sweep`] tries the chosen weights at (0: as if
/// there were no lexicon).
const UNKNOWN_WORD_PENALTIES: [f32; 6] = [0.0, -1.0, -2.0, -3.0, -4.0, -5.0];
/// The beam widths [`sweep`] tries the chosen setting at.
const WIDTHS: [usize; 4] = [8, 16, 32, 64];
/// The n-gram weights [`sweep`] tries in searches held to a word list (the validation texts'
/// own words), the other settings as chosen.
const WEIGHTS_WITH_WORD_LIST: [f32; 5] = [0.0, 0.2, 0.3, 0.4, 0.6];

/// Reads the validation writers' words and lines once with `reader`, then decodes them with a
/// language model of the training texts at each setting tried, and prints a row per setting,
/// then `chosen` at other costs of an unknown word, at other beam widths, and with the
/// validation texts' words as the word list at other n-gram weights: how the settings in
/// lines.toml and the search's width were chosen, never on the test writers.
pub fn sweep(
    reader: &LineReader,
    chosen: &LanguageModelSection,
    train: &[LineSample],
    validation: &[LineSample],
) -> Result<()> {
    let training_words = vocabulary(train, Spelling::LowerCase)?;
    let validation_words = vocabulary(validation, Spelling::AsWritten)?;
    let mut read = Vec::with_capacity(validation.len());
    for batch in validation.chunks(BATCH) {
        let images = batch
            .iter()
            .map(|sample| line_from_strokes(&sample.strokes, PEN_WIDTH))
            .collect::<Result<Vec<_>, _>>()?;
        read.extend(batch.iter().zip(reader.frames_of(&images)?));
    }
    let row = |model: Option<&LanguageModel>, word_list: Option<&WordList>, width: usize| {
        let decoding = Decoding::Beam(BeamOptions {
            language_model: model,
            word_list,
            width,
            ..BeamOptions::default()
        });
        let mut tallies: BTreeMap<String, ErrorTally> = BTreeMap::new();
        for (sample, frames) in &read {
            let text = decoding.decode(frames, reader.alphabet())?.text;
            for grouping in groupings(sample, &training_words) {
                tallies
                    .entry(grouping)
                    .or_default()
                    .add(&sample.text, &text);
            }
        }
        let tally = |name: &str| tallies.get(name).cloned().unwrap_or_default();
        let (words, mixed, unseen, lines) = (
            tally(ALL_WORDS),
            tally(category_name("7")),
            tally(UNSEEN_WORDS),
            tally(category_name("8")),
        );
        let percent = |rate: f64| format!("{:.1}%", 100.0 * rate);
        let list = if word_list.is_some() {
            "validation words"
        } else {
            "none"
        };
        let setting = match model.map(|model| model.weights) {
            Some(weights) => format!(
                "{} | {} | {} | {}",
                weights.ngram_for(word_list.is_some()),
                weights.symbol_bonus,
                weights.case,
                weights.unknown_word
            ),
            None => "no language model | | |".to_string(),
        };
        println!(
            "| {list} | {setting} | {width} | {} | {} | {} | {} | {} | {} |",
            percent(words.character_error_rate(false)),
            percent(words.exact_rate(false)),
            percent(mixed.exact_rate(false)),
            percent(unseen.exact_rate(false)),
            percent(lines.character_error_rate(false)),
            percent(lines.word_error_rate(false)),
        );
        anyhow::Ok(())
    };
    println!(
        "| word list | weight | bonus | case weight | unknown word | beam width | words: CER \
         | exact | mixed-style: exact | unseen words: exact | lines: CER | WER |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let width = BeamOptions::default().width;
    row(None, None, width)?;
    let mut model = learn(
        &LanguageModelSection {
            history: HISTORY,
            ..chosen.clone()
        },
        train,
    )?;
    for ngram in WEIGHTS {
        for symbol_bonus in BONUSES {
            for case in CASE_WEIGHTS {
                model.weights = LanguageModelWeights {
                    ngram,
                    symbol_bonus,
                    case,
                    ..chosen.weights()?
                };
                row(Some(&model), None, width)?;
            }
        }
    }
    for unknown_word in UNKNOWN_WORD_PENALTIES {
        model.weights = LanguageModelWeights {
            unknown_word,
            ..chosen.weights()?
        };
        row(Some(&model), None, width)?;
    }
    model.weights = chosen.weights()?;
    for width in WIDTHS {
        row(Some(&model), None, width)?;
    }
    for ngram_with_word_list in WEIGHTS_WITH_WORD_LIST {
        model.weights = LanguageModelWeights {
            ngram_with_word_list,
            ..chosen.weights()?
        };
        row(Some(&model), Some(&validation_words), width)?;
    }
    Ok(())
}
