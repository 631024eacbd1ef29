//! Fitting the line network with burn-train's `Learner`: checkpoints every epoch, resume after
//! an interruption, early stopping on the validation loss, as the character models train.

use std::sync::Arc;

use anyhow::Result;
use burn::data::dataloader::{DataLoader, DataLoaderBuilder};
use burn::train::SupervisedTraining;
use burn::train::metric::LossMetric;
use handwriting::LineNet;

use super::config::LinesConfig;
use super::data::LineSample;
use super::learner::{LineBatch, LineBatcher, LineOrder, LineTrainer};
use crate::clock::TrainingClock;
use crate::epochs::{EpochLoader, epoch_seed};
use crate::train::{RunSettings, TRAINING_DEVICE, device_of, launch, prepare_artifact_dir};

/// Trains `network` (built on an autodiff device) on `train`, validating each epoch on
/// `validation`, and returns the trained network with the training's time, for the report.
/// Resumes from the newest complete checkpoint of an earlier run of the same `run_identity`
/// unless `fresh`.
pub fn fit(
    config: &LinesConfig,
    run_identity: &str,
    alphabet: &[char],
    train: Vec<LineSample>,
    validation: Vec<LineSample>,
    network: LineNet,
    fresh: bool,
) -> Result<(LineNet, String)> {
    let settings = &config.training;
    let artifact_dir = &config.output.artifact_dir;
    let resume_from = prepare_artifact_dir(artifact_dir, run_identity, fresh)?;
    let clock = Arc::new(TrainingClock::start(artifact_dir, resume_from));
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
    let device = device_of(&network)?;
    let train_loader = Arc::new(EpochLoader::new(
        settings.epochs,
        resume_from.unwrap_or(0),
        settings.seed,
        device,
        clock.clone(),
        |epoch| {
            let seed = epoch_seed(settings.seed, epoch);
            loader(augmentation.clone(), &train, seed, true)
        },
    ));
    let valid_loader = loader(None, &validation, settings.seed, false);

    let training = SupervisedTraining::new(artifact_dir, train_loader, valid_loader)
        .metrics((LossMetric::new(),));
    let trained = launch(
        training,
        LineTrainer { net: network },
        RunSettings {
            epochs: settings.epochs,
            patience: settings.early_stopping_patience,
            resume_from,
            artifact_dir,
            learning_rate: settings.learning_rate,
            weight_decay: settings.weight_decay,
            iterations_per_epoch,
            clock: &clock,
        },
    )?;
    Ok((trained.net, clock.describe(TRAINING_DEVICE)))
}
