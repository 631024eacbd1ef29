//! UNIPEN's isolated characters (categories 1a–1d) as labelled samples, drawn through the
//! library's own stroke path and split by writer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use handwriting::{Stroke, glyph_from_strokes};

use crate::data::{Sample, Splits};
use crate::unipen::{self, Segment};

/// The characters the model reads: digits, letters and the punctuation that text needs.
pub const CLASSES: &str = concat!(
    "0123456789",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "abcdefghijklmnopqrstuvwxyz",
    ".,'\"-+=/()?!:;@#%&*"
);

/// UNIPEN's categories of isolated characters: digits, upper case, lower case, symbols.
const CATEGORIES: [&str; 4] = ["1a", "1b", "1c", "1d"];

/// Which of UNIPEN's isolated characters a model learns: the categories to read and the
/// classes to keep (a sample labelled otherwise is counted and left out).
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    pub categories: &'static [&'static str],
    pub classes: &'static str,
}

/// The characters model's: every category, every class.
pub const CHARACTERS: Selection = Selection {
    categories: &CATEGORIES,
    classes: CLASSES,
};

/// The digits model's share: category 1a, isolated digits.
pub const DIGITS: Selection = Selection {
    categories: &["1a"],
    classes: "0123456789",
};

/// Out of every 10 writers, which go to the test split and which to validation (by a hash of
/// the writer's name, so the split is deterministic and independent of file order).
const TEST_BUCKET: u64 = 0;
const VALIDATION_BUCKET: u64 = 1;
const BUCKETS: u64 = 10;

/// What weights trained on UNIPEN carry in their metadata: the data's licence asks for it.
pub const CITATION: &str = "Trained on UNIPEN train_r01_v07 (CC BY 4.0, doi:10.5281/zenodo.1195803): \
I. Guyon, L. Schomaker, R. Plamondon, M. Liberman, S. Janet, \"UNIPEN project of on-line data \
exchange and recognizer benchmarks\", ICPR 1994.";

/// Where a copy of UNIPEN sits beside the repository (see the README's Data section).
pub const SHARED_ARCHIVE: &str = "../shared/data/unipen/unipen-train_r01_v07.tar.zst";
/// The folder the archive unpacks to.
const UNPACKED: &str = "unipen-train_r01_v07";

/// Which split a writer's samples belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Split {
    Train,
    Validation,
    Test,
}

/// The split of a writer: whole writers only, never single samples.
pub fn split_of(writer: &str) -> Split {
    match fnv1a(writer.as_bytes()) % BUCKETS {
        TEST_BUCKET => Split::Test,
        VALIDATION_BUCKET => Split::Validation,
        _ => Split::Train,
    }
}

/// FNV-1a, 64-bit: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The UNIPEN tree under `dir`: `dir` itself when it holds `data/`, the unpacked archive's
/// folder inside it, or, when neither exists yet, the archive beside the repository unpacked
/// into `dir` first.
pub fn locate(dir: &Path, repository_root: &Path) -> Result<PathBuf> {
    for candidate in [dir.to_path_buf(), dir.join(UNPACKED)] {
        if candidate.join("data").is_dir() {
            return Ok(candidate);
        }
    }
    let archive = repository_root.join(SHARED_ARCHIVE);
    if !archive.is_file() {
        bail!(
            "no UNIPEN data in {}: unpack unipen-train_r01_v07 there (see the README's Data section)",
            dir.display()
        );
    }
    println!("unpacking {} into {}", archive.display(), dir.display());
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let status = Command::new("tar")
        .arg("--zstd")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(dir)
        .status()
        .context("cannot run tar to unpack UNIPEN (it needs tar and zstd)")?;
    if !status.success() {
        bail!("tar could not unpack {} ({status})", archive.display());
    }
    Ok(dir.join(UNPACKED))
}

