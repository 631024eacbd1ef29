//! The `lines` commands: train the line model, evaluate it, read files with it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Device;
use handwriting::ctc::{BeamOptions, LanguageModel, WordList};
use handwriting::lines::{
    Decoding, LineMetadata, LineReader, decode_line, encode_line, line_from_raster,
};
use handwriting::{CpuBackend, LineNet};
use serde_json::json;

use super::config::LinesConfig;
use super::data::{self, LineSplits};
use super::evaluate::{self, ALL_WORDS, LineEvaluation, Spelling};
use super::learner::LineTrainer;
use super::{fit, language, printed, report, synthetic};
use crate::config::repository_root;
use crate::fetch::sha256_hex;
use crate::{atomic, characters, history, predict, train};

/// The data set name written into the weights.
const DATASET: &str = "unipen-lines";

/// Reads UNIPEN's words and lines, unpacking the shared archive first if needed.
pub fn load(config: &LinesConfig) -> Result<LineSplits> {
    data::load(
        &unipen_root(config)?,
        &config.data.categories,
        config.data.max_text_length,
    )
}

fn unipen_root(config: &LinesConfig) -> Result<PathBuf> {
    characters::locate(&config.data.dir, &repository_root())
}

/// Trains (or resumes), evaluates on the test writers, and writes the weights the page loads
/// and the report. With `init_from`, training starts from that weights file (a finished run's,
/// to train it further with a new schedule) instead of random weights.
pub fn train(config: &LinesConfig, fresh: bool, init_from: Option<&Path>) -> Result<()> {
    let mut splits = load(config)?;
    let language_model = language::learn(&config.language_model, &splits.train)?;
    let training_words = evaluate::vocabulary(&splits.train, Spelling::LowerCase)?;
    let composed = synthetic::compose(
        &splits.train,
        &config.synthetic_lines,
        config.data.max_text_length,
        config.training.seed,
    );
    println!(
        "{} lines composed of training writers' words added to training",
        composed.len()
    );
    splits.facts.push((
        "synthetic lines (training only)".to_string(),
        format!("{} of 2 to 4 words by one training writer", composed.len()),
    ));
    splits.train.extend(composed);
    let printed = printed::print(
        &unipen_root(config)?,
        &splits.train,
        config.synthetic_lines.printed_words,
        config.data.max_text_length,
        config.training.seed,
    )?;
    println!(
        "{} words printed in training writers' characters added to training",
        printed.len()
    );
    splits.facts.push((
        "printed words (training only)".to_string(),
        format!(
            "{} in one training writer's characters written alone",
            printed.len()
        ),
    ));
    splits.train.extend(printed);
    let mut metadata = LineMetadata::new(splits.alphabet.clone(), DATASET);
    metadata.dropout = config.model.dropout;
    metadata.citation = Some(characters::CITATION.to_string());
    println!(
        "alphabet of {} symbols: {:?}",
        metadata.classes() - 1,
        metadata.alphabet
    );
    let device = train::training_device(config.training.seed);
    let mut facts = splits.facts;
    let (network, initial_weights) = match init_from {
        Some(path) => {
            let (network, start) = start_from(path, &metadata, &device)?;
            facts.push(("started from".to_string(), start.description));
            (network, Some(start.sha256))
        }
        None => (metadata.init_network(&device), None),
    };
    println!("{} parameters", network.parameter_count());
    let (network, training_time) = fit::fit(
        config,
        &config.run_identity(initial_weights.as_deref())?,
        &metadata.symbols(),
        splits.train,
        splits.validation,
        network,
        fresh,
    )?;
    println!("trained in {training_time}");
    metadata.trained_at =
        humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let reader =
        LineReader::from_network(network.valid(), metadata, &CpuBackend::preferred().device());
    write_language_model(config, &language_model)?;
    let evaluation = evaluate_and_report(
        config,
        &reader,
        &language_model,
        &training_words,
        &splits.test,
        [("training time".to_string(), training_time)]
            .into_iter()
            .chain(facts)
            .collect(),
        Vec::new(),
    )?;
    let mut metadata = reader.metadata().clone();
    metadata.test_character_error_rate = evaluation
        .categories
        .get(ALL_WORDS)
        .and_then(|errors| errors.by_decoder.get(evaluate::DECODERS[1]))
        .map(|tally| tally.character_error_rate(false));
    let bytes = encode_line(&network.valid(), &metadata)?;
    atomic::write(&config.output.weights, &bytes)?;
    println!(
        "weights written to {} ({} bytes)",
        config.output.weights.display(),
        bytes.len()
    );
    Ok(())
}

