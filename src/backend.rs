//! The CPU backends this build can run on, chosen at run time among those compiled in.

use burn::tensor::Device;

/// A CPU backend. Flex is the default; NdArray stays available behind its cargo feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuBackend {
    #[cfg(feature = "flex")]
    Flex,
    #[cfg(feature = "ndarray")]
    NdArray,
}

impl CpuBackend {
    /// Every CPU backend compiled into this build, the preferred one first.
    pub const ALL: &[Self] = &[
        #[cfg(feature = "flex")]
        Self::Flex,
        #[cfg(feature = "ndarray")]
        Self::NdArray,
    ];

    /// The preferred backend of this build: Flex when compiled in, else NdArray.
    pub const fn preferred() -> Self {
        #[cfg(feature = "flex")]
        return Self::Flex;
        #[cfg(all(feature = "ndarray", not(feature = "flex")))]
        return Self::NdArray;
    }

    /// Short name for logs and the page.
    pub const fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "flex")]
            Self::Flex => "flex",
            #[cfg(feature = "ndarray")]
            Self::NdArray => "ndarray",
        }
    }

    pub fn device(self) -> Device {
        match self {
            #[cfg(feature = "flex")]
            Self::Flex => Device::flex(),
            // NdArray is deprecated upstream in favour of Flex, and kept here on purpose.
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            Self::NdArray => Device::ndarray(),
        }
    }
}

#[cfg(not(any(feature = "flex", feature = "ndarray")))]
compile_error!("enable a CPU backend: the `flex` (default) or `ndarray` feature");
