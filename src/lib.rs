//! Handwriting recognition that runs where the user is: a small Burn CNN, the preprocessing
//! that turns drawings into its input, and the weights file format, shared by the browser
//! build and the `training` crate.

pub mod backend;
mod context;
pub mod ctc;
pub mod glyph;
mod int8;
pub mod lines;
pub mod model;
pub mod preprocess;
pub mod reading;
pub mod recognizer;
pub mod segment;
mod slash;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod weights;

pub use backend::CpuBackend;
pub use glyph::{GLYPH_PIXELS, GLYPH_SIDE, Glyph, Normalization};
pub use model::{Architecture, LineNet, Model, ModelConfig};
pub use preprocess::{
    PixelFormat, Point, PreprocessError, Raster, Stroke, glyph_from_raster, glyph_from_strokes,
};
pub use reading::{Layout, ReadCharacter, Reading, UNSURE};
pub use recognizer::{Candidate, Prediction, RecognizeError, Recognizer};
pub use segment::{Bounds, Breadth, Character, Segment, Split, segment};
pub use weights::{InkRange, ModelMetadata, WeightsError};
