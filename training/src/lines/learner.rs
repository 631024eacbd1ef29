//! What burn-train needs around the library's line network: the CTC loss, the batches of line
//! images, and an order of the lines that keeps each batch's widths alike.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::{Dataset, DatasetError};
use burn::module::Module;
use burn::nn::loss::{CTCLossConfig, Reduction};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::metric::ItemLazy;
use burn::train::metric::{Adaptor, LossInput};
use burn::train::{InferenceStep, TrainOutput, TrainStep};
use handwriting::LineNet;
use handwriting::lines::{
    FRAME_WIDTH, LINE_HEIGHT, LineImage, PEN_WIDTH, line_from_strokes, stack_images,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::config::LinesAugmentation;
use super::data::LineSample;
use super::warp::warp;
use crate::augment::ink_size;

/// The library's line network with the CTC loss, as burn-train's `Learner` drives it.
#[derive(Module, Debug)]
pub struct LineTrainer {
    pub net: LineNet,
}

/// Line images padded to the widest, and their texts as class indices (1-based: 0 is blank).
#[derive(Debug, Clone)]
pub struct LineBatch {
    pub images: Tensor<4>,
    pub targets: Tensor<2, Int>,
    pub frames: Tensor<1, Int>,
    pub target_lengths: Tensor<1, Int>,
}

/// The loss of a batch, all that the metrics need.
pub struct LineOutput {
    pub loss: Tensor<1>,
}

impl ItemLazy for LineOutput {
    fn sync(self) -> Result<Self, burn::tensor::ExecutionError> {
        self.loss.device().flush()?;
        Ok(Self {
            loss: self.loss.without_autodiff(),
        })
    }
}

impl Adaptor<LossInput> for LineOutput {
    fn adapt(&self) -> LossInput {
        LossInput::new(self.loss.clone())
    }
}

impl LineTrainer {
    /// CTC loss per line, divided by its text's length and averaged over the batch.
    fn loss(&self, batch: LineBatch) -> LineOutput {
        let scores = self.net.forward(batch.images);
        let log_probs = log_softmax(scores, 2).swap_dims(0, 1);
        let loss = CTCLossConfig::new()
            .with_blank(0)
            .with_zero_infinity(true)
            .init()
            .forward_with_reduction(
                log_probs,
                batch.targets,
                batch.frames,
                batch.target_lengths,
                Reduction::Mean,
            );
        LineOutput { loss }
    }
}

impl TrainStep for LineTrainer {
    type Input = LineBatch;
    type Output = LineOutput;

    fn step(&self, batch: LineBatch) -> TrainOutput<LineOutput> {
        let output = self.loss(batch);
        TrainOutput::new(self, output.loss.backward(), output)
    }
}

impl InferenceStep for LineTrainer {
    type Input = LineBatch;
    type Output = LineOutput;

    fn step(&self, batch: LineBatch) -> LineOutput {
        self.loss(batch)
    }
}

/// Draws lines as the page does (distorted first while training) and batches them.
pub struct LineBatcher {
    augmentation: Option<LinesAugmentation>,
    /// Class of each symbol: its place in the alphabet plus one.
    alphabet: Arc<Vec<char>>,
    seed: u64,
    batches: AtomicU64,
}

impl LineBatcher {
    pub fn new(
        augmentation: Option<LinesAugmentation>,
        alphabet: Arc<Vec<char>>,
        seed: u64,
    ) -> Self {
        Self {
            augmentation,
            alphabet,
            seed,
            batches: AtomicU64::new(0),
        }
    }

    fn draw(&self, sample: &LineSample, rng: &mut StdRng) -> LineImage {
        let clean = || line_from_strokes(&sample.strokes, PEN_WIDTH);
        let drawn = match &self.augmentation {
            Some(augmentation) => {
                let (_, height) = ink_size(&sample.strokes);
                let strokes = augmentation.strokes().distort(
                    &sample.strokes,
                    augmentation.point_jitter * height,
                    rng,
                );
                let strokes = warp(
                    &strokes,
                    augmentation.max_warp,
                    augmentation.max_baseline_wave,
                    rng,
                );
                line_from_strokes(&strokes, augmentation.pen_width(rng)).or_else(|_| clean())
            }
            None => clean(),
        };
        // The data set kept only lines with ink, so this blank line is never used in practice.
        drawn.unwrap_or_else(|_| LineImage {
            width: FRAME_WIDTH,
            ink: vec![0.0; FRAME_WIDTH * LINE_HEIGHT],
            left: 0.0,
            column_width: 1.0,
        })
    }

    fn classes(&self, text: &str) -> Vec<i64> {
        text.chars()
            .filter_map(|c| self.alphabet.iter().position(|&a| a == c))
            .map(|index| index as i64 + 1)
            .collect()
    }
}

impl Batcher<LineSample, LineBatch> for LineBatcher {
    fn batch(&self, samples: Vec<LineSample>, device: &Device) -> LineBatch {
        let batch_number = self.batches.fetch_add(1, Ordering::Relaxed);
        let mut rng =
            StdRng::seed_from_u64(self.seed ^ batch_number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let images: Vec<LineImage> = samples.iter().map(|s| self.draw(s, &mut rng)).collect();
        let frames: Vec<i64> = images.iter().map(|i| i.frames() as i64).collect();
        let images = stack_images(&images, device);
        let texts: Vec<Vec<i64>> = samples.iter().map(|s| self.classes(&s.text)).collect();
        let longest = texts.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut targets = vec![0i64; samples.len() * longest];
        for (row, text) in texts.iter().enumerate() {
            targets[row * longest..row * longest + text.len()].copy_from_slice(text);
        }
        let lengths: Vec<i64> = texts.iter().map(|t| t.len() as i64).collect();
        let count = samples.len();
        LineBatch {
            images,
            targets: Tensor::from_data(TensorData::new(targets, [count, longest]), device),
            frames: Tensor::from_data(TensorData::new(frames, [count]), device),
            target_lengths: Tensor::from_data(TensorData::new(lengths, [count]), device),
        }
    }
}

/// The lines of one epoch in batch order: shuffled, then sorted by width within pools of a
/// few dozen batches, so that each batch pads little, and the batches shuffled again.
pub struct LineOrder {
    samples: Arc<Vec<LineSample>>,
    order: Vec<usize>,
}

/// Batches whose lines are sorted together by width.
const POOL_BATCHES: usize = 50;

impl LineOrder {
    /// `shuffle_seed` `None` keeps the samples' own order (validation).
    pub fn new(
        samples: Arc<Vec<LineSample>>,
        batch_size: usize,
        shuffle_seed: Option<u64>,
    ) -> Self {
        let mut order: Vec<usize> = (0..samples.len()).collect();
        if let Some(seed) = shuffle_seed {
            let mut rng = StdRng::seed_from_u64(seed);
            order.shuffle(&mut rng);
            let batch_size = batch_size.max(1);
            for pool in order.chunks_mut(batch_size * POOL_BATCHES) {
                pool.sort_by(|&a, &b| samples[a].aspect.total_cmp(&samples[b].aspect));
            }
            let mut batches: Vec<Vec<usize>> =
                order.chunks(batch_size).map(<[usize]>::to_vec).collect();
            batches.shuffle(&mut rng);
            order = batches.concat();
        }
        Self { samples, order }
    }
}

impl Dataset<LineSample> for LineOrder {
    fn get(&self, index: usize) -> Result<LineSample, DatasetError> {
        let sample = self.order.get(index).ok_or_else(|| {
            DatasetError::new(std::io::Error::other(format!(
                "no line {index} of {}",
                self.order.len()
            )))
        })?;
        Ok(self.samples[*sample].clone())
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}
