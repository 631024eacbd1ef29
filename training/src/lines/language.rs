//! The line model's language model: learnt from the training writers' texts, written beside
//! the weights for the page, read back for evaluation, its settings swept on validation
//! writers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use handwriting::ctc::{BeamOptions, LanguageModel};
use handwriting::lines::{Decoding, LineReader, PEN_WIDTH, line_from_strokes};

use super::config::LanguageModelSection;
use super::data::{LineSample, category_name};
use super::evaluate::{ALL_WORDS, BATCH, UNSEEN_WORDS, groupings, vocabulary};
use super::metrics::ErrorTally;
use crate::atomic;

/// A model of the texts of `train` (real ones: composed lines would teach it random word
/// orders), weighed as `section` says.
pub fn learn(section: &LanguageModelSection, train: &[LineSample]) -> LanguageModel {
    LanguageModel::learn(
        train.iter().map(|sample| sample.text.as_str()),
        section.history,
        section.weight,
        section.symbol_bonus,
    )
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

/// The settings [`sweep`] tries.
const HISTORIES: [usize; 2] = [3, 4];
const WEIGHTS: [f32; 4] = [0.3, 0.4, 0.5, 0.65];
const BONUSES: [f32; 4] = [1.0, 1.5, 2.0, 2.5];

/// Reads the validation writers' words and lines once with `reader`, then decodes them with a
/// language model of the training texts at each setting tried, and prints a row per setting:
/// how the settings in lines.toml were chosen, never on the test writers.
pub fn sweep(reader: &LineReader, train: &[LineSample], validation: &[LineSample]) -> Result<()> {
    let training_words = vocabulary(train)?;
    let mut read = Vec::with_capacity(validation.len());
    for batch in validation.chunks(BATCH) {
        let images = batch
            .iter()
            .map(|sample| line_from_strokes(&sample.strokes, PEN_WIDTH))
            .collect::<Result<Vec<_>, _>>()?;
        read.extend(batch.iter().zip(reader.frames_of(&images)?));
    }
    let row = |setting: &str, model: Option<&LanguageModel>| -> Result<()> {
        let decoding = Decoding::Beam(BeamOptions {
            language_model: model,
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
        let (words, unseen, lines) = (
            tally(ALL_WORDS),
            tally(UNSEEN_WORDS),
            tally(category_name("8")),
        );
        let percent = |rate: f64| format!("{:.1}%", 100.0 * rate);
        println!(
            "| {setting} | {} | {} | {} | {} | {} |",
            percent(words.character_error_rate(false)),
            percent(words.exact_rate(false)),
            percent(unseen.exact_rate(false)),
            percent(lines.character_error_rate(false)),
            percent(lines.word_error_rate(false)),
        );
        Ok(())
    };
    println!(
        "| history | weight | bonus | words: CER | exact | unseen words: exact | lines: CER | WER |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    row("no language model | |", None)?;
    let texts = || train.iter().map(|sample| sample.text.as_str());
    for history in HISTORIES {
        let learnt = LanguageModel::learn(texts(), history, 1.0, 0.0);
        for (weight, bonus) in WEIGHTS.into_iter().flat_map(|w| BONUSES.map(|b| (w, b))) {
            let mut model = learnt.clone();
            (model.weight, model.symbol_bonus) = (weight, bonus);
            row(&format!("{history} | {weight} | {bonus}"), Some(&model))?;
        }
    }
    Ok(())
}
