//! What burn-train needs around the library's network: a training wrapper, the data set views
//! and the batcher that augments and normalises.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::{Dataset, DatasetError};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::{ClassificationOutput, InferenceStep, TrainOutput, TrainStep};
use handwriting::model::input_shape;
use handwriting::{GLYPH_PIXELS, Model, Normalization, glyph_from_strokes};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::augment::AugmentConfig;
use crate::data::Sample;
use crate::outliers;
use crate::slash::{slash_pixels, slash_strokes};

/// Weight of the scribbles' loss beside the characters', as in the outlier exposure paper
/// (Hendrycks et al., 2019).
const SCRIBBLE_LOSS_WEIGHT: f32 = 0.5;

/// The library's [`Model`] with a classification loss, as burn-train's `Learner` drives it.
#[derive(Module, Debug)]
pub struct Classifier {
    pub net: Model,
}

/// A batch of normalised images: characters, then any scribbles.
#[derive(Debug, Clone)]
pub struct GlyphBatch {
    pub images: Tensor<4>,
    /// The characters' classes; the images after them are scribbles.
    pub targets: Tensor<1, Int>,
}

impl Classifier {
    /// Cross-entropy on the characters, plus, for the scribbles, cross-entropy against the
    /// uniform distribution (outlier exposure): the network learns to spread its belief over
    /// every class for what is no character, which the rejection threshold then catches. The
    /// metrics see the characters alone.
    fn forward_classification(&self, batch: GlyphBatch) -> ClassificationOutput {
        let [images, ..] = batch.images.dims();
        let [characters] = batch.targets.dims();
        let output = self.net.forward(batch.images);
        let character_scores = output.clone().narrow(0, 0, characters);
        let mut loss = CrossEntropyLossConfig::new()
            .init(&output.device())
            .forward(character_scores.clone(), batch.targets.clone());
        if images > characters {
            let scribble_scores = output.narrow(0, characters, images - characters);
            let uniform_loss = -log_softmax(scribble_scores, 1).mean();
            loss = loss + uniform_loss * SCRIBBLE_LOSS_WEIGHT;
        }
        ClassificationOutput::new(loss, character_scores, batch.targets)
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

/// Turns samples into a [`GlyphBatch`], distorting each first when augmentation is on (its
/// strokes where it has them, else its image; a share of the zeros slashed),
/// and adds `scribbles` random scribbles drawn and preprocessed as the page does.
pub struct GlyphBatcher {
    augmentation: Option<AugmentConfig>,
    /// The class of the digit zero, where the data set has one: the one augmentation slashes.
    zero_class: Option<usize>,
    scribbles: usize,
    normalization: Normalization,
    seed: u64,
    /// Counts batches so that each gets its own random stream from one seed.
    batches: AtomicU64,
}

impl GlyphBatcher {
    pub fn new(
        augmentation: Option<AugmentConfig>,
        zero_class: Option<usize>,
        scribbles: usize,
        normalization: Normalization,
        seed: u64,
    ) -> Self {
        Self {
            augmentation,
            zero_class,
            scribbles,
            normalization,
            seed,
            batches: AtomicU64::new(0),
        }
    }

    /// The sample distorted (its strokes where it has them, else its image), a zero slashed
    /// now and then.
    fn distorted(
        &self,
        augmentation: &AugmentConfig,
        sample: &Sample,
        rng: &mut StdRng,
    ) -> [f32; GLYPH_PIXELS] {
        let slashed = self.zero_class == Some(sample.class)
            && rng.random::<f32>() < augmentation.slashed_zeros;
        match &sample.strokes {
            Some(strokes) => {
                let strokes = if slashed {
                    Cow::Owned(slash_strokes(strokes, rng))
                } else {
                    Cow::Borrowed(strokes.as_slice())
                };
                augmentation
                    .redraw(&strokes, rng)
                    .unwrap_or_else(|| sample.clean())
            }
            None => {
                let pixels = if slashed {
                    slash_pixels(&sample.pixels, rng)
                } else {
                    sample.pixels
                };
                augmentation.apply(&pixels, rng)
            }
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
                Some(augmentation) => self.distorted(augmentation, sample, &mut rng),
                None => sample.clean(),
            };
            self.normalization.extend(&intensities, &mut pixels);
        }
        let mut images = samples.len();
        for _ in 0..self.scribbles {
            // A tangle can land as a dot that preprocessing finds empty; it is left out.
            if let Ok(glyph) = glyph_from_strokes(&outliers::scribble(&mut rng)) {
                self.normalization.extend(glyph.intensities(), &mut pixels);
                images += 1;
            }
        }
        let targets: Vec<i64> = samples.iter().map(|s| s.class as i64).collect();
        GlyphBatch {
            images: Tensor::from_data(TensorData::new(pixels, input_shape(images)), device),
            targets: Tensor::from_data(TensorData::new(targets, [samples.len()]), device),
        }
    }
}
