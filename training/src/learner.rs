//! What burn-train needs around the library's network: a training wrapper, the data set views
//! and the batcher that augments and normalises.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::{Dataset, DatasetError};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::{ClassificationOutput, InferenceStep, TrainOutput, TrainStep};
use handwriting::model::input_shape;
use handwriting::{GLYPH_PIXELS, Model, Normalization};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::augment::AugmentConfig;
use crate::data::Sample;

/// The library's [`Model`] with a classification loss, as burn-train's `Learner` drives it.
#[derive(Module, Debug)]
pub struct Classifier {
    pub net: Model,
}

/// A batch of normalised images and their classes.
#[derive(Debug, Clone)]
pub struct GlyphBatch {
    pub images: Tensor<4>,
    pub targets: Tensor<1, Int>,
}

impl Classifier {
    fn forward_classification(&self, batch: GlyphBatch) -> ClassificationOutput {
        let output = self.net.forward(batch.images);
        let loss = CrossEntropyLossConfig::new()
            .init(&output.device())
            .forward(output.clone(), batch.targets.clone());
        ClassificationOutput::new(loss, output, batch.targets)
    }
}

impl TrainStep for Classifier {
    type Input = GlyphBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: GlyphBatch) -> TrainOutput<ClassificationOutput> {
        let item = self.forward_classification(batch);
        TrainOutput::new(self, item.loss.backward(), item)
    }
}

impl InferenceStep for Classifier {
    type Input = GlyphBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: GlyphBatch) -> ClassificationOutput {
        self.forward_classification(batch)
    }
}

/// A view of some samples of a shared set, by index: how the validation split is carved out
/// of the training images without copying them.
pub struct SampleSet {
    samples: Arc<Vec<Sample>>,
    indices: Vec<usize>,
}

impl SampleSet {
    pub fn new(samples: Arc<Vec<Sample>>, indices: Vec<usize>) -> Self {
        Self { samples, indices }
    }
}

impl Dataset<Sample> for SampleSet {
    fn get(&self, index: usize) -> Result<Sample, DatasetError> {
        Ok(self.samples[self.indices[index]].clone())
    }

    fn len(&self) -> usize {
        self.indices.len()
    }
}

/// Turns samples into a [`GlyphBatch`], distorting each image first when augmentation is on.
pub struct GlyphBatcher {
    augmentation: Option<AugmentConfig>,
    normalization: Normalization,
    seed: u64,
    /// Counts batches so that each gets its own random stream from one seed.
    batches: AtomicU64,
}

impl GlyphBatcher {
    pub fn new(
        augmentation: Option<AugmentConfig>,
        normalization: Normalization,
        seed: u64,
    ) -> Self {
        Self {
            augmentation,
            normalization,
            seed,
            batches: AtomicU64::new(0),
        }
    }
}

impl Batcher<Sample, GlyphBatch> for GlyphBatcher {
    fn batch(&self, samples: Vec<Sample>, device: &Device) -> GlyphBatch {
        let batch_number = self.batches.fetch_add(1, Ordering::Relaxed);
        let mut rng =
            StdRng::seed_from_u64(self.seed ^ batch_number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut pixels = Vec::with_capacity(samples.len() * GLYPH_PIXELS);
        for sample in &samples {
            let intensities = match &self.augmentation {
                Some(augmentation) => augmentation.apply(&sample.pixels, &mut rng),
                None => sample.pixels.map(|p| f32::from(p) / 255.0),
            };
            self.normalization.extend(&intensities, &mut pixels);
        }
        let targets: Vec<i64> = samples.iter().map(|s| s.class as i64).collect();
        GlyphBatch {
            images: Tensor::from_data(TensorData::new(pixels, input_shape(samples.len())), device),
            targets: Tensor::from_data(TensorData::new(targets, [samples.len()]), device),
        }
    }
}
