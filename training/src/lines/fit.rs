//! Fitting the line network with burn-train's `Learner`: checkpoints every epoch, resume after
//! an interruption, early stopping on the validation loss, as the character models train.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{Context, Result};
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::module::Module;
use burn::optim::AdamWConfig;
use burn::train::metric::LossMetric;
use burn::train::metric::store::{Aggregate, Direction, Split};
use burn::train::renderer::default_renderer;
use burn::train::{Learner, MetricEarlyStoppingStrategy, StoppingCondition, SupervisedTraining};
use handwriting::LineNet;

use super::config::LinesConfig;
use super::data::LineSample;
use super::learner::{LineBatch, LineBatcher, LineOrder, LineTrainer};
use crate::epochs::{EpochLoader, epoch_seed};
use crate::progress::PlainProgress;
use crate::train::{learning_rate_schedule, prepare_artifact_dir};

/// Trains `network` (built on an autodiff device) on `train`, validating each epoch on
/// `validation`, and returns the trained network. Resumes from the newest complete
/// checkpoint of an identical earlier run unless `fresh`.
pub fn fit(
    config: &LinesConfig,
    alphabet: &[char],
    train: Vec<LineSample>,
    validation: Vec<LineSample>,
    network: LineNet,
    fresh: bool,
) -> Result<LineNet> {
    let settings = &config.training;
    let artifact_dir = &config.output.artifact_dir;
    let resume_from = prepare_artifact_dir(artifact_dir, &config.run_identity()?, fresh)?;
    println!(
        "training on {} lines, validating on {} lines of other writers",
        train.len(),
        validation.len()
    );
    let alphabet = Arc::new(alphabet.to_vec());
    let (train, validation) = (Arc::new(train), Arc::new(validation));
    let iterations_per_epoch = train.len().div_ceil(settings.batch_size);
    let loader = |augmentation, samples: &Arc<Vec<LineSample>>, seed, shuffle: bool| {
        let batcher = LineBatcher::new(augmentation, alphabet.clone(), seed);
        let order = LineOrder::new(
            samples.clone(),
            settings.batch_size,
            shuffle.then_some(seed),
        );
        let loader: Arc<dyn DataLoader<LineBatch>> = DataLoaderBuilder::new(batcher)
            .batch_size(settings.batch_size)
            .num_workers(settings.data_workers)
            .build(order);
        loader
    };
    let augmentation = config
        .augmentation
        .enabled
        .then(|| config.augmentation.clone());
    let device = network
        .devices()
        .into_iter()
        .next()
        .context("the network has no parameters")?;
    let train_loader = Arc::new(EpochLoader::new(
        settings.epochs,
        resume_from.unwrap_or(0),
        settings.seed,
        device,
        |epoch| {
            let seed = epoch_seed(settings.seed, epoch);
            loader(augmentation.clone(), &train, seed, true)
        },
    ));
    let valid_loader = loader(None, &validation, settings.seed, false);

    let mut training = SupervisedTraining::new(artifact_dir, train_loader, valid_loader)
        .metrics((LossMetric::new(),))
        .with_default_checkpointers()
        .early_stopping(MetricEarlyStoppingStrategy::new(
            &LossMetric::new(),
            Aggregate::Mean,
            Direction::Lowest,
            Split::Valid,
            StoppingCondition::NoImprovementSince {
                n_epochs: settings.early_stopping_patience,
            },
        ))
        .num_epochs(settings.epochs);
    let renderer = if std::io::stdout().is_terminal() {
        default_renderer(training.interrupter(), resume_from)
    } else {
        Box::new(PlainProgress::default())
    };
    training = training.renderer(renderer);
    if let Some(epoch) = resume_from {
        println!(
            "resuming from the checkpoint of epoch {epoch} in {}",
            artifact_dir.display()
        );
        training = training.checkpoint(epoch);
    }
    let scheduler = learning_rate_schedule(
        settings.learning_rate,
        iterations_per_epoch,
        settings.epochs,
    )?;
    let optimizer = AdamWConfig::new()
        .with_weight_decay(settings.weight_decay)
        .init();
    let result = training.launch(Learner::new(
        LineTrainer { net: network },
        optimizer,
        scheduler,
    ));
    Ok(result.model.net)
}
