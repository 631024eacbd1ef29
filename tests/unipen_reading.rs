//! Real handwriting by writers the models never trained on: UNIPEN's test-split digits,
//! five-letter words composed from one test writer's letters and cursive words as they wrote
//! them (`tests/fixtures/unipen/`, written by `cargo run -p training --release -- --config
//! training/characters.toml fixtures`), read through the same path as the page's: the
//! characters models letter by letter, the line model whole (strokes drawn as a line, the
//! network, beam search with the language model).

mod common;

use common::shipped;
use handwriting::ctc::{BeamOptions, LanguageModel};
use handwriting::lines::{Decoding, LETTERS_MARGIN, LineReader, PEN_WIDTH, line_from_strokes};
use handwriting::{CpuBackend, Recognizer, Stroke};
use serde::Deserialize;

#[derive(Deserialize)]
struct Drawing {
    text: String,
    strokes: Vec<Stroke>,
}

fn drawings(name: &str) -> Vec<Drawing> {
    let path = format!(
        "{}/tests/fixtures/unipen/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The line model as the page loads it: the network and its language model.
struct LineModel {
    reader: LineReader,
    language_model: LanguageModel,
}

impl LineModel {
    fn shipped() -> Self {
        let path = |file: &str| format!("{}/www/models/{file}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(path("lines.bpk")).expect("the shipped weights are committed");
        let device = CpuBackend::preferred().device();
        let reader = LineReader::from_bytes(&bytes, &path("lines.bpk"), &device).unwrap();
        let bytes = std::fs::read(path("lines.lm")).expect("the language model is committed");
        let language_model = LanguageModel::from_bytes(&bytes).unwrap();
        Self {
            reader,
            language_model,
        }
    }

    /// The page's decoding: beam search with the language model, no word list.
    fn decoding(&self) -> Decoding<'_> {
        Decoding::Beam(BeamOptions {
            language_model: Some(&self.language_model),
            ..BeamOptions::default()
        })
    }

    fn read(&self, strokes: &[Stroke]) -> String {
        let image = line_from_strokes(strokes, PEN_WIDTH).unwrap();
        self.reader.read(&image, &self.decoding()).unwrap().text
    }
}

/// The share of drawings read exactly as written, and the misreadings.
fn score(drawings: &[Drawing], read: impl Fn(&Drawing) -> String) -> (f64, Vec<String>) {
    let misread: Vec<String> = drawings
        .iter()
        .filter_map(|drawing| {
            let text = read(drawing);
            (text != drawing.text).then(|| format!("{} as {text}", drawing.text))
        })
        .collect();
    let right = drawings.len() - misread.len();
    (right as f64 / drawings.len() as f64, misread)
}

/// The share of drawings a characters model reads exactly as written, and the misreadings.
fn read_all(recognizer: &Recognizer, drawings: &[Drawing]) -> (f64, Vec<String>) {
    score(drawings, |d| recognizer.read(&d.strokes).unwrap().text())
}

#[test]
fn printed_words_by_unseen_writers_read_exactly_case_included() {
    let words = drawings("words.json");
    let (accuracy, misread) = read_all(&shipped("characters.bpk"), &words);
    println!(
        "words: {:.1}% of {} exactly right; misread: {misread:?}",
        100.0 * accuracy,
        words.len()
    );
    assert!(accuracy >= WORDS_FLOOR, "{accuracy}: {misread:?}");
}

#[test]
fn digits_by_unseen_writers_read_as_written() {
    let digits = drawings("digits.json");
    for (model, floor) in [
        ("digits.bpk", DIGITS_FLOOR),
        ("characters.bpk", LONE_DIGITS_FLOOR),
    ] {
        let (accuracy, misread) = read_all(&shipped(model), &digits);
        println!(
            "{model}: {:.1}% of {} digits read exactly; misread: {misread:?}",
            100.0 * accuracy,
            digits.len()
        );
        assert!(accuracy >= floor, "{model}: {accuracy}: {misread:?}");
    }
}

/// The page's "auto" reading: the characters model's unless the line model finds its own
/// clearly likelier.
fn read_auto(characters: &Recognizer, lines: &LineModel, strokes: &[Stroke]) -> String {
    let letters = characters.read(strokes).unwrap().text();
    let image = line_from_strokes(strokes, PEN_WIDTH).unwrap();
    match lines
        .reader
        .read_against(&image, &lines.decoding(), &letters, LETTERS_MARGIN)
        .unwrap()
    {
        Some(line) => line.text,
        None => letters,
    }
}

/// Exact readings of `words` by the characters model alone, the line model alone and auto.
fn three_ways(words: &[Drawing]) -> [(f64, Vec<String>); 3] {
    let (characters, lines) = (shipped("characters.bpk"), LineModel::shipped());
    [
        score(words, |d| characters.read(&d.strokes).unwrap().text()),
        score(words, |d| lines.read(&d.strokes)),
        score(words, |d| read_auto(&characters, &lines, &d.strokes)),
    ]
}

fn describe(name: &str, words: &[Drawing], results: &[(f64, Vec<String>); 3]) {
    let [(alone, _), (line_model, misread), (auto, _)] = results;
    println!(
        "{name} ({} words): characters model {:.1}%, line model {:.1}%, auto {:.1}%; line model misread: {misread:?}",
        words.len(),
        100.0 * alone,
        100.0 * line_model,
        100.0 * auto
    );
}

#[test]
fn cursive_words_by_unseen_writers_read_without_cutting_them_up() {
    let words = drawings("cursive.json");
    let results = three_ways(&words);
    describe("cursive", &words, &results);
    let [_, (line_model, misread), _] = &results;
    assert!(*line_model >= CURSIVE_FLOOR, "{line_model}: {misread:?}");
}

/// Auto must not read print worse than the characters model alone, which was made for it.
#[test]
fn printed_words_read_no_worse_with_the_line_model_beside_the_characters_model() {
    let words = drawings("words.json");
    let results = three_ways(&words);
    describe("printed", &words, &results);
    let [(alone, _), _, (auto, misread)] = &results;
    assert!(
        auto >= alone,
        "auto {auto} < characters alone {alone}: {misread:?}"
    );
    assert!(*auto >= AUTO_WORDS_FLOOR, "{auto}: {misread:?}");
}

/// A digit written alone, read the page's default way: no worse than by the characters model
/// alone, and never as nothing (the line model may read a lone stroke as no symbol at all,
/// which must not overrule the characters model's reading).
#[test]
fn lone_digits_read_in_auto_never_as_nothing() {
    let digits = drawings("digits.json");
    let (characters, lines) = (shipped("characters.bpk"), LineModel::shipped());
    let (alone, _) = read_all(&characters, &digits);
    let (auto, misread) = score(&digits, |d| read_auto(&characters, &lines, &d.strokes));
    println!(
        "{} digits alone: characters model {:.1}%, auto {:.1}%; auto misread: {misread:?}",
        digits.len(),
        100.0 * alone,
        100.0 * auto
    );
    let nothing: Vec<&String> = misread.iter().filter(|m| m.ends_with(" as ")).collect();
    assert!(nothing.is_empty(), "read as nothing: {nothing:?}");
    assert!(auto >= alone, "auto {auto} < characters alone {alone}");
}

/// A little below what the shipped models read today (62.5% of the words, 96.7% of the digits
/// with the digits model, 94.7% before slashed zeros read as zero, 88.7% with the characters
/// model, which favours a lone character's digit over its letter twin, "0" over "o"), so that
/// a regression fails. The targets, and how far they are, are in docs/results-characters.md.
const WORDS_FLOOR: f64 = 0.57;
const DIGITS_FLOOR: f64 = 0.955;
const LONE_DIGITS_FLOOR: f64 = 0.84;
/// The same for the line model with its language model on 60 cursive words (86.7% today) and
/// for *Auto* on the printed words (85.0% today); the line model's targets and its full
/// test-writer figures are in docs/results-lines.md.
const CURSIVE_FLOOR: f64 = 0.82;
const AUTO_WORDS_FLOOR: f64 = 0.8;
