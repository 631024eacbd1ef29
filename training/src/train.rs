//! Fitting the network with burn-train's `Learner`: validation split, checkpoints every epoch,
//! resume after an interruption (to the same result as an uninterrupted run), early stopping
//! on validation loss.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use burn::data::dataloader::DataLoaderBuilder;
use burn::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::lr_scheduler::linear::LinearLrSchedulerConfig;
use burn::lr_scheduler::sequential::SequentialLrSchedulerConfig;
use burn::module::Module;
use burn::optim::AdamWConfig;
use burn::store::burn_pack::Reader;
use burn::tensor::Device;
use burn::train::metric::store::{Aggregate, Direction, Split};
use burn::train::metric::{AccuracyMetric, LossMetric};
use burn::train::renderer::default_renderer;
use burn::train::{
    Learner, LearnerModel, MetricEarlyStoppingStrategy, StoppingCondition, SupervisedTraining,
};
use handwriting::{Glyph, Model, Normalization};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::clock::TrainingClock;
use crate::config::{Config, TrainingConfig};
use crate::data::Sample;
use crate::epochs::EpochLoader;
use crate::learner::{Classifier, GlyphBatcher, SampleSet};
use crate::progress::PlainProgress;

/// The run's settings as saved beside its checkpoints: a resume needs the same ones.
const RUN_CONFIG: &str = "run-config.json";

/// Trains `model` (built on an autodiff device) on the partition's training samples and
/// returns the trained network with the training's time, for the report.
/// Resumes from the newest complete checkpoint of an identical earlier run unless `fresh`.
pub fn fit(
    config: &Config,
    partition: &Partition,
    model: Model,
    fresh: bool,
) -> Result<(Model, String)> {
    let settings = &config.training;
    let run = RunDir::prepare(&config.output.artifact_dir, &run_identity(config)?, fresh)?;

    let samples = partition.samples.clone();
    let (train_indices, valid_indices) = (partition.train.clone(), partition.valid.clone());
    println!(
        "training on {} images, validating on {} held-out images",
        train_indices.len(),
        valid_indices.len()
    );
    let iterations_per_epoch = train_indices.len().div_ceil(settings.batch_size);
    let loader = |augmentation, scribbles, indices, seed, shuffle: bool| {
        let batcher = GlyphBatcher::new(
            augmentation,
            partition.zero_class,
            scribbles,
            Normalization::MNIST,
            seed,
        );
        let builder = DataLoaderBuilder::new(batcher)
            .batch_size(settings.batch_size)
            .num_workers(settings.data_workers);
        let builder = if shuffle {
            builder.shuffle(seed)
        } else {
            builder
        };
        builder.build(SampleSet::new(samples.clone(), indices))
    };
    let augmentation = config
        .augmentation
        .enabled
        .then(|| config.augmentation.clone());
    let device = device_of(&model)?;
    let train_loader = Arc::new(EpochLoader::new(settings, &run, device, |seed| {
        let scribbles = config.rejection.scribbles_per_batch;
        loader(
            augmentation.clone(),
            scribbles,
            train_indices.clone(),
            seed,
            true,
        )
    }));
    let valid_loader = loader(None, 0, valid_indices, settings.seed, false);

    let training = SupervisedTraining::new(run.path, train_loader, valid_loader)
        .metrics((AccuracyMetric::new(), LossMetric::new()));
    let trained = launch(
        training,
        Classifier { net: model },
        settings,
        &run,
        iterations_per_epoch,
    )?;
    Ok((trained.net, run.clock.describe(TRAINING_DEVICE)))
}

/// The device a network's parameters live on, where its batches must go.
pub fn device_of(network: &impl Module) -> Result<Device> {
    network
        .devices()
        .into_iter()
        .next()
        .context("the network has no parameters")
}

/// A run's folder of checkpoints, and where the run stands.
pub struct RunDir<'a> {
    pub path: &'a Path,
    /// The checkpoint's epoch, when resuming.
    pub resume_from: Option<usize>,
    /// The training's time across resumes: the epoch loader notes each epoch's start,
    /// [`launch`] the end of the last.
    pub clock: Arc<TrainingClock>,
}

impl<'a> RunDir<'a> {
    /// Readies `path` for the run `identity` describes, resuming an identical earlier run
    /// unless `fresh` (see [`prepare_artifact_dir`]), and starts its clock.
    pub fn prepare(path: &'a Path, identity: &str, fresh: bool) -> Result<Self> {
        let resume_from = prepare_artifact_dir(path, identity, fresh)?;
        let clock = Arc::new(TrainingClock::start(path, resume_from));
        Ok(Self {
            path,
            resume_from,
            clock,
        })
    }
}

