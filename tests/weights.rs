//! The weights file: what is saved loads back (within int8 rounding), files of earlier formats
//! still load, and anything else is refused clearly.

use burn::nn::LinearConfig;
use burn::store::{BurnpackStore, HalfPrecisionAdapter, ModuleSnapshot};
use handwriting::{
    Architecture, CpuBackend, GLYPH_PIXELS, Glyph, ModelMetadata, Recognizer, WeightsError, weights,
};

fn digit_labels() -> Vec<String> {
    (0..10).map(|d| d.to_string()).collect()
}

/// A fresh, untrained network of the default family and its weights file.
fn fresh_weights() -> (Recognizer, Vec<u8>) {
    fresh_weights_of(Architecture::VggGap)
}

fn fresh_weights_of(architecture: Architecture) -> (Recognizer, Vec<u8>) {
    let device = CpuBackend::preferred().device();
    let metadata = ModelMetadata::new(architecture, digit_labels(), "test");
    let model = metadata.init_model(&device);
    let bytes = weights::encode(&model, &metadata).unwrap();
    (Recognizer::from_model(model, metadata, &device), bytes)
}

fn some_glyphs() -> Vec<Glyph> {
    (0..3)
        .map(|k| {
            let mut pixels = [0.0f32; GLYPH_PIXELS];
            for (i, p) in pixels.iter_mut().enumerate() {
                *p = ((i * (k + 3)) % 17) as f32 / 16.0;
            }
            Glyph::from_intensities(pixels)
        })
        .collect()
}

fn load(bytes: &[u8]) -> Result<Recognizer, WeightsError> {
    Recognizer::from_bytes(bytes, "test.bpk", &CpuBackend::preferred().device())
}

/// The largest difference between two recognizers' probabilities on the same glyphs.
fn largest_difference(a: &Recognizer, b: &Recognizer) -> f32 {
    let glyphs = some_glyphs();
    let before = a.recognize_batch(&glyphs).unwrap();
    let after = b.recognize_batch(&glyphs).unwrap();
    before
        .iter()
        .zip(&after)
        .flat_map(|(a, b)| a.probabilities.iter().zip(&b.probabilities))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn saved_weights_load_back_within_int8_rounding() {
    let (original, bytes) = fresh_weights();
    let loaded = load(&bytes).unwrap();
    assert_eq!(loaded.metadata(), original.metadata());
    let difference = largest_difference(&original, &loaded);
    assert!(difference < 1e-3, "probabilities moved by {difference}");
    // Saving what was loaded loses nothing more: rewriting a file (as `calibrate` does) does
    // not round the weights again.
    let rewritten = load(&weights::encode(loaded.model(), loaded.metadata()).unwrap()).unwrap();
    assert_eq!(largest_difference(&loaded, &rewritten), 0.0);
}

/// A weights file as written before int8 storage: every tensor float32 (the first files), or
/// the convolutions and linear layers float16 (until 2026-12-07).
fn earlier_file(recognizer: &Recognizer, half_precision: bool) -> Vec<u8> {
    let json = serde_json::to_string(recognizer.metadata()).unwrap();
    let mut store = BurnpackStore::from_bytes(None).metadata(weights::METADATA_KEY, json);
    if half_precision {
        store = store.with_to_adapter(HalfPrecisionAdapter::new());
    }
    weights::save_network(recognizer.model(), &mut store).unwrap();
    store.get_bytes().unwrap().to_vec()
}

#[test]
fn files_of_earlier_formats_still_load() {
    let (original, int8) = fresh_weights();
    let float32 = earlier_file(&original, false);
    assert_eq!(largest_difference(&original, &load(&float32).unwrap()), 0.0);
    let float16 = earlier_file(&original, true);
    let difference = largest_difference(&original, &load(&float16).unwrap());
    assert!(difference < 1e-3, "probabilities moved by {difference}");
    assert!(
        int8.len() < float32.len() * 3 / 10 && float16.len() < float32.len() * 6 / 10,
        "int8 file {} bytes, float16 {}, float32 {}",
        int8.len(),
        float16.len(),
        float32.len()
    );
}

#[test]
fn predictions_rank_every_class() {
    let (recognizer, _) = fresh_weights();
    let prediction = recognizer.recognize(&some_glyphs()[0]).unwrap();
    let sum: f32 = prediction.probabilities.iter().sum();
    assert!((sum - 1.0).abs() < 1e-4);
    let top = prediction.top_k(3);
    assert_eq!(top.len(), 3);
    assert!(top[0].probability >= top[1].probability && top[1].probability >= top[2].probability);
    assert_eq!(top[0].label, digit_labels()[top[0].class]);
    assert_eq!(prediction.top_k(50).len(), 10);
}

fn expect_error(bytes: &[u8], needle: &str) {
    let error = load(bytes).map(|_| ()).unwrap_err().to_string();
    assert!(error.contains("test.bpk"), "names the file: {error}");
    assert!(error.contains(needle), "expected \"{needle}\" in: {error}");
}

#[test]
fn empty_truncated_and_foreign_files_are_refused() {
    let (_, bytes) = fresh_weights();
    expect_error(&[], "empty");
    expect_error(&bytes[..bytes.len() / 2], "");
    expect_error(&bytes[..10], "not a Burn weights");
    let jpeg = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1,
    ];
    expect_error(&jpeg, "not a Burn weights");
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    let (_, bytes) = fresh_weights();
    for length in (0..bytes.len()).step_by(997) {
        assert!(load(&bytes[..length]).is_err(), "length {length}");
    }
}

