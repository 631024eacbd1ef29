//! `training/config.toml`: every hyper-parameter in one place, overridable from the command line.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use handwriting::{Architecture, ModelMetadata};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::augment::AugmentConfig;
use crate::data::DatasetKind;
use crate::rejection::RejectionConfig;

/// The config file shipped with the crate, used when `--config` is not given.
pub const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub data: DataConfig,
    pub model: ModelSection,
    pub training: TrainingConfig,
    pub augmentation: AugmentConfig,
    pub rejection: RejectionConfig,
    pub output: OutputConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    pub dataset: DatasetKind,
    pub dir: PathBuf,
    pub validation_size: usize,
}

/// Which network to train, and the hyper-parameters of its shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSection {
    pub architecture: Architecture,
    pub dropout: f64,
}

/// The `[training]` section, alike in every model's config: the schedule of burn-train's loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    pub epochs: usize,
    pub batch_size: usize,
    /// Peak learning rate of AdamW, after a one-epoch warm-up.
    pub learning_rate: f64,
    pub weight_decay: f32,
    /// Epochs without a better validation loss before stopping.
    pub early_stopping_patience: usize,
    pub seed: u64,
    pub data_workers: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    pub artifact_dir: PathBuf,
    pub weights: PathBuf,
    pub report_dir: PathBuf,
}

/// A model's config file: TOML whose relative paths mean the repository root, with what every
/// model's config has (for path resolution and the command line's overrides).
pub trait ConfigFile: DeserializeOwned {
    /// The data folder and where the run writes.
    fn paths(&mut self) -> (&mut PathBuf, &mut OutputConfig);
    /// The `[training]` section.
    fn training(&mut self) -> &mut TrainingConfig;
    /// Whether training distorts its samples.
    fn augmenting(&mut self) -> &mut bool;

    /// Reads a config file; relative paths in it are made relative to the repository root.
    fn load(path: &Path) -> Result<Self> {
        let mut config: Self = read_toml(path)?;
        let root = repository_root();
        let (data_dir, output) = config.paths();
        for path in [
            data_dir,
            &mut output.artifact_dir,
            &mut output.weights,
            &mut output.report_dir,
        ] {
            if path.is_relative() {
                *path = root.join(&*path);
            }
        }
        Ok(config)
    }
}

/// Implements [`ConfigFile`] for a config with the sections every model's has alike: `data`
/// with a `dir`, `training`, `augmentation` with `enabled`, and `output`.
macro_rules! config_file {
    ($config:ty) => {
        impl $crate::config::ConfigFile for $config {
            fn paths(&mut self) -> (&mut std::path::PathBuf, &mut $crate::config::OutputConfig) {
                (&mut self.data.dir, &mut self.output)
            }

            fn training(&mut self) -> &mut $crate::config::TrainingConfig {
                &mut self.training
            }

            fn augmenting(&mut self) -> &mut bool {
                &mut self.augmentation.enabled
            }
        }
    };
}
pub(crate) use config_file;

config_file!(Config);

impl Config {
    /// Metadata for a fresh network as this config describes it, for a data set with `labels`.
    pub fn model_metadata(&self, labels: Vec<String>) -> ModelMetadata {
        let mut metadata = ModelMetadata::new(
            self.model.architecture,
            labels,
            self.data.dataset.to_string(),
        );
        metadata.config.dropout = self.model.dropout;
        if self.data.dataset.uses_unipen() {
            metadata.citation = Some(crate::characters::CITATION.to_string());
        }
        metadata
    }
}

/// Reads a TOML config file, naming the file in errors (an unknown key among them).
fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

/// The workspace root: the parent of this crate's folder.
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the training crate lives inside the workspace")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_config_parses_with_absolute_paths() {
        let config = Config::load(Path::new(DEFAULT_CONFIG)).unwrap();
        assert_eq!(config.data.dataset, DatasetKind::Mnist);
        assert!(config.output.weights.is_absolute());
        assert!(config.output.weights.ends_with("www/models/digits.bpk"));
    }

    #[test]
    fn unknown_keys_are_rejected_by_name() {
        let text = std::fs::read_to_string(DEFAULT_CONFIG)
            .unwrap()
            .replace("batch_size = ", "bacth_size = ");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let error = format!("{:#}", Config::load(&path).unwrap_err());
        assert!(error.contains("bacth_size"), "{error}");
    }
}
