//! Reading a whole written line with the line model: the line image, the weights file, and
//! (with [`crate::ctc`]) the decoding of the network's frames into text.

mod auto;
mod image;
mod reader;
mod weights;

pub use auto::{LETTERS_MARGIN, letters_stand, overruling_reading};
pub use image::{
    FRAME_WIDTH, HORIZONTAL_STRETCH, LINE_HEIGHT, LineImage, MAX_LINE_WIDTH, PEN_WIDTH,
    line_from_raster, line_from_strokes,
};
pub use reader::{Decoding, LineReader, LineReading, LineSymbol, stack_images};
pub use weights::{LINE_METADATA_KEY, LineMetadata, decode_line, encode_line, read_line_metadata};