/// Reads the isolated characters of `selection` under `root`, draws each as the page would,
/// and splits them by writer. Prints what was read, skipped and held out.
pub fn load(root: &Path, selection: Selection) -> Result<Splits> {
    let corpus = unipen::read(root, selection.categories)
        .with_context(|| format!("cannot read UNIPEN from {}", root.display()))?;
    println!("{}", corpus.summary());
    let labels: Vec<String> = selection.classes.chars().map(String::from).collect();
    let class_of: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(class, label)| (label.as_str(), class))
        .collect();
    let mut outside_classes = 0;
    let mut kept: Vec<(Segment, usize)> = Vec::new();
    for segment in corpus.segments {
        match class_of.get(segment.label.as_str()) {
            Some(&class) => kept.push((segment, class)),
            None => outside_classes += 1,
        }
    }
    let samples = render_all(kept);
    let undrawable = samples.iter().filter(|s| s.is_none()).count();
    let mut splits = Splits {
        train: Vec::new(),
        validation: Some(Vec::new()),
        test: Vec::new(),
        labels,
        split_facts: Vec::new(),
    };
    let mut writers: BTreeMap<Split, BTreeSet<String>> = BTreeMap::new();
    for (sample, writer) in samples.into_iter().flatten() {
        let split = split_of(&writer);
        writers.entry(split).or_default().insert(writer);
        match split {
            Split::Train => splits.train.push(sample),
            Split::Validation => splits.validation.get_or_insert_default().push(sample),
            Split::Test => splits.test.push(sample),
        }
    }
    println!(
        "characters: {outside_classes} with labels outside the {} classes and {undrawable} too small to draw left out",
        splits.labels.len()
    );
    let count = |split| writers.get(&split).map_or(0, BTreeSet::len);
    let described =
        |samples: usize, split| format!("{samples} characters of {} writers", count(split));
    splits.split_facts = vec![
        (
            "train".to_string(),
            described(splits.train.len(), Split::Train),
        ),
        (
            "validation (writers never trained on)".to_string(),
            described(
                splits.validation.as_ref().map_or(0, Vec::len),
                Split::Validation,
            ),
        ),
        (
            "test (writers never trained on)".to_string(),
            described(splits.test.len(), Split::Test),
        ),
    ];
    println!(
        "split by writer: {}",
        splits
            .split_facts
            .iter()
            .map(|(split, counts)| format!("{split}: {counts}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if splits.train.is_empty() || splits.test.is_empty() {
        bail!(
            "UNIPEN under {} gave no usable characters for training or testing",
            root.display()
        );
    }
    Ok(splits)
}

/// Each segment drawn to a glyph through the library's stroke path, on every core; `None`
/// where there is nothing to draw (a single point).
fn render_all(segments: Vec<(Segment, usize)>) -> Vec<Option<(Sample, String)>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = segments.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = segments
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(segment, class)| render(segment.strokes.clone(), *class))
                        .zip(part)
                        .map(|(sample, (segment, _))| {
                            sample.map(|sample| (sample, segment.writer.clone()))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("rendering does not panic"))
            .collect()
    })
}

/// A sample of `class` from its strokes: their glyph as the page draws it, and the strokes
/// themselves for augmentation at the stroke level.
pub fn render(strokes: Vec<Stroke>, class: usize) -> Option<Sample> {
    let glyph = glyph_from_strokes(&strokes).ok()?;
    Some(Sample {
        pixels: glyph.to_bytes(),
        class,
        strokes: Some(Arc::new(strokes)),
    })
}

/// The category of a class's label, for reporting: digit, upper, lower or symbol.
pub fn category(label: &str) -> &'static str {
    match label.chars().next() {
        Some(c) if c.is_ascii_digit() => "digits",
        Some(c) if c.is_ascii_uppercase() => "upper",
        Some(c) if c.is_ascii_lowercase() => "lower",
        _ => "symbols",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classes_are_digits_letters_and_punctuation_without_repeats() {
        let classes: Vec<char> = CLASSES.chars().collect();
        assert_eq!(classes.len(), 81);
        assert_eq!(classes.iter().collect::<BTreeSet<_>>().len(), 81);
        assert_eq!(category("7"), "digits");
        assert_eq!(category("Q"), "upper");
        assert_eq!(category("q"), "lower");
        assert_eq!(category("%"), "symbols");
    }

    #[test]
    fn writers_are_split_whole_deterministically_and_in_proportion() {
        assert_eq!(split_of("apa/17"), split_of("apa/17"));
        let counts = (0..10_000).fold(BTreeMap::new(), |mut counts, i| {
            *counts.entry(split_of(&format!("c/{i}"))).or_insert(0) += 1;
            counts
        });
        for (split, share) in [(Split::Test, 0.1), (Split::Validation, 0.1)] {
            let fraction = f64::from(counts[&split]) / 10_000.0;
            assert!((fraction - share).abs() < 0.02, "{split:?}: {fraction}");
        }
    }

    #[test]
    fn a_tree_without_characters_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data/1a")).unwrap();
        let error = load(dir.path(), CHARACTERS).unwrap_err().to_string();
        assert!(error.contains("no usable characters"), "{error}");
    }
}
