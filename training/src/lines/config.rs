//! `training/lines.toml`: the line model's hyper-parameters, in one place.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::augment::AugmentConfig;
use crate::config::repository_root;

/// The line model's config file, used when `--config` is not given to `lines`.
pub const LINES_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lines.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesConfig {
    pub data: LinesData,
    pub model: LinesModel,
    pub training: LinesTraining,
    pub augmentation: LinesAugmentation,
    pub output: LinesOutput,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesData {
    pub dir: PathBuf,
    pub categories: Vec<String>,
    pub max_text_length: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesModel {
    pub dropout: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesTraining {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f32,
    pub early_stopping_patience: usize,
    pub seed: u64,
    pub data_workers: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesAugmentation {
    pub enabled: bool,
    pub max_rotation_degrees: f32,
    pub min_scale: f32,
    pub max_scale: f32,
    pub max_shear: f32,
    pub point_jitter: f32,
    pub min_pen_width: f32,
    pub max_pen_width: f32,
}

impl LinesAugmentation {
    /// The stroke distortions, as the characters' augmentation applies them.
    pub fn strokes(&self) -> AugmentConfig {
        AugmentConfig {
            enabled: self.enabled,
            max_rotation_degrees: self.max_rotation_degrees,
            min_scale: self.min_scale,
            max_scale: self.max_scale,
            max_shear: self.max_shear,
            max_translation: 0.0,
            max_thickness_change: 0.0,
        }
    }

    /// A random pen width within the configured range.
    pub fn pen_width(&self, rng: &mut impl Rng) -> f32 {
        if self.max_pen_width > self.min_pen_width {
            rng.random_range(self.min_pen_width..=self.max_pen_width)
        } else {
            self.min_pen_width
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesOutput {
    pub artifact_dir: PathBuf,
    pub weights: PathBuf,
    pub report_dir: PathBuf,
}

impl LinesConfig {
    /// Reads a config file; relative paths in it are made relative to the repository root.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        let mut config: Self = toml::from_str(&text)
            .with_context(|| format!("invalid config file {}", path.display()))?;
        let root = repository_root();
        for path in [
            &mut config.data.dir,
            &mut config.output.artifact_dir,
            &mut config.output.weights,
            &mut config.output.report_dir,
        ] {
            if path.is_relative() {
                *path = root.join(&*path);
            }
        }
        Ok(config)
    }

    /// What the run's checkpoints depend on: a resume needs the same.
    pub fn run_identity(&self) -> Result<String> {
        let run = serde_json::json!({
            "data": self.data,
            "model": self.model,
            "training": self.training,
            "augmentation": self.augmentation,
        });
        Ok(serde_json::to_string_pretty(&run)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_config_parses() {
        let config = LinesConfig::load(Path::new(LINES_CONFIG)).unwrap();
        assert!(config.output.weights.ends_with("www/models/lines.bpk"));
        assert!(config.output.weights.is_absolute());
        assert_eq!(config.data.categories, ["6", "7", "8"]);
    }
}
