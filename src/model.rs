//! The convolutional network, defined once for training and for the browser.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig};
use burn::nn::{PaddingConfig2d, Relu};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::glyph::GLYPH_SIDE;

/// Name and version written into every weights file, checked when loading.
pub const ARCHITECTURE: &str = "vgg-gap";
pub const ARCHITECTURE_VERSION: u32 = 1;

/// What the network's shape depends on: everything else is fixed by [`ARCHITECTURE`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// Number of output classes (10 for digits, 26 or 47 for the EMNIST splits).
    pub num_classes: usize,
    /// Dropout before the classifier, active only while training.
    pub dropout: f64,
}

impl ModelConfig {
    pub fn new(num_classes: usize) -> Self {
        Self {
            num_classes,
            dropout: 0.1,
        }
    }

    pub fn init(&self, device: &Device) -> Model {
        Model::new(self, device)
    }
}

/// A small VGG-style CNN: 3×3 convolutions with batch norm at 28² (32 channels), 14² (two of
/// 64) and 7² (128), max pooling between, then global average pooling and one linear layer.
///
/// Why this shape: stacked 3×3 convolutions learn stroke fragments cheaply; a single layer at
/// full resolution keeps the costliest stage small (a second one there doubled training time
/// on Flex for little gain); and global average pooling instead of a dense layer on the
/// flattened map keeps the parameter count low (~132k) and the classifier tolerant of small
/// shifts, which drawn digits have more of than MNIST's test set.
#[derive(Module, Debug)]
pub struct Model {
    block1: ConvBnRelu,
    block2: [ConvBnRelu; 2],
    block3: ConvBnRelu,
    pool: MaxPool2d,
    gap: AdaptiveAvgPool2d,
    dropout: Dropout,
    classifier: Linear,
}

impl Model {
    fn new(config: &ModelConfig, device: &Device) -> Self {
        Self {
            block1: ConvBnRelu::new(1, 32, device),
            block2: [
                ConvBnRelu::new(32, 64, device),
                ConvBnRelu::new(64, 64, device),
            ],
            block3: ConvBnRelu::new(64, 128, device),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            dropout: DropoutConfig::new(config.dropout).init(),
            classifier: LinearConfig::new(128, config.num_classes).init(device),
        }
    }

    /// Class scores (logits) for a batch of normalised glyphs shaped `[batch, 1, 28, 28]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self.block1.forward(images);
        let x = self.pool.forward(x);
        let x = self.block2.iter().fold(x, |x, layer| layer.forward(x));
        let x = self.pool.forward(x);
        let x = self.block3.forward(x);
        let [batch, channels, _, _] = x.dims();
        let x = self.gap.forward(x).reshape([batch, channels]);
        self.classifier.forward(self.dropout.forward(x))
    }

    /// Number of trainable scalars.
    pub fn parameter_count(&self) -> usize {
        self.num_params()
    }
}

/// The input shape the network expects, for callers building tensors.
pub fn input_shape(batch: usize) -> [usize; 4] {
    [batch, 1, GLYPH_SIDE, GLYPH_SIDE]
}

/// 3×3 convolution (no bias: batch norm supplies it), batch norm, ReLU.
#[derive(Module, Debug)]
struct ConvBnRelu {
    conv: Conv2d,
    norm: BatchNorm,
    activation: Relu,
}

impl ConvBnRelu {
    fn new(channels_in: usize, channels_out: usize, device: &Device) -> Self {
        Self {
            conv: Conv2dConfig::new([channels_in, channels_out], [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .with_bias(false)
                .init(device),
            norm: BatchNormConfig::new(channels_out).init(device),
            activation: Relu::new(),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.activation
            .forward(self.norm.forward(self.conv.forward(x)))
    }
}
