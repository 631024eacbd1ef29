//! A training data loader whose every epoch draws its randomness from the seed and the epoch's
//! number alone, so that a run resumed from a checkpoint trains exactly as one that was never
//! interrupted.
//!
//! burn-train's own loader shuffles with one random stream for the whole run, and a resumed run
//! restarts it: epoch 3 after a resume would see epoch 1's order and augmentations. Here each
//! epoch has its own loader (order and augmentation seeded by the epoch), and starting an epoch
//! reseeds the device, which draws dropout's masks.
//!
//! An epoch's start is also where the previous epoch ended: the [`TrainingClock`] notes the
//! time there, for a run that will resume from that epoch's checkpoint.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use burn::data::dataloader::{DataLoader, DataLoaderIterator};
use burn::tensor::Device;

use crate::clock::TrainingClock;
use crate::config::TrainingConfig;
use crate::train::RunDir;

/// One loader per epoch, handed out in order by [`DataLoader::iter`], which burn-train calls
/// once at the start of every training epoch.
pub struct EpochLoader<O> {
    /// Index `i` serves epoch `i + 1`.
    loaders: Vec<Arc<dyn DataLoader<O>>>,
    /// Index of the next epoch's loader; shared with the copies `to_device` and `slice` make,
    /// because burn-train iterates such a copy, not the loader it was given.
    next: Arc<AtomicUsize>,
    device: Device,
    seed: u64,
    clock: Arc<TrainingClock>,
}

impl<O> EpochLoader<O> {
    /// A loader for each of the schedule's epochs: `loader(seed)` builds one from the seed of
    /// that epoch's random streams. It starts where the run stands (after the checkpoint it
    /// resumes from) and notes each epoch's start on the run's clock.
    pub fn new(
        schedule: &TrainingConfig,
        run: &RunDir,
        device: Device,
        loader: impl Fn(u64) -> Arc<dyn DataLoader<O>>,
    ) -> Self {
        let seed = schedule.seed;
        Self {
            loaders: (1..=schedule.epochs.max(1))
                .map(|epoch| loader(epoch_seed(seed, epoch)))
                .collect(),
            next: Arc::new(AtomicUsize::new(run.resume_from.unwrap_or(0))),
            device,
            seed,
            clock: run.clock.clone(),
        }
    }

    fn map(&self, f: impl Fn(&Arc<dyn DataLoader<O>>) -> Arc<dyn DataLoader<O>>) -> Self {
        Self {
            loaders: self.loaders.iter().map(f).collect(),
            next: self.next.clone(),
            device: self.device.clone(),
            seed: self.seed,
            clock: self.clock.clone(),
        }
    }
}

/// The seed of epoch `epoch`'s random streams.
fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    seed ^ (epoch as u64).wrapping_mul(0xD1B5_4A32_D192_ED03)
}

impl<O: Send + 'static> DataLoader<O> for EpochLoader<O> {
    fn iter<'a>(&'a self) -> Box<dyn DataLoaderIterator<O> + 'a> {
        let index = self.next.fetch_add(1, Ordering::SeqCst);
        if index > 0 {
            self.clock.note_epoch_end(index);
        }
        self.device.seed(epoch_seed(self.seed, index + 1));
        // Past the configured epochs (never, in burn-train) the last order repeats.
        self.loaders[index.min(self.loaders.len() - 1)].iter()
    }

    fn num_items(&self) -> usize {
        self.loaders[0].num_items()
    }

    fn to_device(&self, device: &Device) -> Arc<dyn DataLoader<O>> {
        let mut moved = self.map(|loader| loader.to_device(device));
        moved.device = device.clone();
        Arc::new(moved)
    }

    fn slice(&self, start: usize, end: usize) -> Arc<dyn DataLoader<O>> {
        Arc::new(self.map(|loader| loader.slice(start, end)))
    }
}
