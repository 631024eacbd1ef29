//! A loaded line model: line images in, text with each symbol's confidence and place out.

use burn::module::Module;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use super::auto::overruling_reading;
use super::image::{FRAME_WIDTH, LINE_HEIGHT, LineImage};
use super::weights::{LineMetadata, decode_line};
use crate::ctc::{self, BeamOptions, DecodeError, Decoded};
use crate::model::LineNet;
use crate::recognizer::RecognizeError;
use crate::weights::WeightsError;

/// A line network and what its outputs mean.
#[derive(Debug)]
pub struct LineReader {
    network: LineNet,
    metadata: LineMetadata,
    alphabet: Vec<char>,
    device: Device,
}

/// One symbol of a line as read, placed on the canvas.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineSymbol {
    pub symbol: char,
    pub confidence: f32,
    /// Other likely symbols at the same place, likeliest first.
    pub alternatives: Vec<(char, f32)>,
    /// Canvas x range the symbol was read from.
    pub left: f32,
    pub right: f32,
}

/// A line as read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LineReading {
    pub text: String,
    pub symbols: Vec<LineSymbol>,
}

impl LineReading {
    /// Places a decoded line's symbols on the canvas the image was drawn from.
    pub fn new(decoded: Decoded, image: &LineImage) -> Self {
        let symbols = decoded
            .symbols
            .into_iter()
            .map(|read| {
                let (left, right) = image.canvas_span(read.frames);
                LineSymbol {
                    symbol: read.symbol,
                    confidence: read.confidence,
                    alternatives: read.alternatives,
                    left,
                    right,
                }
            })
            .collect();
        Self {
            text: decoded.text,
            symbols,
        }
    }
}

/// How to turn frames into text.
#[derive(Debug, Clone, Copy)]
pub enum Decoding<'a> {
    /// The best symbol of each frame: fastest, no word list.
    Greedy,
    /// Prefix beam search, with a word list if the options hold one.
    Beam(BeamOptions<'a>),
}

impl Decoding<'_> {
    pub fn decode(&self, log_probs: &[f32], alphabet: &[char]) -> Result<Decoded, DecodeError> {
        match self {
            Self::Greedy => ctc::greedy(log_probs, alphabet),
            Self::Beam(options) => ctc::beam_search(log_probs, alphabet, options),
        }
    }

    /// What the word list and language model, if any, make of `text` (see
    /// [`BeamOptions::prior`]).
    pub fn prior(&self, text: &str) -> f32 {
        match self {
            Self::Greedy => 0.0,
            Self::Beam(options) => options.prior(text),
        }
    }
}

impl LineReader {
    /// Loads a line model's weights written by the training crate. `origin` names the file or
    /// URL in errors.
    pub fn from_bytes(bytes: &[u8], origin: &str, device: &Device) -> Result<Self, WeightsError> {
        let (network, metadata) = decode_line(bytes, origin, device)?;
        Ok(Self::from_network(network, metadata, device))
    }

    /// Wraps a network already in memory (one just trained): its inference copy on `device`.
    pub fn from_network(network: LineNet, metadata: LineMetadata, device: &Device) -> Self {
        Self {
            network: network.valid().to_device(device),
            alphabet: metadata.symbols(),
            metadata,
            device: device.clone(),
        }
    }

    pub fn metadata(&self) -> &LineMetadata {
        &self.metadata
    }

