//! Weights files as users may hand them to the page: any bytes, and real tensors under any
//! metadata text. Loading returns a recognizer or a `WeightsError`; it never panics, and a
//! recognizer that loads can recognise.
#![no_main]

use std::sync::LazyLock;

use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Device;
use handwriting::{GLYPH_PIXELS, Glyph, Model, ModelConfig, Recognizer};
use libfuzzer_sys::fuzz_target;

/// The metadata key the library reads (see `src/weights.rs`).
const METADATA_KEY: &str = "handwriting";

static DEVICE: LazyLock<Device> = LazyLock::new(Device::flex);
/// Tensors of the right shapes for a digits network, built once.
static DIGITS: LazyLock<Model> = LazyLock::new(|| ModelConfig::new(10).init(&DEVICE));

/// A weights file with a digits network's tensors and `metadata` as its metadata text.
fn with_metadata(metadata: &str) -> Vec<u8> {
    let mut store = BurnpackStore::from_bytes(None).metadata(METADATA_KEY, metadata);
    DIGITS.save_into(&mut store).unwrap();
    store.get_bytes().unwrap().to_vec()
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
});
