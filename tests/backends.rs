//! Every CPU backend compiled in reads real handwriting as the preferred one does, with each
//! shipped network: CI builds the tests with the `ndarray` feature beside the default `flex`,
//! so NdArray, the brief's backend, is checked against Flex on the same drawings.

use handwriting::lines::{Decoding, LineReader, PEN_WIDTH, line_from_strokes};
use handwriting::{CpuBackend, Recognizer, Stroke};
use serde::Deserialize;

/// Probabilities of two backends may differ by float rounding, not more.
const TOLERANCE: f32 = 1e-3;

#[derive(Deserialize)]
struct Drawing {
    strokes: Vec<Stroke>,
}

/// The first `count` drawings of a UNIPEN fixture (test writers' handwriting).
fn drawings(name: &str, count: usize) -> Vec<Vec<Stroke>> {
    let path = format!(
        "{}/tests/fixtures/unipen/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let all: Vec<Drawing> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.into_iter().take(count).map(|d| d.strokes).collect()
}

fn shipped(file: &str) -> Vec<u8> {
    std::fs::read(format!("{}/www/models/{file}", env!("CARGO_MANIFEST_DIR")))
        .expect("the shipped weights are committed")
}

#[cfg(feature = "ndarray")]
#[test]
fn the_ndarray_feature_compiles_its_backend_in() {
    assert!(CpuBackend::ALL.contains(&CpuBackend::NdArray));
}

#[test]
fn characters_models_read_alike_on_every_backend() {
    for (file, fixture) in [
        ("digits.bpk", "digits.json"),
        ("characters.bpk", "words.json"),
    ] {
        let bytes = shipped(file);
        let drawings = drawings(fixture, 24);
        let readings = |backend: CpuBackend| {
            let recognizer = Recognizer::from_bytes(&bytes, file, &backend.device()).unwrap();
            let readings: Vec<_> = drawings
                .iter()
                .map(|d| recognizer.read(d).unwrap())
                .collect();
            readings
        };
        let expected = readings(CpuBackend::preferred());
        for &backend in CpuBackend::ALL {
            for (reading, want) in readings(backend).iter().zip(&expected) {
                assert_eq!(reading.text(), want.text(), "{file} on {}", backend.name());
                let pairs = reading.characters.iter().zip(&want.characters);
                for (got, want) in pairs.flat_map(|(a, b)| {
                    a.prediction
                        .probabilities
                        .iter()
                        .zip(&b.prediction.probabilities)
                }) {
                    assert!(
                        (got - want).abs() < TOLERANCE,
                        "{file} on {}",
                        backend.name()
                    );
                }
            }
        }
    }
}

#[test]
fn the_line_model_reads_alike_on_every_backend() {
    let bytes = shipped("lines.bpk");
    let images: Vec<_> = drawings("cursive.json", 16)
        .iter()
        .map(|strokes| line_from_strokes(strokes, PEN_WIDTH).unwrap())
        .collect();
    let readings = |backend: CpuBackend| {
        let reader = LineReader::from_bytes(&bytes, "lines.bpk", &backend.device()).unwrap();
        let decoding = Decoding::Beam(Default::default());
        let readings: Vec<_> = images
            .iter()
            .map(|i| reader.read(i, &decoding).unwrap())
            .collect();
        readings
    };
    let expected = readings(CpuBackend::preferred());
    for &backend in CpuBackend::ALL {
        for (reading, want) in readings(backend).iter().zip(&expected) {
            assert_eq!(reading.text, want.text, "on {}", backend.name());
            for (got, want) in reading.symbols.iter().zip(&want.symbols) {
                assert!(
                    (got.confidence - want.confidence).abs() < TOLERANCE,
                    "on {}",
                    backend.name()
                );
            }
        }
    }
}