    pub fn alphabet(&self) -> &[char] {
        &self.alphabet
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Per-frame log-probabilities of a batch of lines, padded to the widest, as a
    /// `[lines, frames, classes]` tensor not yet read back (GPU callers read it asynchronously).
    pub fn log_probabilities(&self, images: &[LineImage]) -> Tensor<3> {
        log_softmax(self.network.forward(stack_images(images, &self.device)), 2)
    }

    /// Splits log-probabilities read back from [`LineReader::log_probabilities`] into each
    /// line's own frames (`frames × classes`, row-major).
    pub fn split_lines(
        &self,
        images: &[LineImage],
        data: TensorData,
    ) -> Result<Vec<Vec<f32>>, RecognizeError> {
        let values = data
            .try_to_vec::<f32>()
            .map_err(|e| self.backend_error(format!("{e:?}")))?;
        let classes = self.metadata.classes();
        let padded_frames = values.len() / (classes * images.len().max(1));
        Ok(images
            .iter()
            .enumerate()
            .map(|(index, image)| {
                let start = index * padded_frames * classes;
                values[start..start + image.frames().min(padded_frames) * classes].to_vec()
            })
            .collect())
    }

    /// Log-probabilities of each line (synchronous read-back: CPU backends).
    pub fn frames_of(&self, images: &[LineImage]) -> Result<Vec<Vec<f32>>, RecognizeError> {
        if images.is_empty() {
            return Ok(Vec::new());
        }
        let data = self
            .log_probabilities(images)
            .try_into_data()
            .map_err(|e| self.backend_error(format!("{e:?}")))?;
        self.split_lines(images, data)
    }

    /// Reads one line (synchronous read-back: CPU backends).
    pub fn read(
        &self,
        image: &LineImage,
        decoding: &Decoding,
    ) -> Result<LineReading, RecognizeError> {
        let frames = self.frames_of(std::slice::from_ref(image))?.remove(0);
        let decoded = decoding
            .decode(&frames, &self.alphabet)
            .map_err(|e| self.backend_error(e.to_string()))?;
        Ok(LineReading::new(decoded, image))
    }

    /// The page's "auto": this model's reading of `image` where it overrules the characters
    /// model's reading `letters` of the same strokes by more than `margin` (see
    /// [`super::letters_stand`]), else none (synchronous read-back: CPU backends).
    pub fn read_against(
        &self,
        image: &LineImage,
        decoding: &Decoding,
        letters: &str,
        margin: f32,
    ) -> Result<Option<LineReading>, RecognizeError> {
        let frames = self.frames_of(std::slice::from_ref(image))?.remove(0);
        let overruling = overruling_reading(letters, &frames, &self.alphabet, decoding, margin)
            .map_err(|e| self.backend_error(e.to_string()))?;
        Ok(overruling.map(|decoded| LineReading::new(decoded, image)))
    }

    fn backend_error(&self, reason: String) -> RecognizeError {
        RecognizeError::Backend {
            backend: format!("{:?}", self.device),
            reason,
        }
    }
}

/// Line images, padded with paper to the widest, as one `[lines, 1, LINE_HEIGHT, width]` tensor.
pub fn stack_images(images: &[LineImage], device: &Device) -> Tensor<4> {
    let width = images
        .iter()
        .map(|image| image.width)
        .max()
        .unwrap_or(FRAME_WIDTH);
    let mut pixels = vec![0.0f32; images.len() * LINE_HEIGHT * width];
    for (index, image) in images.iter().enumerate() {
        for row in 0..LINE_HEIGHT {
            let target = (index * LINE_HEIGHT + row) * width;
            pixels[target..target + image.width]
                .copy_from_slice(&image.ink[row * image.width..(row + 1) * image.width]);
        }
    }
    let shape = [images.len(), 1, LINE_HEIGHT, width];
    Tensor::from_data(TensorData::new(pixels, shape), device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CpuBackend;
    use crate::lines::{PEN_WIDTH, line_from_strokes};
    use crate::preprocess::{Point, Stroke};

    fn image(width: f32) -> LineImage {
        let stroke = Stroke {
            points: vec![Point { x: 0.0, y: 0.0 }, Point { x: width, y: 30.0 }],
            width: 4.0,
        };
        line_from_strokes(&[stroke], PEN_WIDTH).unwrap()
    }

    #[test]
    fn each_line_of_a_batch_gets_its_own_frames_and_a_reading() {
        let device = CpuBackend::preferred().device();
        let metadata = LineMetadata::new(" ab".into(), "test");
        let reader = LineReader::from_network(metadata.init_network(&device), metadata, &device);
        let (short, long) = (image(40.0), image(200.0));
        let frames = reader.frames_of(&[short.clone(), long.clone()]).unwrap();
        assert_eq!(frames[0].len(), short.frames() * 4);
        assert_eq!(frames[1].len(), long.frames() * 4);
        let reading = reader.read(&long, &Decoding::Greedy).unwrap();
        assert_eq!(reading.symbols.len(), reading.text.chars().count());
        for symbol in &reading.symbols {
            assert!(symbol.left <= symbol.right);
        }
    }

    #[test]
    fn endless_scribbles_and_absurd_coordinates_read_in_bounded_time() {
        let device = CpuBackend::preferred().device();
        let metadata = LineMetadata::new(" ab".into(), "test");
        let reader = LineReader::from_network(metadata.init_network(&device), metadata, &device);
        let scribble = Stroke {
            points: (0..20_000)
                .map(|i| Point {
                    x: i as f32 * 3.0,
                    y: ((i * 7919) % 101) as f32,
                })
                .collect(),
            width: 4.0,
        };
        let absurd = Stroke {
            points: vec![Point { x: -3e38, y: 1e-30 }, Point { x: 3e38, y: 2e30 }],
            width: f32::NAN,
        };
        for strokes in [vec![scribble], vec![absurd]] {
            let image = line_from_strokes(&strokes, PEN_WIDTH).unwrap();
            assert!(image.frames() <= crate::lines::MAX_LINE_WIDTH / FRAME_WIDTH);
            let reading = reader
                .read(&image, &Decoding::Beam(BeamOptions::default()))
                .unwrap();
            assert!(reading.text.chars().count() <= image.frames());
        }
    }
}
