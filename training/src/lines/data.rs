//! UNIPEN's words and lines of text as labelled stroke sequences, deduplicated and split by
//! writer as the characters are.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use handwriting::Stroke;
use handwriting::lines::{FRAME_WIDTH, HORIZONTAL_STRETCH, LINE_HEIGHT, MAX_LINE_WIDTH};

use crate::augment::ink_size;
use crate::characters::{Split, split_of};
use crate::unipen;

/// One written word or line and what it says.
#[derive(Debug, Clone)]
pub struct LineSample {
    pub strokes: Arc<Vec<Stroke>>,
    pub text: String,
    /// UNIPEN's category: `6` cursive words, `7` mixed-style words, `8` free text.
    pub category: String,
    pub writer: String,
    /// Width over height of the ink: sorts a batch's lines by how wide they will be drawn.
    pub aspect: f32,
}

/// The splits, and the alphabet their texts are written in.
#[derive(Debug)]
pub struct LineSplits {
    pub train: Vec<LineSample>,
    pub validation: Vec<LineSample>,
    pub test: Vec<LineSample>,
    /// Every symbol of the training texts, sorted: the model's output classes after the blank.
    pub alphabet: String,
    /// Counts for the report: (split, description).
    pub facts: Vec<(String, String)>,
}

/// The human name of a UNIPEN category of words and lines.
pub fn category_name(category: &str) -> &'static str {
    match category {
        "6" => "cursive words",
        "7" => "mixed-style words",
        "8" => "text lines",
        _ => "other",
    }
}

/// Reads the words and lines of `categories` under the UNIPEN tree `root`, keeps those whose
/// text is printable ASCII of at most `max_text_length` characters and whose drawing gives the
/// network enough frames for its text, drops recordings listed twice (categories 6 and 7 share
/// many), and splits them by writer. Prints what was read, skipped and held out.
pub fn load(root: &Path, categories: &[String], max_text_length: usize) -> Result<LineSplits> {
    let categories: Vec<&str> = categories.iter().map(String::as_str).collect();
    let corpus = unipen::read(root, &categories)
        .with_context(|| format!("cannot read UNIPEN from {}", root.display()))?;
    println!("{}", corpus.summary());
    let mut seen = HashSet::new();
    let (mut repeated, mut unusable) = (0, 0);
    let (mut train, mut validation, mut test) = (Vec::new(), Vec::new(), Vec::new());
    let mut writers: BTreeMap<Split, BTreeSet<String>> = BTreeMap::new();
    for segment in corpus.segments {
        if !seen.insert(recording_key(&segment.writer, &segment.strokes)) {
            repeated += 1;
            continue;
        }
        let text = normalise_text(&segment.label);
        let Some(aspect) = aspect(&segment.strokes) else {
            unusable += 1;
            continue;
        };
        if !is_learnable(&text, aspect, max_text_length) {
            unusable += 1;
            continue;
        }
        let split = split_of(&segment.writer);
        writers
            .entry(split)
            .or_default()
            .insert(segment.writer.clone());
        let sample = LineSample {
            strokes: Arc::new(segment.strokes),
            text,
            category: segment.category,
            writer: segment.writer,
            aspect,
        };
        match split {
            Split::Train => train.push(sample),
            Split::Validation => validation.push(sample),
            Split::Test => test.push(sample),
        }
    }
    println!(
        "lines: {repeated} recordings listed twice and {unusable} with unusable text or ink left out"
    );
    if train.is_empty() || validation.is_empty() || test.is_empty() {
        bail!(
            "UNIPEN under {} gave no usable words or lines for training, validation or testing",
            root.display()
        );
    }
    let alphabet: BTreeSet<char> = train.iter().flat_map(|s| s.text.chars()).collect();
    let count = |split| writers.get(&split).map_or(0, BTreeSet::len);
    let describe = |samples: &[LineSample], split| {
        let words = samples.iter().filter(|s| s.category != "8").count();
        format!(
            "{} words and {} lines of {} writers",
            words,
            samples.len() - words,
            count(split)
        )
    };
    let facts = vec![
        ("train".to_string(), describe(&train, Split::Train)),
        (
            "validation (writers never trained on)".to_string(),
            describe(&validation, Split::Validation),
        ),
        (
            "test (writers never trained on)".to_string(),
            describe(&test, Split::Test),
        ),
    ];
    println!(
        "split by writer: {}",
        facts
            .iter()
            .map(|(split, counts)| format!("{split}: {counts}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(LineSplits {
        train,
        validation,
        test,
        alphabet: alphabet.into_iter().collect(),
        facts,
    })
}

/// The same pen trace listed under two categories hashes alike: its writer and every point.
fn recording_key(writer: &str, strokes: &[Stroke]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    writer.hash(&mut hasher);
    for stroke in strokes {
        stroke.points.len().hash(&mut hasher);
        for point in &stroke.points {
            point.x.to_bits().hash(&mut hasher);
            point.y.to_bits().hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// The transcription with runs of white space made one space and the ends trimmed.
fn normalise_text(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Width over height of the strokes' ink; `None` for a dot or a vertical bar.
pub(super) fn aspect(strokes: &[Stroke]) -> Option<f32> {
    let (width, height) = ink_size(strokes);
    (width > 0.0 && height > 0.0 && (width / height).is_finite()).then_some(width / height)
}

/// Whether CTC can learn this text from this drawing: printable ASCII, not too long, and
/// enough frames at the line height for each symbol and a blank between repeated ones.
pub(super) fn is_learnable(text: &str, aspect: f32, max_text_length: usize) -> bool {
    let length = text.chars().count();
    if length == 0
        || length > max_text_length
        || !text.chars().all(|c| c.is_ascii_graphic() || c == ' ')
    {
        return false;
    }
    let repeats = text
        .as_bytes()
        .windows(2)
        .filter(|pair| pair[0] == pair[1])
        .count();
    let columns = (aspect * HORIZONTAL_STRETCH * LINE_HEIGHT as f32).min(MAX_LINE_WIDTH as f32);
    let frames = columns as usize / FRAME_WIDTH;
    frames >= length + repeats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_only_drawable_ascii_is_learnt() {
        assert_eq!(normalise_text("  Room \t 42 "), "Room 42");
        assert!(is_learnable("hello", 3.0, 64));
        assert!(!is_learnable("", 3.0, 64));
        assert!(!is_learnable("café", 3.0, 64));
        assert!(!is_learnable("hello", 3.0, 4));
        // 0.4 wide per unit height: 4 frames cannot hold "hello"'s 5 symbols and a blank.
        assert!(!is_learnable("hello", 0.4, 64));
        assert!(is_learnable("hello", 0.5, 64));
    }

    #[test]
    fn a_tree_without_words_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data/6")).unwrap();
        let error = load(dir.path(), &["6".to_string()], 64)
            .unwrap_err()
            .to_string();
        assert!(error.contains("no usable words"), "{error}");
    }
}
