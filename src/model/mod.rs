//! The convolutional networks, defined once for training and for the browser.
//!
//! [`LineNet`] reads whole lines for CTC decoding (see [`crate::lines`]); the rest of this
//! module is the character networks.
//!
//! Two families share the input (one 28×28 glyph) and the head (global average pooling,
//! dropout, one linear layer): [`VggGap`], the small default that the page ships, and
//! [`Residual`], deeper and about three times the parameters. The weights file names its
//! family, so the recognizer builds whichever network a file holds.

mod layers;
mod line;
mod residual;
mod vgg_gap;

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::glyph::GLYPH_SIDE;

pub use line::LineNet;
pub use residual::Residual;
pub use vgg_gap::VggGap;

/// A network family, named as in the training config and the weights file's metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    #[default]
    VggGap,
    VggGapWide,
    Residual,
}

impl Architecture {
    pub const ALL: [Self; 3] = [Self::VggGap, Self::VggGapWide, Self::Residual];

    /// The name written into weights files.
    pub const fn name(self) -> &'static str {
        match self {
            Self::VggGap => "vgg-gap",
            Self::VggGapWide => "vgg-gap-wide",
            Self::Residual => "residual",
        }
    }

    /// Revision of the family's layout; a file of another revision does not load.
    pub const fn version(self) -> u32 {
        match self {
            Self::VggGap | Self::VggGapWide | Self::Residual => 1,
        }
    }

    /// The family a weights file names, if this build knows it at that revision.
    pub fn from_name(name: &str, version: u32) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|architecture| architecture.name() == name && architecture.version() == version)
    }

    /// Builds a freshly initialised network of this family.
    pub fn init(self, config: &ModelConfig, device: &Device) -> Model {
        match self {
            Self::VggGap => Model::VggGap(VggGap::new(config, VggGap::STANDARD, device)),
            Self::VggGapWide => Model::VggGapWide(VggGap::new(config, VggGap::WIDE, device)),
            Self::Residual => Model::Residual(Residual::new(config, device)),
        }
    }
}

impl std::str::FromStr for Architecture {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|architecture| architecture.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|a| a.name()).collect();
                format!("unknown architecture {name:?}; known: {}", known.join(", "))
            })
    }
}

impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} v{}", self.name(), self.version())
    }
}

/// What a network's shape depends on besides its [`Architecture`].
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
}

/// A network of any family. Its module paths start with the variant's name
/// (`VggGap.block1.conv.weight`); weights files store them without it, see
/// [`crate::weights`].
// A program holds one or two networks, never a collection, so the variants' size difference
// costs nothing worth a box (which Burn's `Module` derive would not see through).
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Model {
    VggGap(VggGap),
    VggGapWide(VggGap),
    Residual(Residual),
}

impl Model {
    /// Class scores (logits) for a batch of normalised glyphs shaped `[batch, 1, 28, 28]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Self::VggGap(network) | Self::VggGapWide(network) => network.forward(images),
            Self::Residual(network) => network.forward(images),
        }
    }

    pub fn architecture(&self) -> Architecture {
        match self {
            Self::VggGap(_) => Architecture::VggGap,
            Self::VggGapWide(_) => Architecture::VggGapWide,
            Self::Residual(_) => Architecture::Residual,
        }
    }

    /// Number of trainable scalars.
    pub fn parameter_count(&self) -> usize {
        self.num_params()
    }
}

/// The input shape the networks expect, for callers building tensors.
pub fn input_shape(batch: usize) -> [usize; 4] {
    [batch, 1, GLYPH_SIDE, GLYPH_SIDE]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CpuBackend;

    #[test]
    fn every_architecture_scores_each_class_of_each_image() {
        let device = CpuBackend::preferred().device();
        for architecture in Architecture::ALL {
            let model = architecture.init(&ModelConfig::new(7), &device);
            let images = Tensor::zeros(input_shape(3), &device);
            assert_eq!(model.forward(images).dims(), [3, 7], "{architecture}");
            assert_eq!(model.architecture(), architecture);
        }
    }

    #[test]
    fn the_residual_network_is_the_deeper_and_larger() {
        let device = CpuBackend::preferred().device();
        let count = |architecture: Architecture| {
            architecture
                .init(&ModelConfig::new(10), &device)
                .parameter_count()
        };
        assert_eq!(count(Architecture::VggGap), 131_754);
        assert_eq!(count(Architecture::VggGapWide), 207_274);
        assert_eq!(count(Architecture::Residual), 364_970);
    }

    #[test]
    fn names_parse_back_and_unknown_ones_are_listed() {
        for architecture in Architecture::ALL {
            assert_eq!(architecture.name().parse(), Ok(architecture));
            assert_eq!(
                Architecture::from_name(architecture.name(), architecture.version()),
                Some(architecture)
            );
        }
        let error = "resnet".parse::<Architecture>().unwrap_err();
        assert!(error.contains("vgg-gap, vgg-gap-wide, residual"), "{error}");
        assert_eq!(Architecture::from_name("vgg-gap", 2), None);
    }
}