#[test]
fn every_architecture_loads_back_as_itself() {
    for architecture in Architecture::ALL {
        let (original, bytes) = fresh_weights_of(architecture);
        let loaded = load(&bytes).unwrap();
        assert_eq!(loaded.model().architecture(), architecture);
        let difference = largest_difference(&original, &loaded);
        assert!(
            difference < 1e-3,
            "{architecture}: probabilities moved by {difference}"
        );
    }
}

#[test]
fn a_file_whose_tensors_belong_to_the_other_architecture_is_refused() {
    let (residual, _) = fresh_weights_of(Architecture::Residual);
    let mut claims_vgg = residual.metadata().clone();
    claims_vgg.architecture = Architecture::VggGap.name().into();
    expect_error(
        &weights::encode(residual.model(), &claims_vgg).unwrap(),
        "do not fit the vgg-gap v1 network",
    );
}

#[test]
fn weights_of_another_network_are_refused() {
    let device = CpuBackend::preferred().device();
    let json = serde_json::to_string(&ModelMetadata::new(
        Architecture::VggGap,
        digit_labels(),
        "test",
    ))
    .unwrap();
    let linear = LinearConfig::new(4, 2).init(&device);
    let mut store = BurnpackStore::from_bytes(None).metadata(weights::METADATA_KEY, json);
    linear.save_into(&mut store).unwrap();
    expect_error(&store.get_bytes().unwrap(), "do not fit");
}

#[test]
fn burnpack_files_without_our_metadata_are_refused() {
    let (recognizer, _) = fresh_weights();
    let mut store = BurnpackStore::from_bytes(None);
    recognizer.model().clone().save_into(&mut store).unwrap();
    expect_error(&store.get_bytes().unwrap(), "not written by this project");
}

#[test]
fn incompatible_metadata_is_explained() {
    let device = CpuBackend::preferred().device();
    let mut metadata = ModelMetadata::new(Architecture::VggGap, digit_labels(), "test");
    let model = metadata.init_model(&device);
    metadata.architecture = "resnet-xl".into();
    expect_error(&weights::encode(&model, &metadata).unwrap(), "resnet-xl");
    let mut metadata = ModelMetadata::new(Architecture::VggGap, digit_labels(), "test");
    metadata.labels.pop();
    expect_error(
        &weights::encode(&model, &metadata).unwrap(),
        "9 labels for 10 classes",
    );
}

/// Found by the `weights` fuzz target's metadata mode: configurations Burn cannot build
/// (it panicked) or that could never name a character.
#[test]
fn impossible_network_configurations_are_refused() {
    let device = CpuBackend::preferred().device();
    let model =
        ModelMetadata::new(Architecture::VggGap, digit_labels(), "test").init_model(&device);
    for dropout in [2.0, -0.5, 1.0] {
        let mut metadata = ModelMetadata::new(Architecture::VggGap, digit_labels(), "test");
        metadata.config.dropout = dropout;
        expect_error(&weights::encode(&model, &metadata).unwrap(), "dropout");
    }
    let mut metadata = ModelMetadata::new(Architecture::VggGap, Vec::new(), "test");
    metadata.config.num_classes = 0;
    expect_error(&weights::encode(&model, &metadata).unwrap(), "no classes");
}

#[test]
fn init_from_keeps_features_and_replaces_a_mismatched_classifier() {
    let device = CpuBackend::preferred().device();
    let (_, bytes) = fresh_weights();
    // What the file holds: the network's weights rounded to int8.
    let source = load(&bytes).unwrap();
    let same = ModelMetadata::new(Architecture::VggGap, digit_labels(), "test");
    let copy = weights::init_from(&bytes, "test.bpk", &same, &device).unwrap();
    let tensor = |model: &handwriting::Model, name: &str| {
        let tensors = model.collect(None, None, false);
        let tensor = tensors.into_iter().find(|t| t.name == name).unwrap();
        tensor.to_bytes().unwrap().to_vec()
    };
    assert_eq!(
        tensor(&copy, "VggGap.classifier.weight"),
        tensor(source.model(), "VggGap.classifier.weight")
    );

    let letters = ModelMetadata::new(
        Architecture::VggGap,
        vec!["A".into(), "B".into(), "C".into()],
        "test",
    );
    let transferred = weights::init_from(&bytes, "test.bpk", &letters, &device).unwrap();
    assert_eq!(
        tensor(&transferred, "VggGap.block3.conv.weight"),
        tensor(source.model(), "VggGap.block3.conv.weight")
    );
    assert_eq!(
        tensor(&transferred, "VggGap.classifier.weight").len(),
        128 * 3 * 4
    );
    let residual = ModelMetadata::new(Architecture::Residual, digit_labels(), "test");
    let refused = weights::init_from(&bytes, "test.bpk", &residual, &device).unwrap_err();
    assert!(
        refused.to_string().contains("not the residual v1 network"),
        "{refused}"
    );
    let recognizer = Recognizer::from_model(transferred, letters, &device);
    assert_eq!(
        recognizer
            .recognize(&some_glyphs()[0])
            .unwrap()
            .probabilities
            .len(),
        3
    );
}
