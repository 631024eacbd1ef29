//! Files as users may hand them to the page: weights files of any bytes, real tensors under
//! any metadata text, and word lists of any bytes. Loading returns a recognizer (of characters
//! or of lines) or a `WeightsError`, a word list or a `WordListError`; nothing panics.
#![no_main]

use std::sync::LazyLock;

use burn::tensor::Device;
use handwriting::ctc::WordList;
use handwriting::lines::LineReader;
use handwriting::{Architecture, GLYPH_PIXELS, Glyph, Model, ModelConfig, Recognizer, weights};
use libfuzzer_sys::fuzz_target;

static DEVICE: LazyLock<Device> = LazyLock::new(Device::flex);
/// Tensors of the right shapes for a digits network of the default family, built once.
static DIGITS: LazyLock<Model> =
    LazyLock::new(|| Architecture::VggGap.init(&ModelConfig::new(10), &DEVICE));

/// A weights file with a digits network's tensors and `metadata` as its metadata text.
fn with_metadata(metadata: &str) -> Vec<u8> {
    weights::encode_with_metadata_text(&DIGITS, metadata).unwrap()
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks the mode, so one corpus explores both whole files and metadata.
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let file = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let Ok(metadata) = std::str::from_utf8(rest) else {
            return;
        };
        with_metadata(metadata)
    };
    if let Ok(recognizer) = Recognizer::from_bytes(&file, "fuzz.bpk", &DEVICE) {
        let blank = Glyph::from_intensities([0.0; GLYPH_PIXELS]);
        recognizer.recognize(&blank).unwrap();
    }
    let _ = LineReader::from_bytes(&file, "fuzz.bpk", &DEVICE);
    let _ = WordList::parse(rest);
});
