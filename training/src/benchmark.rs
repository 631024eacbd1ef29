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
    config.rejection.scribbles_per_batch = 0;
    let scratch = tempfile::tempdir()?;
    config.output.artifact_dir = scratch.path().to_path_buf();
    let mut samples = splits.train;
    let partition = match splits.validation {
        Some(validation) => {
            samples.truncate(train_images.unwrap_or(samples.len()));
            train::Partition::new(&config, samples, Some(validation), &splits.labels)?
        }
        None => {
            let held_out = config.data.validation_size;
            samples.truncate(train_images.map_or(samples.len(), |count| count + held_out));
            train::Partition::new(&config, samples, None, &splits.labels)?
        }
    };
    let train_images = partition.train_len();
    let valid_images = partition.validation().len();
    let device = train::training_device(config.training.seed);
    let model = config.model_metadata(splits.labels).init_model(&device);
    let started = Instant::now();
    train::fit(&config, &partition, model, true)?;
    Ok(EpochTiming {
        train_images,
        valid_images,
        seconds: started.elapsed().as_secs_f64(),
    })
}