/// The weights a run starts from, as the report and the run's identity name them.
struct Start {
    description: String,
    sha256: String,
}

/// Loads the line network of the weights file at `path` onto the training `device`, refusing
/// one whose alphabet is not the data's.
fn start_from(path: &Path, metadata: &LineMetadata, device: &Device) -> Result<(LineNet, Start)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let origin = path.display().to_string();
    let (network, initial) = decode_line(&bytes, &origin, device)?;
    if initial.alphabet != metadata.alphabet {
        bail!(
            "{origin} reads the alphabet {:?}, the data needs {:?}: start from random weights instead",
            initial.alphabet,
            metadata.alphabet
        );
    }
    println!(
        "starting from the weights in {origin} (trained {})",
        initial.trained_at
    );
    let start = Start {
        description: format!("the weights of a run finished {}", initial.trained_at),
        sha256: sha256_hex(&bytes),
    };
    Ok((network, start))
}

/// Writes the weights of epoch `epoch`'s checkpoint of the current run, as training would at
/// its end: for trying a run's network before it has finished.
pub fn export_checkpoint(config: &LinesConfig, epoch: usize) -> Result<()> {
    let splits = load(config)?;
    let mut metadata = LineMetadata::new(splits.alphabet, DATASET);
    metadata.dropout = config.model.dropout;
    metadata.citation = Some(characters::CITATION.to_string());
    let device = CpuBackend::preferred().device();
    let path = config
        .output
        .artifact_dir
        .join("checkpoint")
        .join(format!("model-{epoch}.bpk"));
    let mut trainer = LineTrainer {
        net: metadata.init_network(&device),
    };
    let mut store = BurnpackStore::from_file(&path);
    trainer
        .load_from(&mut store)
        .map_err(|e| anyhow::anyhow!("cannot read the checkpoint {}: {e}", path.display()))?;
    metadata.trained_at = format!("epoch {epoch} of an unfinished run");
    let bytes = encode_line(&trainer.net, &metadata)?;
    atomic::write(&config.output.weights, &bytes)?;
    println!(
        "epoch {epoch}'s weights written to {} ({} bytes)",
        config.output.weights.display(),
        bytes.len()
    );
    Ok(())
}

/// Evaluates the weights file on the test writers and rewrites the report, keeping what the
/// report said of these weights' training (their run's facts and losses, which only the run
/// knows; the checkpoints' logs, where they are still there, give the losses).
pub fn evaluate_command(config: &LinesConfig) -> Result<()> {
    let reader = load_reader(&config.output.weights)?;
    let language_model = language::read(&config.language_model_path())?;
    let splits = load(config)?;
    let training_words = evaluate::vocabulary(&splits.train, Spelling::LowerCase)?;
    let (trained, losses) =
        report::previous_training(&config.output.report_dir, &reader.metadata().trained_at);
    let (time, others): (Vec<_>, Vec<_>) = trained
        .into_iter()
        .partition(|(name, _)| name == "training time");
    evaluate_and_report(
        config,
        &reader,
        &language_model,
        &training_words,
        &splits.test,
        time.into_iter().chain(splits.facts).chain(others).collect(),
        losses,
    )?;
    Ok(())
}

/// Learns the language model from the training writers' texts and writes it beside the
/// weights, without training the network (its settings are not part of a run); with `sweep`,
/// prints how the validation writers read with a range of settings instead.
pub fn language_model_command(config: &LinesConfig, sweep: bool) -> Result<()> {
    let splits = load(config)?;
    if sweep {
        let reader = load_reader(&config.output.weights)?;
        return language::sweep(
            &reader,
            &config.language_model,
            &splits.train,
            &splits.validation,
        );
    }
    write_language_model(
        config,
        &language::learn(&config.language_model, &splits.train)?,
    )
}

fn write_language_model(config: &LinesConfig, model: &LanguageModel) -> Result<()> {
    let path = config.language_model_path();
    let size = language::write(model, &path)?;
    println!(
        "language model of the training writers' texts written to {} ({size} bytes)",
        path.display()
    );
    Ok(())
}

