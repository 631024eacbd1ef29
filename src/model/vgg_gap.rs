//! The default network, the one the page ships.

use burn::module::Module;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::ModelConfig;
use super::layers::{ConvBn, global_average};

/// A small VGG-style CNN: 3×3 convolutions with batch norm and ReLU at 28² (32 channels), 14²
/// (two of 64) and 7² (128), max pooling between, then global average pooling and one linear
/// layer: ~132k parameters. The wide variant has twice the channels at 7² (256): ~1.6× the
/// parameters for ~1.25× the arithmetic, as the last stage works on the fewest pixels.
///
/// Why this shape: stacked 3×3 convolutions learn stroke fragments cheaply, and a single layer
/// at full resolution keeps the costliest stage small (a second one there doubled training
/// time on Flex for little gain).
#[derive(Module, Debug)]
pub struct VggGap {
    // The field names are the tensor paths of every weights file written since the first.
    block1: ConvBn,
    block2: [ConvBn; 2],
    block3: ConvBn,
    pool: MaxPool2d,
    dropout: Dropout,
    classifier: Linear,
}

impl VggGap {
    /// Channels at 28², 14² and 7² of the network the page has shipped since the first.
    pub const STANDARD: [usize; 3] = [32, 64, 128];
    /// Channels of the wide variant.
    pub const WIDE: [usize; 3] = [32, 64, 256];

    pub fn new(config: &ModelConfig, [full, half, quarter]: [usize; 3], device: &Device) -> Self {
        Self {
            block1: ConvBn::new(1, full, 3, device),
            block2: [
                ConvBn::new(full, half, 3, device),
                ConvBn::new(half, half, 3, device),
            ],
            block3: ConvBn::new(half, quarter, 3, device),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            dropout: DropoutConfig::new(config.dropout).init(),
            classifier: LinearConfig::new(quarter, config.num_classes).init(device),
        }
    }

    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = relu(self.block1.forward(images));
        let x = self.pool.forward(x);
        let x = self
            .block2
            .iter()
            .fold(x, |x, layer| relu(layer.forward(x)));
        let x = self.pool.forward(x);
        let x = relu(self.block3.forward(x));
        self.classifier
            .forward(self.dropout.forward(global_average(x)))
    }
}
