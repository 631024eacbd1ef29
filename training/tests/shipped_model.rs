//! The committed weights load and read real MNIST digits.

mod common;

use handwriting::{CpuBackend, Glyph, Recognizer};

#[test]
fn shipped_weights_classify_real_mnist_digits() {
    let path = common::shipped_weights();
    let recognizer = Recognizer::from_bytes(
        &common::read(&path),
        &path.display().to_string(),
        &CpuBackend::preferred().device(),
    )
    .unwrap();
    let metadata = recognizer.metadata();
    assert_eq!(metadata.labels.len(), 10);
    // The accuracy the training crate measured on all 10,000 test images when it wrote the file.
    assert!(metadata.test_accuracy.unwrap() >= 0.996, "{metadata:?}");
    // Calibrated on the validation split: a real threshold, not the "accept all" default.
    assert!(metadata.rejection_threshold > 0.5, "{metadata:?}");

    let samples = common::mnist_sample();
    let glyphs: Vec<Glyph> = samples
        .iter()
        .map(|s| Glyph::from_mnist_bytes(&s.pixels))
        .collect();
    let predictions = recognizer.recognize_batch(&glyphs).unwrap();
    let correct = samples
        .iter()
        .zip(&predictions)
        .filter(|(s, p)| p.best().class == s.class)
        .count();
    assert!(correct >= 297, "{correct} of 300 correct");
    for (sample, prediction) in samples.iter().zip(&predictions).take(20) {
        assert_eq!(prediction.best().label, sample.class.to_string());
    }
}