/// Runs burn-train's loop on `model`, as every model of this crate trains: AdamW with
/// [`learning_rate_schedule`] over `schedule`'s epochs, checkpoints every epoch in the run's
/// folder, early stopping on the validation loss, the progress display (burn-train's terminal
/// UI where there is a terminal; plain lines in logs and CI), resuming where the run stands.
/// Returns the trained model.
pub fn launch<M: LearnerModel>(
    training: SupervisedTraining<M>,
    model: M,
    schedule: &TrainingConfig,
    run: &RunDir,
    iterations_per_epoch: usize,
) -> Result<M> {
    let scheduler = learning_rate_schedule(
        schedule.learning_rate,
        iterations_per_epoch,
        schedule.epochs,
    )?;
    let optimizer = AdamWConfig::new()
        .with_weight_decay(schedule.weight_decay)
        .init();
    let training = with_run_settings(training, schedule, run);
    let trained = training
        .launch(Learner::new(model, optimizer, scheduler))
        .model;
    if let Some(epoch) = latest_checkpoint(run.path) {
        run.clock.note_epoch_end(epoch);
    }
    Ok(trained)
}

fn with_run_settings<M: LearnerModel>(
    training: SupervisedTraining<M>,
    schedule: &TrainingConfig,
    run: &RunDir,
) -> SupervisedTraining<M> {
    let mut training = training
        .with_default_checkpointers()
        .early_stopping(MetricEarlyStoppingStrategy::new(
            &LossMetric::new(),
            Aggregate::Mean,
            Direction::Lowest,
            Split::Valid,
            StoppingCondition::NoImprovementSince {
                n_epochs: schedule.early_stopping_patience,
            },
        ))
        .num_epochs(schedule.epochs);
    let renderer = if std::io::stdout().is_terminal() {
        default_renderer(training.interrupter(), run.resume_from)
    } else {
        Box::new(PlainProgress::default())
    };
    training = training.renderer(renderer);
    if let Some(epoch) = run.resume_from {
        println!(
            "resuming from the checkpoint of epoch {epoch} in {}",
            run.path.display()
        );
        training = training.checkpoint(epoch);
    }
    training
}

/// Linear warm-up over the first epoch, then cosine annealing to zero at the last.
fn learning_rate_schedule(
    peak: f64,
    iterations_per_epoch: usize,
    epochs: usize,
) -> Result<burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler> {
    let warmup = iterations_per_epoch.max(1);
    let total = (iterations_per_epoch * epochs).max(warmup + 1);
    SequentialLrSchedulerConfig::new(
        vec![
            LinearLrSchedulerConfig::new(peak / 100.0, peak, warmup).into(),
            CosineAnnealingLrSchedulerConfig::new(peak, total - warmup).into(),
        ],
        vec![warmup],
    )
    .init()
    .map_err(|e| anyhow::anyhow!("invalid learning-rate schedule: {e}"))
}

/// The samples to train on and those held out to validate each epoch: the data set's own
/// held-out writers where it has them, else `validation_size` random training images.
pub struct Partition {
    samples: Arc<Vec<Sample>>,
    train: Vec<usize>,
    valid: Vec<usize>,
    /// The class labelled `0`, whose training samples augmentation may slash.
    zero_class: Option<usize>,
}

impl Partition {
    pub fn new(
        config: &Config,
        train: Vec<Sample>,
        validation: Option<Vec<Sample>>,
        labels: &[String],
    ) -> Result<Self> {
        let zero_class = labels.iter().position(|label| label == "0");
        let Some(validation) = validation else {
            let (train_indices, valid_indices) = split_indices(
                train.len(),
                config.data.validation_size,
                config.training.seed,
            )?;
            return Ok(Self {
                samples: Arc::new(train),
                train: train_indices,
                valid: valid_indices,
                zero_class,
            });
        };
        anyhow::ensure!(
            !train.is_empty() && !validation.is_empty(),
            "{} training and {} validation samples: both are needed",
            train.len(),
            validation.len()
        );
        let boundary = train.len();
        let mut samples = train;
        samples.extend(validation);
        Ok(Self {
            train: (0..boundary).collect(),
            valid: (boundary..samples.len()).collect(),
            samples: Arc::new(samples),
            zero_class,
        })
    }

    pub fn train_len(&self) -> usize {
        self.train.len()
    }

    /// The mean ink of every training sample as drawn, before augmentation.
    pub fn training_inks(&self) -> Vec<f32> {
        self.train
            .iter()
            .map(|&i| Glyph::from_mnist_bytes(&self.samples[i].pixels).mean_ink())
            .collect()
    }

    /// The held-out samples, as [`fit`] validates on them.
    pub fn validation(&self) -> Vec<Sample> {
        self.valid
            .iter()
            .map(|&i| self.samples[i].clone())
            .collect()
    }
}

