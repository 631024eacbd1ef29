//! `manifest.json` beside the weights: the list of models the page offers.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use handwriting::ModelMetadata;
use serde::{Deserialize, Serialize};

/// The manifest's file name, in the weights' folder.
pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub models: Vec<Entry>,
}

/// One model as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The weights file, relative to the manifest.
    pub file: String,
    /// What the page's model menu shows.
    pub name: String,
    pub dataset: String,
    pub labels: Vec<String>,
    pub test_accuracy: Option<f64>,
    pub bytes: u64,
}

/// Adds or replaces the entry of the weights file at `weights` in the manifest beside it,
/// written atomically. A manifest that does not parse is an error, never overwritten.
pub fn record(weights: &Path, metadata: &ModelMetadata) -> Result<PathBuf> {
    let dir = weights.parent().unwrap_or(Path::new("."));
    let path = dir.join(MANIFEST);
    let mut manifest = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a model manifest; fix or delete it",
                path.display()
            )
        })?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Manifest::default(),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", path.display()));
        }
    };
    let file = weights
        .file_name()
        .context("the weights path names no file")?
        .to_string_lossy()
        .into_owned();
    let entry = Entry {
        name: display_name(&metadata.dataset, metadata.labels.len()),
        dataset: metadata.dataset.clone(),
        labels: metadata.labels.clone(),
        test_accuracy: metadata.test_accuracy,
        bytes: std::fs::metadata(weights)
            .with_context(|| format!("cannot read {}", weights.display()))?
            .len(),
        file,
    };
    manifest.models.retain(|m| m.file != entry.file);
    manifest.models.push(entry);
    manifest.models.sort_by(|a, b| a.file.cmp(&b.file));
    crate::atomic::write(&path, serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    Ok(path)
}

/// A human name for a model trained on `dataset`.
fn display_name(dataset: &str, classes: usize) -> String {
    match dataset {
        "mnist" | "emnist-digits" => "Digits".to_string(),
        "unipen-characters" | "mnist-unipen-characters" => {
            "Letters, digits and punctuation".to_string()
        }
        "emnist-letters" => "Letters".to_string(),
        "emnist-balanced" | "emnist-byclass" => format!("Digits and letters ({classes} classes)"),
        other => format!("{other} ({classes} classes)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handwriting::Architecture;

    fn metadata(dataset: &str, labels: &[&str]) -> ModelMetadata {
        ModelMetadata::new(
            Architecture::VggGap,
            labels.iter().map(|l| l.to_string()).collect(),
            dataset,
        )
    }

    #[test]
    fn entries_are_added_replaced_and_kept_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let digits = dir.path().join("digits.bpk");
        let letters = dir.path().join("letters.bpk");
        std::fs::write(&digits, b"12345").unwrap();
        std::fs::write(&letters, b"123").unwrap();
        record(&letters, &metadata("emnist-letters", &["a", "b"])).unwrap();
        record(&digits, &metadata("mnist", &["0", "1"])).unwrap();
        let mut retrained = metadata("mnist", &["0", "1"]);
        retrained.test_accuracy = Some(0.99);
        let path = record(&digits, &retrained).unwrap();
        let manifest: Manifest =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let files: Vec<&str> = manifest.models.iter().map(|m| m.file.as_str()).collect();
        assert_eq!(files, ["digits.bpk", "letters.bpk"]);
        assert_eq!(manifest.models[0].test_accuracy, Some(0.99));
        assert_eq!(manifest.models[0].bytes, 5);
        assert_eq!(manifest.models[1].name, "Letters");
    }

    #[test]
    fn a_corrupt_manifest_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let weights = dir.path().join("digits.bpk");
        std::fs::write(&weights, b"1").unwrap();
        std::fs::write(dir.path().join(MANIFEST), b"{ not json").unwrap();
        let error = format!(
            "{:#}",
            record(&weights, &metadata("mnist", &["0"])).unwrap_err()
        );
        assert!(error.contains("not a model manifest"), "{error}");
        assert_eq!(
            std::fs::read(dir.path().join(MANIFEST)).unwrap(),
            b"{ not json"
        );
    }
}
