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
use crate::epochs::EpochLoader;
use crate::train::{RunDir, TRAINING_DEVICE, device_of, launch};

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
    let run = RunDir::prepare(&config.output.artifact_dir, run_identity, fresh)?;
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
    let train_loader = Arc::new(EpochLoader::new(settings, &run, device, |seed| {
        loader(augmentation.clone(), &train, seed, true)
    }));
    let valid_loader = loader(None, &validation, settings.seed, false);

    let training =
        SupervisedTraining::new(run.path, train_loader, valid_loader).metrics((LossMetric::new(),));
    let network = LineTrainer { net: network };
    let trained = launch(training, network, settings, &run, iterations_per_epoch)?;
    Ok((trained.net, run.clock.describe(TRAINING_DEVICE)))
}