/// Shuffles the indices with `seed` and holds the last `validation_size` out.
fn split_indices(
    count: usize,
    validation_size: usize,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    anyhow::ensure!(
        validation_size > 0 && validation_size < count,
        "validation_size is {validation_size}, but it must be between 1 and {} (the training images less one)",
        count.saturating_sub(1)
    );
    let mut indices: Vec<usize> = (0..count).collect();
    indices.shuffle(&mut StdRng::seed_from_u64(seed));
    let valid = indices.split_off(count - validation_size);
    Ok((indices, valid))
}

/// Decides whether this run resumes: it does when the folder holds checkpoints of a run with
/// the same config. Otherwise the folder is emptied, so old logs never mix into new curves.
/// Returns the epoch to resume from.
fn prepare_artifact_dir(dir: &Path, config_json: &str, fresh: bool) -> Result<Option<usize>> {
    let config_path = dir.join(RUN_CONFIG);
    let same_run = std::fs::read_to_string(&config_path).is_ok_and(|saved| saved == config_json);
    let resume_from = if same_run && !fresh {
        latest_checkpoint(dir)
    } else {
        None
    };
    if resume_from.is_none() && dir.exists() {
        if same_run || fresh {
            println!("starting afresh in {}", dir.display());
        } else {
            println!(
                "the config changed since the last run: starting afresh in {}",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    crate::atomic::write(&config_path, config_json.as_bytes())?;
    Ok(resume_from)
}

/// What a run's checkpoints depend on, as saved beside them: only what shapes the training
/// decides whether a run can resume (where the weights and the report go afterwards does not).
fn run_identity(config: &Config) -> Result<String> {
    let run = serde_json::json!({
        "data": config.data,
        "model": config.model,
        "training": config.training,
        "augmentation": config.augmentation,
        "scribbles_per_batch": config.rejection.scribbles_per_batch,
    });
    Ok(serde_json::to_string_pretty(&run)?)
}

/// The newest epoch whose model, optimizer and scheduler checkpoints all read back.
fn latest_checkpoint(dir: &Path) -> Option<usize> {
    let checkpoints = dir.join("checkpoint");
    let mut epochs: Vec<usize> = std::fs::read_dir(&checkpoints)
        .ok()?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_prefix("model-")?
                .strip_suffix(".bpk")?
                .parse()
                .ok()
        })
        .collect();
    epochs.sort_unstable();
    let readable = |epoch: usize| {
        ["model", "optim", "scheduler"].iter().all(|kind| {
            let path: PathBuf = checkpoints.join(format!("{kind}-{epoch}.bpk"));
            Reader::from_file(&path).is_ok()
        })
    };
    epochs.into_iter().rev().find(|&epoch| readable(epoch))
}

/// Where [`training_device`] trains, for reports.
pub const TRAINING_DEVICE: &str = if cfg!(feature = "gpu") {
    "the GPU (wgpu)"
} else {
    "the CPU (Flex)"
};

/// The device training runs on: the GPU that wgpu prefers (Vulkan, Metal or DirectX 12) in a
/// build with the `gpu` feature, else Flex, the fastest pure-Rust CPU backend of Burn 0.22.
pub fn training_device(seed: u64) -> Device {
    #[cfg(feature = "gpu")]
    let device = Device::wgpu(burn::tensor::DeviceKind::DefaultDevice);
    #[cfg(not(feature = "gpu"))]
    let device = Device::flex();
    device.seed(seed);
    device.autodiff()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;

    #[test]
    fn another_network_never_resumes_from_this_ones_checkpoints() {
        let config = Config::load(Path::new(crate::config::DEFAULT_CONFIG)).unwrap();
        let mut elsewhere = config.clone();
        elsewhere.output.weights = "other.bpk".into();
        assert_eq!(
            run_identity(&config).unwrap(),
            run_identity(&elsewhere).unwrap()
        );
        let mut residual = config.clone();
        residual.model.architecture = handwriting::Architecture::Residual;
        let mut outlier_exposed = config.clone();
        outlier_exposed.rejection.scribbles_per_batch = 16;
        for other in [residual, outlier_exposed] {
            assert_ne!(
                run_identity(&config).unwrap(),
                run_identity(&other).unwrap()
            );
        }
    }

    #[test]
    fn validation_split_is_disjoint_complete_and_seeded() {
        let (train, valid) = split_indices(100, 20, 3).unwrap();
        assert_eq!((train.len(), valid.len()), (80, 20));
        let mut all: Vec<usize> = train.iter().chain(&valid).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!(split_indices(100, 20, 3).unwrap().1, valid);
        assert_ne!(split_indices(100, 20, 4).unwrap().1, valid);
        assert!(split_indices(10, 10, 0).is_err());
    }
}
