//! `training`: fetch the data, train the network, evaluate it and write the weights the page
//! loads. `cargo run -p training --release -- --help` lists the commands and flags.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use handwriting::{Architecture, CpuBackend, ModelMetadata, Recognizer, weights};

use training::characters::Split;
use training::config::{Config, ConfigFile, DEFAULT_CONFIG};
use training::data::{self, DatasetKind, Sample};
use training::fixtures::Counts;
use training::lines::{
    self,
    config::{LINES_CONFIG, LinesConfig},
};
use training::report::{self, Report};
use training::{
    atomic, categories, characters, evaluate, fetch, history, manifest, predict, rejection, tfjs,
    train,
};

// Flex allocates and frees many short-lived buffers per step; mimalloc measured 1.6× faster
// than glibc's malloc for training here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(version, about = "Train, evaluate and try the handwriting recognizer")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    overrides: Overrides,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch the data if needed, train, evaluate on the test split, write weights and report
    /// (the default).
    Train(TrainArgs),
    /// Evaluate a weights file on the test split and write the report.
    Evaluate,
    /// Recalibrate a weights file's rejection threshold on the validation split (training
    /// does this itself), measure its test accuracy again and rewrite the file.
    Calibrate,
    /// Recognise PNG or JPEG images (any size, dark ink on light or light on dark), one JSON
    /// line per file.
    Predict {
        /// Image files to recognise.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Time one epoch of training as `train` runs it, writing nothing (the comparison with
    /// PyTorch in bench/training/ runs this).
    Benchmark {
        /// Train on this many training images instead of all of them.
        #[arg(long, value_name = "COUNT")]
        train_images: Option<usize>,
    },
    /// Write test drawings from UNIPEN's test writers (never trained on): digits alone,
    /// five-letter words composed from one writer's letters, and cursive words as written, as
    /// JSON strokes for the tests.
    Fixtures {
        /// Folder to write digits.json, words.json and cursive.json into.
        #[arg(long, value_name = "DIR", default_value = "tests/fixtures/unipen")]
        out: PathBuf,
        /// How many digits to write.
        #[arg(long, default_value_t = 300)]
        digits: usize,
        /// How many printed words to write (the 40 of the word list, then again with other
        /// writers' letters).
        #[arg(long, default_value_t = 40)]
        printed: usize,
        /// How many cursive words to write.
        #[arg(long, default_value_t = 60)]
        cursive: usize,
        /// Whose handwriting: the test writers', or the validation writers' (to tune on).
        #[arg(long, value_enum, default_value_t = Split::Test)]
        writers: Split,
    },
    /// Choose the margin of the page's "auto" reading: read printed and cursive words of
    /// validation writers (`fixtures --writers validation`) with the characters model and the
    /// line model, and print how many each margin reads exactly right.
    AutoMargin {
        /// Folder with words.json and cursive.json of validation writers.
        #[arg(long, value_name = "DIR", default_value = "target/fixtures/validation")]
        fixtures: PathBuf,
        /// The characters model.
        #[arg(
            long,
            value_name = "WEIGHTS",
            default_value = "www/models/characters.bpk"
        )]
        characters: PathBuf,
        /// The line model.
        #[arg(long, value_name = "WEIGHTS", default_value = "www/models/lines.bpk")]
        lines: PathBuf,
    },
    /// The line model (words and lines, joined-up or printed, read by CTC): train it (the
    /// default), or evaluate it. Its config is training/lines.toml unless --config names another.
    Lines {
        #[command(subcommand)]
        command: Option<LinesCommand>,
    },
    /// Write a weights file as a TensorFlow.js layers model (model.json + weights.bin), for
    /// the browser benchmark in bench/.
    ExportTfjs {
        /// Folder to write model.json and weights.bin into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum LinesCommand {
    /// Read UNIPEN's words and lines, train or resume, and write the weights (the default).
    Train(TrainArgs),
    /// Read the test writers' words and lines with the weights file and write the report.
    Evaluate,
    /// Learn the language model from the training writers' texts and write it beside the
    /// weights (lines.lm), as training does at its end.
    LanguageModel {
        /// Instead, print how the validation writers read with each of a range of settings
        /// (with the weights file), to choose [language_model] in lines.toml.
        #[arg(long)]
        sweep: bool,
    },
    /// Write the weights of an epoch's checkpoint of the current run (to try an unfinished run).
    Export {
        /// The epoch whose checkpoint to write.
        #[arg(long)]
        epoch: usize,
    },
    /// Read PNG or JPEG images of one written line each, one JSON line per file.
    Predict {
        /// Image files to read.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// How a training run starts, for every model.
#[derive(Args, Default)]
struct TrainArgs {
    /// Ignore checkpoints of an earlier identical run instead of resuming from them.
    #[arg(long)]
    fresh: bool,
    /// Start from these weights instead of random ones, e.g. to train a finished run further
    /// (with --epochs and --learning-rate for the new schedule). A character model takes all
    /// of them when the labels match, the feature layers only otherwise (e.g. from digits to
    /// an EMNIST model).
    #[arg(long, value_name = "WEIGHTS")]
    init_from: Option<PathBuf>,
}

/// Flags that override `training/config.toml`.
#[derive(Args)]
struct Overrides {
    /// The config file.
    #[arg(long, global = true, default_value = DEFAULT_CONFIG)]
    config: PathBuf,
    /// Data set: mnist, mnist-unipen-digits, unipen-characters, mnist-unipen-characters, emnist-balanced, emnist-letters, emnist-digits or emnist-byclass.
    #[arg(long, global = true)]
    dataset: Option<DatasetKind>,
    /// Folder with the data set (for the mnist-unipen-* sets, the folder holding mnist/ and unipen/).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Weights file to write (train) or read (evaluate, predict).
    #[arg(long, global = true)]
    weights: Option<PathBuf>,
    /// Folder for report.md, report.json and the pictures.
    #[arg(long, global = true)]
    report_dir: Option<PathBuf>,
    /// Folder for checkpoints and training logs.
    #[arg(long, global = true)]
    artifact_dir: Option<PathBuf>,
    /// Network to train: vgg-gap, vgg-gap-wide or residual.
    #[arg(long, global = true)]
    architecture: Option<Architecture>,
    /// Passes over the training images.
    #[arg(long, global = true)]
    epochs: Option<usize>,
    /// Images per optimisation step.
    #[arg(long, global = true)]
    batch_size: Option<usize>,
    /// Peak learning rate (after the one-epoch warm-up).
    #[arg(long, global = true)]
    learning_rate: Option<f64>,
    /// Seed of the validation split, shuffling, initial weights and augmentation.
    #[arg(long, global = true)]
    seed: Option<u64>,
    /// Train without data augmentation.
    #[arg(long, global = true)]
    no_augmentation: bool,
}

impl Overrides {
    fn apply(self) -> Result<Config> {
        let mut config: Config = self.load(&self.config)?;
        config.data.dataset = self.dataset.unwrap_or(config.data.dataset);
        config.model.architecture = self.architecture.unwrap_or(config.model.architecture);
        Ok(config)
    }

    /// training/lines.toml (or the config named) with the flags that apply to the line model;
    /// the character models' own flags are refused rather than ignored.
    fn apply_to_lines(self) -> Result<LinesConfig> {
        if self.dataset.is_some() || self.architecture.is_some() {
            bail!(
                "--dataset and --architecture choose a character model; the line model has one data set and one network"
            );
        }
        if self.config == Path::new(DEFAULT_CONFIG) {
            self.load(Path::new(LINES_CONFIG))
        } else {
            self.load(&self.config)
        }
    }

    /// A config file with the flags that every model's config has.
    fn load<T: ConfigFile>(&self, path: &Path) -> Result<T> {
        let mut config = T::load(path)?;
        let (data_dir, output) = config.paths();
        let set = |target: &mut PathBuf, value: &Option<PathBuf>| {
            if let Some(value) = value {
                *target = value.clone();
            }
        };
        set(data_dir, &self.data_dir);
        set(&mut output.weights, &self.weights);
        set(&mut output.report_dir, &self.report_dir);
        set(&mut output.artifact_dir, &self.artifact_dir);
        let training = config.training();
        training.epochs = self.epochs.unwrap_or(training.epochs);
        training.batch_size = self.batch_size.unwrap_or(training.batch_size);
        training.learning_rate = self.learning_rate.unwrap_or(training.learning_rate);
        training.seed = self.seed.unwrap_or(training.seed);
        *config.augmenting() &= !self.no_augmentation;
        Ok(config)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Lines { command }) = cli.command {
        return report_outcome(
            cli.overrides
                .apply_to_lines()
                .and_then(|config| lines_command(&config, command)),
        );
    }
    let outcome = cli.overrides.apply().and_then(|config| match cli.command {
        None => train_command(&config, TrainArgs::default()),
        Some(Command::Train(args)) => train_command(&config, args),
        Some(Command::Evaluate) => evaluate_command(&config),
        Some(Command::Calibrate) => calibrate_command(&config),
        Some(Command::Predict { files }) => predict_command(&config, &files),
        Some(Command::Benchmark { train_images }) => benchmark_command(&config, train_images),
        Some(Command::ExportTfjs { out }) => export_tfjs_command(&config, &out),
        Some(Command::Fixtures {
            out,
            digits,
            printed,
            cursive,
            writers,
        }) => {
            let counts = Counts {
                digits,
                printed,
                cursive,
            };
            let root = (config.data.dataset.unipen_dir(&config.data.dir))
                .context("fixtures are drawn from UNIPEN's characters: use a data set of them")
                .and_then(|unipen| {
                    characters::locate(&unipen, &training::config::repository_root())
                });
            root.and_then(|root| {
                training::fixtures::write(&root, &out, counts, config.training.seed, writers)
            })
            .map(|()| ExitCode::SUCCESS)
        }
        Some(Command::AutoMargin {
            fixtures,
            characters,
            lines,
        }) => {
            training::auto_margin::sweep(&fixtures, &characters, &lines).map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Lines { .. }) => unreachable!("handled above"),
    });
    report_outcome(outcome)
}

fn report_outcome(outcome: Result<ExitCode>) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The line model's commands.
fn lines_command(config: &LinesConfig, command: Option<LinesCommand>) -> Result<ExitCode> {
    match command.unwrap_or(LinesCommand::Train(TrainArgs::default())) {
        LinesCommand::Train(args) => {
            lines::run::train(config, args.fresh, args.init_from.as_deref())?
        }
        LinesCommand::Evaluate => lines::run::evaluate_command(config)?,
        LinesCommand::LanguageModel { sweep } => lines::run::language_model_command(config, sweep)?,
        LinesCommand::Export { epoch } => lines::run::export_checkpoint(config, epoch)?,
        LinesCommand::Predict { files } => {
            if lines::run::predict_command(config, &files)? > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load_data(config: &Config) -> Result<data::Splits> {
    if let Some(mnist) = config.data.dataset.mnist_dir(&config.data.dir) {
        fetch::ensure_mnist(&mnist)?;
    }
    data::load(config.data.dataset, &config.data.dir)
}

fn train_command(config: &Config, args: TrainArgs) -> Result<ExitCode> {
    let splits = load_data(config)?;
    let device = train::training_device(config.training.seed);
    let metadata = config.model_metadata(splits.labels.clone());
    let model = match &args.init_from {
        Some(path) => {
            println!("starting from the weights in {}", path.display());
            weights::init_from(
                &read_file(path)?,
                &path.display().to_string(),
                &metadata,
                &device,
            )?
        }
        None => metadata.init_model(&device),
    };
    println!("{} parameters", model.parameter_count());
    let partition = train::Partition::new(config, splits.train, splits.validation, &splits.labels)?;
    let (model, training_time) = train::fit(config, &partition, model, args.fresh)?;

    let recognizer = calibrated(
        as_written(Recognizer::from_model(
            model,
            metadata,
            &CpuBackend::preferred().device(),
        ))?,
        &partition,
        config,
    )?;
    let evaluation = evaluate::evaluate(&recognizer, &splits.test)?;
    let mut metadata = recognizer.metadata().clone();
    metadata.test_accuracy = Some(evaluation.confusion.accuracy());
    metadata.trained_at =
        humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let (size, manifest) = write_weights(config, &recognizer, &metadata)?;
    println!(
        "test accuracy {:.2}%, weights written to {} ({size} bytes), listed in {}",
        100.0 * evaluation.confusion.accuracy(),
        config.output.weights.display(),
        manifest.display()
    );
    write_report(
        config,
        &recognizer,
        &metadata,
        &evaluation,
        &history::read(&config.output.artifact_dir),
        [("training time".to_string(), training_time)]
            .into_iter()
            .chain(splits.split_facts.clone())
            .collect(),
    )?;
    write_category_report(config, &recognizer, &evaluation, &splits.test)?;
    Ok(ExitCode::SUCCESS)
}

/// For the characters model: the three accuracies per category and the most confused pairs,
/// printed and added to the report.
fn write_category_report(
    config: &Config,
    recognizer: &Recognizer,
    evaluation: &evaluate::Evaluation,
    test: &[Sample],
) -> Result<()> {
    if !config.data.dataset.is_characters() {
        return Ok(());
    }
    let scores = categories::score(recognizer, test)?;
    let confused = categories::most_confused(
        evaluation.confusion.counts(),
        &recognizer.metadata().labels,
        30,
    );
    let text = categories::markdown(&scores, &confused);
    println!("{text}");
    let dir = &config.output.report_dir;
    let markdown = dir.join("report.md");
    let mut report = std::fs::read_to_string(&markdown)
        .with_context(|| format!("cannot read {}", markdown.display()))?;
    report.push('\n');
    report.push_str(&text);
    std::fs::write(&markdown, report)
        .with_context(|| format!("cannot write {}", markdown.display()))?;
    let bars: Vec<(String, u64)> = confused
        .iter()
        .map(|pair| (format!("{}  →  {}", pair.truth, pair.read_as), pair.count))
        .collect();
    report::draw_confused_pairs(
        &dir.join("confused-pairs.png"),
        "the 30 most frequent confusions (written → read as), test writers",
        &bars,
    )?;
    let json = serde_json::json!({ "per_category": scores, "most_confused": confused });
    let path = dir.join("categories.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes `recognizer`'s network with `metadata` to the weights file the page loads (whole or
/// not at all) and lists it in the manifest beside it: the file's size and the manifest's path.
fn write_weights(
    config: &Config,
    recognizer: &Recognizer,
    metadata: &ModelMetadata,
) -> Result<(usize, PathBuf)> {
    let bytes = weights::encode(recognizer.model(), metadata)?;
    atomic::write(&config.output.weights, &bytes)?;
    let manifest = manifest::record(&config.output.weights, metadata)?;
    Ok((bytes.len(), manifest))
}

/// The recognizer as its weights file will hold it (int8 weights, see `weights::encode`),
/// so that its threshold and test accuracy are those of the network the page loads.
fn as_written(recognizer: Recognizer) -> Result<Recognizer> {
    let bytes = weights::encode(recognizer.model(), recognizer.metadata())?;
    Ok(Recognizer::from_bytes(
        &bytes,
        "the weights about to be written",
        recognizer.device(),
    )?)
}

/// The recognizer with its rejection threshold calibrated on the held-out samples and its ink
/// range taken from the training samples.
fn calibrated(
    recognizer: Recognizer,
    partition: &train::Partition,
    config: &Config,
) -> Result<Recognizer> {
    let scores = evaluate::evaluate(&recognizer, &partition.validation())?.scores;
    let target = config.rejection.target_accuracy;
    let mut metadata = recognizer.metadata().clone();
    metadata.rejection_threshold = rejection::calibrate(&scores, target);
    metadata.ink_range = rejection::ink_range(partition.training_inks());
    let kept = rejection::selective(&scores, &metadata);
    println!(
        "rejection threshold {:.4}, mean ink {:?}: keeps {:.2}% of the validation images at {:.2}% accuracy (target {:.2}%)",
        metadata.rejection_threshold,
        metadata.ink_range,
        100.0 * kept.coverage,
        100.0 * kept.accuracy,
        100.0 * target
    );
    Ok(Recognizer::from_model(
        recognizer.model().clone(),
        metadata,
        recognizer.device(),
    ))
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read the weights file {}", path.display()))
}

fn load_recognizer(config: &Config) -> Result<Recognizer> {
    let path = &config.output.weights;
    let bytes = read_file(path)?;
    Ok(Recognizer::from_bytes(
        &bytes,
        &path.display().to_string(),
        &CpuBackend::preferred().device(),
    )?)
}

/// The weights to evaluate or calibrate and the data set they were trained on.
fn load_matching(config: &Config) -> Result<(Recognizer, data::Splits)> {
    let recognizer = load_recognizer(config)?;
    let splits = load_data(config)?;
    let metadata = recognizer.metadata();
    anyhow::ensure!(
        metadata.labels == splits.labels,
        "{} was trained on {} with labels {:?}, but {} has labels {:?}",
        config.output.weights.display(),
        metadata.dataset,
        metadata.labels,
        config.data.dataset,
        splits.labels
    );
    Ok((recognizer, splits))
}

fn calibrate_command(config: &Config) -> Result<ExitCode> {
    let (recognizer, splits) = load_matching(config)?;
    let partition = train::Partition::new(config, splits.train, splits.validation, &splits.labels)?;
    let recognizer = calibrated(as_written(recognizer)?, &partition, config)?;
    // The file may have been written in an earlier format (float16): its recorded test
    // accuracy, shown in the page's model menu, is measured again on the network as rewritten.
    let accuracy = evaluate::evaluate(&recognizer, &splits.test)?
        .confusion
        .accuracy();
    let mut metadata = recognizer.metadata().clone();
    metadata.test_accuracy = Some(accuracy);
    let (_, manifest) = write_weights(config, &recognizer, &metadata)?;
    println!(
        "threshold and test accuracy {:.2}% written to {}, listed in {}",
        100.0 * accuracy,
        config.output.weights.display(),
        manifest.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn evaluate_command(config: &Config) -> Result<ExitCode> {
    let (recognizer, splits) = load_matching(config)?;
    let metadata = recognizer.metadata().clone();
    let evaluation = evaluate::evaluate(&recognizer, &splits.test)?;
    println!(
        "test accuracy {:.2}% ({} of {})",
        100.0 * evaluation.confusion.accuracy(),
        evaluation.confusion.correct(),
        evaluation.confusion.total()
    );
    write_report(
        config,
        &recognizer,
        &metadata,
        &evaluation,
        &[],
        splits.split_facts.clone(),
    )?;
    write_category_report(config, &recognizer, &evaluation, &splits.test)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the evaluation report; `extra_facts` follow the facts every report has.
fn write_report(
    config: &Config,
    recognizer: &Recognizer,
    metadata: &ModelMetadata,
    evaluation: &evaluate::Evaluation,
    history: &[report::EpochMetrics],
    extra_facts: Vec<(String, String)>,
) -> Result<()> {
    let weights = &config.output.weights;
    let size = std::fs::metadata(weights).map_or(0, |m| m.len());
    // Paths inside the repository are shown relative to it: the report is committed.
    let shown = weights
        .strip_prefix(training::config::repository_root())
        .unwrap_or(weights);
    let mut facts = vec![
        ("weights file".to_string(), shown.display().to_string()),
        ("weights size".to_string(), format!("{size} bytes")),
        (
            "network".to_string(),
            recognizer.model().architecture().to_string(),
        ),
        (
            "parameters".to_string(),
            recognizer.model().parameter_count().to_string(),
        ),
        ("trained at".to_string(), metadata.trained_at.clone()),
    ];
    facts.extend(extra_facts);
    facts.extend(rejection::facts(recognizer, &evaluation.scores)?);
    let title = format!(
        "{} model on the {} test set",
        config
            .output
            .weights
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy(),
        metadata.dataset
    );
    let written = report::write_report(
        &config.output.report_dir,
        &Report {
            title: &title,
            labels: &metadata.labels,
            confusion: &evaluation.confusion,
            history,
            misclassified: &evaluation.misclassified,
            facts: &facts,
        },
    )?;
    println!(
        "report written: {}",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn benchmark_command(config: &Config, train_images: Option<usize>) -> Result<ExitCode> {
    let timing = training::benchmark::one_epoch(config, load_data(config)?, train_images)?;
    println!(
        "epoch: {} training + {} validation images in {:.2} s: {:.1} training images/s",
        timing.train_images,
        timing.valid_images,
        timing.seconds,
        timing.train_images as f64 / timing.seconds
    );
    Ok(ExitCode::SUCCESS)
}

fn predict_command(config: &Config, files: &[PathBuf]) -> Result<ExitCode> {
    let recognizer = load_recognizer(config)?;
    let failures = predict::run(files, |raster| predict::character(&recognizer, raster));
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn export_tfjs_command(config: &Config, out: &Path) -> Result<ExitCode> {
    let recognizer = load_recognizer(config)?;
    tfjs::write(
        &tfjs::export(recognizer.model(), recognizer.metadata())?,
        out,
    )?;
    println!(
        "{} written as a TF.js layers model to {}",
        config.output.weights.display(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
