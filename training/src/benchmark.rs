//! `training benchmark`: one epoch of training exactly as `train` runs it (burn-train's
//! `Learner`, the configured batcher, workers and augmentation, validation and checkpoint
//! included; no scribbles), timed, for the comparison with PyTorch in `bench/training/`.

use std::time::Instant;

use anyhow::Result;

use crate::config::Config;
use crate::data::Splits;
use crate::train;

/// How long one epoch took.
#[derive(Debug)]
pub struct EpochTiming {
    pub train_images: usize,
    pub valid_images: usize,
    pub seconds: f64,
}

/// Trains a fresh network for one epoch on the first `train_images` training images (all of
/// them when `None`) plus the validation images, in a temporary folder: nothing else is
/// written.
pub fn one_epoch(
    config: &Config,
    splits: Splits,
    train_images: Option<usize>,
) -> Result<EpochTiming> {
    let mut config = config.clone();
    config.training.epochs = 1;
    // The PyTorch peer trains on the characters alone.
    config.training.scribbles_per_batch = 0;
    let scratch = tempfile::tempdir()?;
    config.output.artifact_dir = scratch.path().to_path_buf();
    let valid_images = config.data.validation_size;
    let mut samples = splits.train;
    if let Some(count) = train_images {
        samples.truncate(count + valid_images);
    }
    let train_images = samples.len().saturating_sub(valid_images);
    let device = train::training_device(config.training.seed);
    let model = config.model_metadata(splits.labels).init_model(&device);
    let started = Instant::now();
    train::fit(&config, samples, model, true)?;
    Ok(EpochTiming {
        train_images,
        valid_images,
        seconds: started.elapsed().as_secs_f64(),
    })
}