fn evaluate_and_report(
    config: &LinesConfig,
    reader: &LineReader,
    language_model: &LanguageModel,
    training_words: &WordList,
    test: &[data::LineSample],
    mut facts: Vec<(String, String)>,
    losses: Vec<(usize, f64, f64)>,
) -> Result<LineEvaluation> {
    let started = Instant::now();
    facts.push((
        report::WEIGHTS_FACT.to_string(),
        reader.metadata().trained_at.clone(),
    ));
    facts.push((
        "language model".to_string(),
        format!(
            "{} symbols of context, weight {} ({} with a word list), bonus {} a symbol, case \
             weight {}, a lexicon of {} words at {} a word it lacks, {} bytes",
            language_model.history(),
            language_model.weights.ngram,
            language_model.weights.ngram_with_word_list,
            language_model.weights.symbol_bonus,
            language_model.weights.case,
            language_model.lexicon().map_or(0, WordList::len),
            language_model.weights.unknown_word,
            language_model.to_bytes().len()
        ),
    ));
    let word_list = evaluate::vocabulary(test, Spelling::AsWritten)?;
    let evaluation = evaluate::evaluate(reader, test, language_model, &word_list, training_words)?;
    println!(
        "read {} test lines {} ways in {:.0} s",
        test.len(),
        evaluate::DECODERS.len(),
        started.elapsed().as_secs_f64()
    );
    for (category, errors) in &evaluation.categories {
        for (decoder, tally) in &errors.by_decoder {
            println!(
                "{category}, {decoder}: CER {:.2}% ({:.2}% ignoring case), exact {:.2}% ({:.2}% ignoring case), WER {:.2}%",
                100.0 * tally.character_error_rate(false),
                100.0 * tally.character_error_rate(true),
                100.0 * tally.exact_rate(false),
                100.0 * tally.exact_rate(true),
                100.0 * tally.word_error_rate(false),
            );
        }
    }
    let logged = history::read_losses(&config.output.artifact_dir);
    let losses = if logged.is_empty() { losses } else { logged };
    let files = report::write(&config.output.report_dir, &evaluation, &facts, &losses)?;
    println!(
        "report: {}",
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(evaluation)
}

fn load_reader(weights: &Path) -> Result<LineReader> {
    let bytes =
        std::fs::read(weights).with_context(|| format!("cannot read {}", weights.display()))?;
    Ok(LineReader::from_bytes(
        &bytes,
        &weights.display().to_string(),
        &CpuBackend::preferred().device(),
    )?)
}

/// Reads each image file as one written line, as the page reads (with the language model);
/// returns how many could not be read.
pub fn predict_command(config: &LinesConfig, files: &[PathBuf]) -> Result<usize> {
    let reader = load_reader(&config.output.weights)?;
    let language_model = language::read(&config.language_model_path())?;
    let decoding = Decoding::Beam(BeamOptions {
        language_model: Some(&language_model),
        ..BeamOptions::default()
    });
    Ok(predict::run(files, |raster| {
        let image = line_from_raster(raster)?;
        let reading = reader.read(&image, &decoding)?;
        let symbols: Vec<_> = reading
            .symbols
            .iter()
            .map(|s| json!({ "symbol": s.symbol, "confidence": s.confidence }))
            .collect();
        Ok(json!({ "text": reading.text, "symbols": symbols }))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_starts_only_from_weights_of_the_same_alphabet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines.bpk");
        let device = CpuBackend::preferred().device();
        let earlier = LineMetadata::new(" abc".into(), DATASET);
        let bytes = encode_line(&earlier.init_network(&device), &earlier).unwrap();
        std::fs::write(&path, &bytes).unwrap();

        let (_, start) = start_from(&path, &earlier, &device.clone().autodiff()).unwrap();
        assert_eq!(start.sha256, sha256_hex(&bytes));

        let other = LineMetadata::new(" abd".into(), DATASET);
        let error = start_from(&path, &other, &device.clone().autodiff())
            .err()
            .unwrap();
        assert!(error.to_string().contains("alphabet"), "{error}");

        let missing = dir.path().join("none.bpk");
        let error = start_from(&missing, &earlier, &device).err().unwrap();
        assert!(error.to_string().contains("cannot read"), "{error}");
    }
}
