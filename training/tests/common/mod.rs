//! Shared by the training crate's integration tests: the MNIST sample shipped in the repo.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use training::data::Sample;
use training::idx;

pub fn repository_root() -> PathBuf {
    training::config::repository_root()
}

/// The first 300 images of the MNIST test set, shipped under `tests/fixtures/`.
pub fn mnist_sample() -> Vec<Sample> {
    let dir = repository_root().join("tests/fixtures");
    let images = idx::read_images(&dir.join("mnist-t10k-300-images-idx3-ubyte")).unwrap();
    let labels = idx::read_labels(&dir.join("mnist-t10k-300-labels-idx1-ubyte")).unwrap();
    images
        .pixels
        .chunks_exact(784)
        .zip(labels)
        .map(|(pixels, label)| Sample {
            pixels: pixels.try_into().unwrap(),
            class: usize::from(label),
            strokes: None,
        })
        .collect()
}

/// The weights the page ships.
pub fn shipped_weights() -> PathBuf {
    repository_root().join("www/models/digits.bpk")
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
