//! Loading weights and turning glyphs into ranked labels.

use burn::module::Module;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use thiserror::Error;

use crate::glyph::{GLYPH_PIXELS, Glyph};
use crate::model::{Model, input_shape};
use crate::weights::{self, ModelMetadata, WeightsError};

/// Why recognition failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RecognizeError {
    #[error(transparent)]
    Weights(#[from] WeightsError),
    #[error("the {backend} backend failed: {reason}")]
    Backend { backend: String, reason: String },
}

/// One class and how likely the network finds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    pub class: usize,
    pub label: String,
    pub probability: f32,
}

/// The network's verdict on one glyph.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Prediction {
    /// Probability of every class, in class order.
    pub probabilities: Vec<f32>,
    /// Every class, most likely first.
    ranked: Vec<Candidate>,
}

impl Prediction {
    pub(crate) fn new(probabilities: Vec<f32>, labels: &[String]) -> Self {
        let mut ranked: Vec<Candidate> = probabilities
            .iter()
            .zip(labels)
            .enumerate()
            .map(|(class, (&probability, label))| Candidate {
                class,
                label: label.clone(),
                probability,
            })
            .collect();
        ranked.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        Self {
            probabilities,
            ranked,
        }
    }

    /// The prediction with each class's probability multiplied by its weight and the whole
    /// normalised again: how context revises what the network saw. Unchanged when the
    /// weights leave nothing (all zero or not finite).
    pub fn reweighed(&self, weights: &[f32], labels: &[String]) -> Self {
        let weighted: Vec<f32> = self
            .probabilities
            .iter()
            .zip(weights)
            .map(|(p, w)| p * w)
            .collect();
        let total: f32 = weighted.iter().sum();
        if !(total.is_finite() && total > 0.0) || weighted.len() != self.probabilities.len() {
            return self.clone();
        }
        Self::new(weighted.iter().map(|p| p / total).collect(), labels)
    }

    /// The probability that the glyph is any one of `labels`.
    pub(crate) fn probability_of_any(&self, labels: &[&str]) -> f32 {
        self.ranked
            .iter()
            .filter(|candidate| labels.contains(&candidate.label.as_str()))
            .map(|candidate| candidate.probability)
            .sum()
    }

    /// The prediction with the probability of every label in `alike` moved onto `into`:
    /// one reading for shapes that context has made one character. Unchanged if `into` is not
    /// one of the classes.
    pub(crate) fn merged(&self, alike: &[&str], into: &str) -> Self {
        let mut labels = vec![String::new(); self.probabilities.len()];
        for candidate in &self.ranked {
            labels[candidate.class] = candidate.label.clone();
        }
        let Some(target) = labels.iter().position(|label| label == into) else {
            return self.clone();
        };
        let mut probabilities = self.probabilities.clone();
        for (class, label) in labels.iter().enumerate() {
            if class != target && alike.contains(&label.as_str()) {
                probabilities[target] += std::mem::take(&mut probabilities[class]);
            }
        }
        Self::new(probabilities, &labels)
    }

    /// The most likely class.
    pub fn best(&self) -> &Candidate {
        &self.ranked[0]
    }

    /// The `k` most likely classes, most likely first.
    pub fn top_k(&self, k: usize) -> &[Candidate] {
        &self.ranked[..k.min(self.ranked.len())]
    }
}

/// A loaded network, ready to classify glyphs.
#[derive(Debug)]
pub struct Recognizer {
    model: Model,
    metadata: ModelMetadata,
    device: Device,
}

impl Recognizer {
    /// Loads weights written by the training crate. `origin` names the file or URL in errors.
    pub fn from_bytes(bytes: &[u8], origin: &str, device: &Device) -> Result<Self, WeightsError> {
        let (model, metadata) = weights::decode(bytes, origin, device)?;
        Ok(Self::from_model(model, metadata, device))
    }

    /// Wraps a network already in memory, such as one just trained: its inference copy (no
    /// autodiff, evaluation mode) on `device`, whichever device or backend it was trained on.
    pub fn from_model(model: Model, metadata: ModelMetadata, device: &Device) -> Self {
        Self {
            model: model.valid().to_device(device),
            metadata,
            device: device.clone(),
        }
    }

    pub fn metadata(&self) -> &ModelMetadata {
        &self.metadata
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Class probabilities for a batch of glyphs as a `[batch, classes]` tensor, not yet read
    /// back: GPU callers read it asynchronously.
    pub fn probabilities(&self, glyphs: &[Glyph]) -> Tensor<2> {
        let mut input = Vec::with_capacity(glyphs.len() * GLYPH_PIXELS);
        for glyph in glyphs {
            self.metadata
                .normalization
                .extend(glyph.intensities(), &mut input);
        }
        let input = Tensor::<4>::from_data(
            TensorData::new(input, input_shape(glyphs.len())),
            &self.device,
        );
        softmax(self.model.forward(input), 1)
    }

    /// Turns probabilities read back from [`Recognizer::probabilities`] into predictions.
    pub fn predictions(&self, data: TensorData) -> Result<Vec<Prediction>, RecognizeError> {
        let values = data
            .try_to_vec::<f32>()
            .map_err(|e| self.backend_error(format!("{e:?}")))?;
        Ok(values
            .chunks_exact(self.metadata.labels.len())
            .map(|row| Prediction::new(row.to_vec(), &self.metadata.labels))
            .collect())
    }

    /// Classifies a batch of glyphs in one forward pass (synchronous read-back: CPU backends).
    pub fn recognize_batch(&self, glyphs: &[Glyph]) -> Result<Vec<Prediction>, RecognizeError> {
        if glyphs.is_empty() {
            return Ok(Vec::new());
        }
        let data = self
            .probabilities(glyphs)
            .try_into_data()
            .map_err(|e| self.backend_error(format!("{e:?}")))?;
        self.predictions(data)
    }

    /// Classifies one glyph.
    pub fn recognize(&self, glyph: &Glyph) -> Result<Prediction, RecognizeError> {
        let mut predictions = self.recognize_batch(std::slice::from_ref(glyph))?;
        Ok(predictions.remove(0))
    }

    fn backend_error(&self, reason: String) -> RecognizeError {
        RecognizeError::Backend {
            backend: format!("{:?}", self.device),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_labels_give_their_probability_to_one() {
        let labels: Vec<String> = ["0", "8", "o", "O"].map(String::from).into();
        let prediction = Prediction::new(vec![0.2, 0.4, 0.3, 0.1], &labels);
        assert!((prediction.probability_of_any(&["0", "o", "O"]) - 0.6).abs() < 1e-6);
        let zero = prediction.merged(&["0", "o", "O"], "0");
        assert_eq!(zero.best().label, "0");
        assert!((zero.best().probability - 0.6).abs() < 1e-6);
        assert_eq!(zero.probabilities[2..], [0.0, 0.0]);
        assert_eq!(prediction.merged(&["o"], "Q"), prediction);
    }
}
