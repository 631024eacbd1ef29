//! The network's input: one character in the MNIST convention.

use serde::{Deserialize, Serialize};

/// Side of the square image the network reads.
pub const GLYPH_SIDE: usize = 28;
/// Pixels in one glyph.
pub const GLYPH_PIXELS: usize = GLYPH_SIDE * GLYPH_SIDE;

/// A 28×28 image of one character in the MNIST convention: ink is 1.0, paper 0.0, the ink's
/// longer side spans 20 pixels and its centre of mass sits at the centre.
#[derive(Clone, PartialEq)]
pub struct Glyph {
    pixels: Box<[f32; GLYPH_PIXELS]>,
}

impl Glyph {
    /// A glyph from row-major ink intensities in `0.0..=1.0`; values outside are clamped.
    pub fn from_intensities(pixels: [f32; GLYPH_PIXELS]) -> Self {
        Self {
            pixels: Box::new(pixels.map(|v| {
                if v.is_finite() {
                    v.clamp(0.0, 1.0)
                } else {
                    0.0
                }
            })),
        }
    }

    /// A glyph from 8-bit MNIST pixels (0 = paper, 255 = ink).
    pub fn from_mnist_bytes(bytes: &[u8; GLYPH_PIXELS]) -> Self {
        Self {
            pixels: Box::new(bytes.map(|b| f32::from(b) / 255.0)),
        }
    }

    /// Row-major ink intensities in `0.0..=1.0`.
    pub fn intensities(&self) -> &[f32; GLYPH_PIXELS] {
        &self.pixels
    }

    /// Mean ink over the 28×28 pixels: how much of the image is drawn on.
    pub fn mean_ink(&self) -> f32 {
        self.pixels.iter().sum::<f32>() / GLYPH_PIXELS as f32
    }

    /// The glyph as 8-bit grey levels (0 = paper), for previews and PNG output.
    pub fn to_bytes(&self) -> [u8; GLYPH_PIXELS] {
        self.pixels.map(|v| (v * 255.0).round() as u8)
    }
}

impl std::fmt::Debug for Glyph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ink = self.pixels.iter().sum::<f32>();
        f.debug_struct("Glyph").field("total_ink", &ink).finish()
    }
}

/// The affine map from ink intensity to network input, fixed at training time and stored in
/// the weights file so that inference normalises exactly as training did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Normalization {
    pub mean: f32,
    pub std: f32,
}

impl Normalization {
    /// MNIST's training-set statistics for ink in `0.0..=1.0`.
    pub const MNIST: Self = Self {
        mean: 0.1307,
        std: 0.3081,
    };

    /// Appends the normalised pixels of `glyph` to `out`.
    pub fn extend(&self, glyph: &[f32; GLYPH_PIXELS], out: &mut Vec<f32>) {
        let scale = 1.0 / self.std;
        out.extend(glyph.iter().map(|v| (v - self.mean) * scale));
    }
}
