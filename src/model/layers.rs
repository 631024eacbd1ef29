//! Building blocks the networks are made of.

use burn::module::Module;
use burn::nn::conv::{Conv1d, Conv1dConfig, Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig1d, PaddingConfig2d};
use burn::tensor::{Device, Tensor};

/// Convolution (no bias: batch norm supplies it) followed by batch norm; the caller applies
/// the activation, as a residual block adds its shortcut in between.
#[derive(Module, Debug)]
pub struct ConvBn {
    conv: Conv2d,
    norm: BatchNorm,
}

impl ConvBn {
    /// A `kernel`×`kernel` convolution that keeps the spatial size.
    pub fn new(channels_in: usize, channels_out: usize, kernel: usize, device: &Device) -> Self {
        Self {
            conv: Conv2dConfig::new([channels_in, channels_out], [kernel, kernel])
                .with_padding(PaddingConfig2d::Same)
                .with_bias(false)
                .init(device),
            norm: BatchNormConfig::new(channels_out).init(device),
        }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.norm.forward(self.conv.forward(x))
    }
}

/// Averages each feature map to one value: `[batch, channels, h, w]` → `[batch, channels]`.
///
/// Averaging instead of a dense layer on the flattened map keeps the parameter count low and
/// the classifier tolerant of small shifts, which drawn digits have more of than MNIST's test
/// set.
pub fn global_average(features: Tensor<4>) -> Tensor<2> {
    let [batch, channels, _, _] = features.dims();
    features.mean_dim(3).mean_dim(2).reshape([batch, channels])
}

/// A one-dimensional convolution along the line (no bias: batch norm supplies it) and its
/// batch norm, for the line model's sequence context; `dilation` widens its reach at no cost.
#[derive(Module, Debug)]
pub struct Conv1dBn {
    conv: Conv1d,
    norm: BatchNorm,
}

impl Conv1dBn {
    /// A convolution of odd `kernel` size that keeps the sequence's length.
    pub fn new(
        channels_in: usize,
        channels_out: usize,
        kernel: usize,
        dilation: usize,
        device: &Device,
    ) -> Self {
        let padding = dilation * (kernel - 1) / 2;
        Self {
            conv: Conv1dConfig::new(channels_in, channels_out, kernel)
                .with_dilation(dilation)
                .with_padding(PaddingConfig1d::Explicit(padding, padding))
                .with_bias(false)
                .init(device),
            norm: BatchNormConfig::new(channels_out).init(device),
        }
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        self.norm.forward(self.conv.forward(x))
    }
}
