//! The deeper network: residual blocks in the manner of ResNet.

use burn::module::Module;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::ModelConfig;
use super::layers::{ConvBn, global_average};

/// A small ResNet: a 3×3 stem at 28² (32 channels), two residual blocks at 14² (64), one at 7²
/// (128), max pooling between, then global average pooling and one linear layer: seven 3×3
/// convolutions where [`super::VggGap`] has four, ~362k parameters, ~2.5× its arithmetic.
///
/// The shortcuts let the extra depth train as easily as the shallow network; the stem stays a
/// single plain convolution because full resolution is where a layer costs most.
#[derive(Module, Debug)]
pub struct Residual {
    stem: ConvBn,
    stage2: [ResidualBlock; 2],
    stage3: ResidualBlock,
    pool: MaxPool2d,
    dropout: Dropout,
    classifier: Linear,
}

impl Residual {
    pub fn new(config: &ModelConfig, device: &Device) -> Self {
        Self {
            stem: ConvBn::new(1, 32, 3, device),
            stage2: [
                ResidualBlock::new(32, 64, device),
                ResidualBlock::new(64, 64, device),
            ],
            stage3: ResidualBlock::new(64, 128, device),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            dropout: DropoutConfig::new(config.dropout).init(),
            classifier: LinearConfig::new(128, config.num_classes).init(device),
        }
    }

    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = relu(self.stem.forward(images));
        let x = self.pool.forward(x);
        let x = self.stage2.iter().fold(x, |x, block| block.forward(x));
        let x = self.pool.forward(x);
        let x = self.stage3.forward(x);
        self.classifier
            .forward(self.dropout.forward(global_average(x)))
    }
}

/// Two 3×3 convolutions whose output is added to the block's input, then ReLU. Where the
/// channel count changes, a 1×1 convolution (the projection) brings the input to it.
#[derive(Module, Debug)]
struct ResidualBlock {
    first: ConvBn,
    second: ConvBn,
    projection: Option<ConvBn>,
}

impl ResidualBlock {
    fn new(channels_in: usize, channels_out: usize, device: &Device) -> Self {
        Self {
            first: ConvBn::new(channels_in, channels_out, 3, device),
            second: ConvBn::new(channels_out, channels_out, 3, device),
            projection: (channels_in != channels_out)
                .then(|| ConvBn::new(channels_in, channels_out, 1, device)),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let shortcut = match &self.projection {
            Some(projection) => projection.forward(x.clone()),
            None => x.clone(),
        };
        relu(self.second.forward(relu(self.first.forward(x))) + shortcut)
    }
}
