//! A real burn-train run on a few hundred images: the loss falls, checkpoints are written, and
//! a second run with the same config resumes from them.

mod common;

use std::path::Path;

use burn::module::Module;

use handwriting::{
    Architecture, CpuBackend, Glyph, Model, ModelConfig, ModelMetadata, Recognizer,
    glyph_from_strokes,
};
use training::config::{Config, ConfigFile, DEFAULT_CONFIG};
use training::data::Sample;
use training::{characters, outliers, train};

fn tiny_config(artifact_dir: &Path) -> Config {
    let mut config = Config::load(Path::new(DEFAULT_CONFIG)).unwrap();
    config.data.validation_size = 60;
    config.training.epochs = 1;
    config.training.batch_size = 16;
    config.training.data_workers = 0;
    config.augmentation.enabled = false;
    config.output.artifact_dir = artifact_dir.to_path_buf();
    config
}

fn recognizer(model: Model) -> Recognizer {
    Recognizer::from_model(
        model,
        ModelMetadata::new(Architecture::VggGap, digits(), "mnist"),
        &CpuBackend::preferred().device(),
    )
}

/// The digits' labels, `0` to `9`.
fn digits() -> Vec<String> {
    (0..10).map(|d| d.to_string()).collect()
}

/// Mean cross-entropy of `model` on `samples`, through the library's inference path.
fn mean_loss(model: Model, samples: &[Sample]) -> f32 {
    let recognizer = recognizer(model);
    let glyphs: Vec<Glyph> = samples
        .iter()
        .map(|s| Glyph::from_mnist_bytes(&s.pixels))
        .collect();
    let predictions = recognizer.recognize_batch(&glyphs).unwrap();
    let total: f32 = samples
        .iter()
        .zip(&predictions)
        .map(|(s, p)| -p.probabilities[s.class].max(1e-7).ln())
        .sum();
    total / samples.len() as f32
}

#[test]
fn one_epoch_on_a_few_hundred_images_lowers_the_loss_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let config = tiny_config(dir.path());
    let samples = common::mnist_sample();
    let model = Architecture::VggGap.init(
        &ModelConfig::new(10),
        &train::training_device(config.training.seed),
    );
    let before = mean_loss(model.clone(), &samples);

    let partition = train::Partition::new(&config, samples.clone(), None, &digits()).unwrap();
    let (trained, _) = train::fit(&config, &partition, model.clone(), false).unwrap();
    let after = mean_loss(trained.clone(), &samples);
    assert!(after < before * 0.9, "loss {before} -> {after}");
    assert!(dir.path().join("checkpoint/model-1.bpk").is_file());
    assert!(dir.path().join("clock/epoch-1.seconds").is_file());

    // Same config again: it resumes from epoch 1's checkpoint, so there is nothing left to
    // train and the model comes back exactly as trained, its time counted from epoch 1's note.
    let (resumed, time) = train::fit(&config, &partition, model, false).unwrap();
    let again = mean_loss(resumed, &samples);
    assert!((again - after).abs() < 1e-5, "{after} vs {again}");
    assert!(!time.contains("resuming"), "{time}");
}

/// Outlier exposure does what it is for: the same network trained on the same images with
/// scribbles in its batches is less sure of scribbles it never saw than one trained without.
#[test]
fn scribbles_in_training_lower_the_confidence_on_scribbles() {
    let samples = common::mnist_sample();
    let unseen: Vec<Glyph> = outliers::scribbles(200, 99)
        .iter()
        .filter_map(|strokes| glyph_from_strokes(strokes).ok())
        .collect();
    let mean_confidence = |scribbles_per_batch: usize| {
        let dir = tempfile::tempdir().unwrap();
        let mut config = tiny_config(dir.path());
        config.training.epochs = 5;
        config.rejection.scribbles_per_batch = scribbles_per_batch;
        let device = train::training_device(config.training.seed);
        let model = Architecture::VggGap.init(&ModelConfig::new(10), &device);
        let partition = train::Partition::new(&config, samples.clone(), None, &digits()).unwrap();
        let (trained, _) = train::fit(&config, &partition, model, true).unwrap();
        let predictions = recognizer(trained).recognize_batch(&unseen).unwrap();
        predictions
            .iter()
            .map(|p| p.best().probability)
            .sum::<f32>()
            / unseen.len() as f32
    };
    let without = mean_confidence(0);
    let with = mean_confidence(8);
    println!("mean confidence on unseen scribbles: {without} without, {with} with");
    assert!(
        with < without * 0.8,
        "mean confidence {without} without, {with} with"
    );
}

/// What the GPU build does after training: the network leaves the training device (autodiff,
/// and on the GPU another backend) for a plain copy on the CPU that evaluates it.
#[test]
fn a_trained_network_is_evaluated_as_a_plain_copy_on_the_cpu() {
    let trained = Architecture::VggGap.init(&ModelConfig::new(10), &train::training_device(1));

    let recognizer = recognizer(trained);

    let devices = recognizer.model().devices();
    assert_eq!(devices, vec![CpuBackend::preferred().device()]);
    assert!(!devices[0].is_autodiff(), "still recording gradients");
}

/// Pen-stroke samples, as UNIPEN gives them, train through the stroke-level augmentation
/// (half the zeros slashed) against a held-out validation set of their own (whole writers,
/// for UNIPEN): the loss on the training strokes falls.
#[test]
fn stroke_samples_train_with_stroke_augmentation_and_their_own_validation() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = tiny_config(dir.path());
    config.augmentation.enabled = true;
    config.augmentation.slashed_zeros = 0.5;
    config.training.epochs = 2;
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            training::config::repository_root().join("tests/fixtures/digit-strokes.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let samples: Vec<Sample> = (0..10)
        .flat_map(|digit| {
            let strokes: Vec<handwriting::Stroke> = fixture["digits"][digit.to_string()]
                .as_array()
                .unwrap()
                .iter()
                .map(|stroke| handwriting::Stroke {
                    points: stroke
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| handwriting::Point {
                            x: p[0].as_f64().unwrap() as f32 * 100.0,
                            y: p[1].as_f64().unwrap() as f32 * 100.0,
                        })
                        .collect(),
                    width: 1.0,
                })
                .collect();
            std::iter::repeat_n(characters::render(strokes, digit).unwrap(), 12)
        })
        .collect();
    assert!(samples.iter().all(|s| s.strokes.is_some()));
    let validation: Vec<Sample> = samples.iter().step_by(12).cloned().collect();
    let partition =
        train::Partition::new(&config, samples.clone(), Some(validation), &digits()).unwrap();
    let device = train::training_device(config.training.seed);
    let model = Architecture::VggGap.init(&ModelConfig::new(10), &device);
    let before = mean_loss(model.clone(), &samples);
    let (trained, _) = train::fit(&config, &partition, model, true).unwrap();
    let after = mean_loss(trained, &samples);
    assert!(after < before * 0.9, "loss {before} -> {after}");
}
