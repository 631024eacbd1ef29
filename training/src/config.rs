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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f32,
    pub early_stopping_patience: usize,
    pub seed: u64,
    pub data_workers: usize,
    pub scribbles_per_batch: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    pub artifact_dir: PathBuf,
    pub weights: PathBuf,
    pub report_dir: PathBuf,
}

impl OutputConfig {
    /// Where the run writes, for resolving against the repository root.
    pub fn paths(&mut self) -> [&mut PathBuf; 3] {
        [
            &mut self.artifact_dir,
            &mut self.weights,
            &mut self.report_dir,
        ]
    }
}

impl Config {
    /// Reads a config file; relative paths in it are made relative to the repository root.
    pub fn load(path: &Path) -> Result<Self> {
        let mut config: Self = read_toml(path)?;
        from_repository_root(
            config
                .output
                .paths()
                .into_iter()
                .chain([&mut config.data.dir]),
        );
        Ok(config)
    }

    /// Metadata for a fresh network as this config describes it, for a data set with `labels`.
    pub fn model_metadata(&self, labels: Vec<String>) -> ModelMetadata {
        let mut metadata = ModelMetadata::new(
            self.model.architecture,
            labels,
            self.data.dataset.to_string(),
        );
        metadata.config.dropout = self.model.dropout;
        if self.data.dataset == DatasetKind::UnipenCharacters {
            metadata.citation = Some(crate::characters::CITATION.to_string());
        }
        metadata
    }
}

/// Reads a TOML config file, naming the file in errors (an unknown key among them).
pub fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
}

/// Makes relative paths relative to the repository root, as the config files mean them.
pub fn from_repository_root<'a>(paths: impl IntoIterator<Item = &'a mut PathBuf>) {
    let root = repository_root();
    for path in paths {
        if path.is_relative() {
            *path = root.join(&*path);
        }
    }
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
