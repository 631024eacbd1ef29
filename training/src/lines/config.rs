//! `training/lines.toml`: the line model's hyper-parameters, in one place.

use std::path::PathBuf;

use anyhow::{Result, bail};
use handwriting::ctc::LanguageModelWeights;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::augment::{AugmentConfig, uniform};
use crate::config::{OutputConfig, TrainingConfig, config_file};

/// The line model's config file, used when `--config` is not given to `lines`.
pub const LINES_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lines.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesConfig {
    pub data: LinesData,
    pub model: LinesModel,
    pub training: TrainingConfig,
    pub augmentation: LinesAugmentation,
    pub synthetic_lines: SyntheticLines,
    pub language_model: LanguageModelSection,
    pub output: OutputConfig,
}

/// The character language model the beam search weighs against the network (see
/// `handwriting::ctc::LanguageModel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageModelSection {
    /// Symbols of context, 1 to 4.
    pub history: usize,
    /// How much its log-probabilities count against the network's.
    pub weight: f32,
    /// How much they count in a search held to the user's word list.
    pub weight_with_word_list: f32,
    /// What each symbol read gains, against the model's cost of every symbol.
    pub symbol_bonus: f32,
    /// How much the case model's log-probabilities count against the network's.
    pub case_weight: f32,
    /// Where SCOWL's English word lists are (fetched there on first use).
    pub english_words_dir: PathBuf,
    /// How many times each of SCOWL's lists counts beside the training texts, the most
    /// common words' list first (see `lines::english`).
    pub english_word_repeats: Vec<usize>,
    /// How many of SCOWL's lists, the most common words' first, the lexicon holds beside the
    /// training texts' words.
    pub lexicon_english_lists: usize,
    /// What a word the lexicon lacks costs in a search without a word list (natural log, at
    /// most 0).
    pub unknown_word_penalty: f32,
}

impl LanguageModelSection {
    /// The weights, refused here if the page would refuse the model they are written into.
    pub fn weights(&self) -> Result<LanguageModelWeights> {
        let weights = LanguageModelWeights {
            ngram: self.weight,
            ngram_with_word_list: self.weight_with_word_list,
            symbol_bonus: self.symbol_bonus,
            case: self.case_weight,
            unknown_word: self.unknown_word_penalty,
        };
        if let Some(problem) = weights.problem() {
            bail!("[language_model] in the lines config: {problem}");
        }
        Ok(weights)
    }
}

/// Lines composed of a training writer's words side by side (see `lines::synthetic`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyntheticLines {
    /// How many to add to the training lines.
    pub count: usize,
    /// The gap between two words, as a fraction of the words' height.
    pub min_gap: f32,
    pub max_gap: f32,
    /// How far a word's middle may sit above or below the first's, as a fraction of its height.
    pub max_drift: f32,
    /// Words printed in a training writer's characters (see `lines::printed`), added too.
    pub printed_words: usize,
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
pub struct LinesAugmentation {
    pub enabled: bool,
    pub max_rotation_degrees: f32,
    pub min_scale: f32,
    pub max_scale: f32,
    pub max_shear: f32,
    pub point_jitter: f32,
    /// Amplitude of the sine warp along the line, in line heights (see `lines::warp`).
    pub max_warp: f32,
    /// Amplitude of the baseline's wave, in line heights.
    pub max_baseline_wave: f32,
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
            slashed_zeros: 0.0,
        }
    }

    /// A random pen width within the configured range.
    pub fn pen_width(&self, rng: &mut impl Rng) -> f32 {
        uniform(rng, self.min_pen_width, self.max_pen_width)
    }
}

config_file!(LinesConfig);

impl LinesConfig {
    /// The language model's file, beside the weights.
    pub fn language_model_path(&self) -> PathBuf {
        super::language::path_beside(&self.output.weights)
    }

    /// What the run's checkpoints depend on: a resume needs the same, down to the weights
    /// the run started from (their SHA-256; `None` for random ones).
    pub fn run_identity(&self, initial_weights: Option<&str>) -> Result<String> {
        let run = serde_json::json!({
            "data": self.data,
            "model": self.model,
            "training": self.training,
            "augmentation": self.augmentation,
            "synthetic_lines": self.synthetic_lines,
            "initial_weights": initial_weights,
        });
        Ok(serde_json::to_string_pretty(&run)?)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::ConfigFile;

    #[test]
    fn the_shipped_config_parses() {
        let config = LinesConfig::load(Path::new(LINES_CONFIG)).unwrap();
        assert!(config.output.weights.ends_with("www/models/lines.bpk"));
        assert!(config.output.weights.is_absolute());
        assert_eq!(config.data.categories, ["6", "7", "8"]);
    }

    #[test]
    fn weights_the_page_would_refuse_are_refused_before_a_model_is_written() {
        let section = LinesConfig::load(Path::new(LINES_CONFIG))
            .unwrap()
            .language_model;
        assert_eq!(section.weights().unwrap().case, section.case_weight);
        for broken in [
            LanguageModelSection {
                case_weight: -0.3,
                ..section.clone()
            },
            LanguageModelSection {
                unknown_word_penalty: 1.0,
                ..section.clone()
            },
            LanguageModelSection {
                weight: f32::NAN,
                ..section.clone()
            },
            LanguageModelSection {
                weight_with_word_list: -0.1,
                ..section.clone()
            },
        ] {
            let error = broken.weights().unwrap_err().to_string();
            assert!(
                error.starts_with("[language_model] in the lines config: "),
                "{error}"
            );
        }
    }
}
