//! The line model: reads a whole written line, joined-up or not, without cutting it into
//! characters, one frame of scores per four columns of the line image, for CTC decoding.

use burn::module::Module;
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::layers::{Conv1dBn, ConvBn};
use crate::lines::{FRAME_WIDTH, LINE_HEIGHT};

/// Channels of the sequence the context layers work on.
const CONTEXT_CHANNELS: usize = 128;
/// Rows left of the line after the feature layers' pooling (32 → 2).
const FEATURE_ROWS: usize = LINE_HEIGHT / 16;
/// Channels of the last feature layer.
const FEATURE_CHANNELS: usize = 96;
/// Dilations of the context layers: each sees twice as far as the one before, so that the last
/// frame's view spans about three characters either side, which joined-up letters need (an
/// "n" and the first hump of an "m" look the same until the next hump).
const CONTEXT_DILATIONS: [usize; 3] = [1, 2, 4];

/// Convolutions over the line image that shrink its height to two rows and its width by
/// [`FRAME_WIDTH`], then convolutions along the line for context, and per frame a score for
/// the CTC blank (class 0) and each symbol of the alphabet: ~364k parameters for 95 symbols.
///
/// Why convolutions rather than an LSTM: they run in one batched pass in the browser, where an
/// LSTM steps frame by frame; the dilated stack gives a comparable reach for words, and a
/// bidirectional LSTM added over it read unseen writers no better (docs/results-lines.md).
/// Why so few channels at full resolution: there the arithmetic is per pixel of a wide image;
/// twice these widths trained 2.4 times slower here (40 lines/s on 2 cores).
#[derive(Module, Debug)]
pub struct LineNet {
    features: [ConvBn; 4],
    /// Halves height and width (twice, hence [`FRAME_WIDTH`] = 4).
    pool: MaxPool2d,
    /// Halves the height alone.
    pool_rows: MaxPool2d,
    project: Conv1dBn,
    context: [Conv1dBn; 3],
    dropout: Dropout,
    classifier: Conv1d,
}

impl LineNet {
    /// A freshly initialised network scoring `classes` classes (the alphabet and the blank).
    pub fn new(classes: usize, dropout: f64, device: &Device) -> Self {
        Self {
            features: [
                ConvBn::new(1, 16, 3, device),
                ConvBn::new(16, 32, 3, device),
                ConvBn::new(32, 64, 3, device),
                ConvBn::new(64, FEATURE_CHANNELS, 3, device),
            ],
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            pool_rows: MaxPool2dConfig::new([2, 1]).with_strides([2, 1]).init(),
            project: Conv1dBn::new(
                FEATURE_CHANNELS * FEATURE_ROWS,
                CONTEXT_CHANNELS,
                1,
                1,
                device,
            ),
            context: CONTEXT_DILATIONS.map(|dilation| {
                Conv1dBn::new(CONTEXT_CHANNELS, CONTEXT_CHANNELS, 5, dilation, device)
            }),
            dropout: DropoutConfig::new(dropout).init(),
            classifier: Conv1dConfig::new(CONTEXT_CHANNELS, classes, 1).init(device),
        }
    }

    /// Class scores (logits) shaped `[batch, frames, classes]` for line images shaped
    /// `[batch, 1, LINE_HEIGHT, width]`, `width` a multiple of [`FRAME_WIDTH`].
    pub fn forward(&self, images: Tensor<4>) -> Tensor<3> {
        let [first, second, third, fourth] = &self.features;
        let x = self.pool.forward(relu(first.forward(images)));
        let x = self.pool.forward(relu(second.forward(x)));
        let x = self.pool_rows.forward(relu(third.forward(x)));
        let x = self.pool_rows.forward(relu(fourth.forward(x)));
        let [batch, channels, rows, frames] = x.dims();
        let x = relu(
            self.project
                .forward(x.reshape([batch, channels * rows, frames])),
        );
        // Residual: each context layer adds what it sees further away to what is already known.
        let x = self
            .context
            .iter()
            .fold(x, |x, layer| x.clone() + relu(layer.forward(x)));
        let scores = self.classifier.forward(self.dropout.forward(x));
        scores.swap_dims(1, 2)
    }

    /// Frames of output for an image `width` columns wide.
    pub const fn frames(width: usize) -> usize {
        width / FRAME_WIDTH
    }

    /// Number of trainable scalars.
    pub fn parameter_count(&self) -> usize {
        self.num_params()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CpuBackend;

    #[test]
    fn one_frame_of_scores_per_four_columns() {
        let device = CpuBackend::preferred().device();
        let network = LineNet::new(81, 0.1, &device);
        let images = Tensor::zeros([2, 1, LINE_HEIGHT, 96], &device);
        assert_eq!(network.forward(images).dims(), [2, LineNet::frames(96), 81]);
        assert_eq!(LineNet::frames(96), 24);
        assert_eq!(network.parameter_count(), 362_145);
    }
}
