//! Real handwriting by writers the models never trained on: UNIPEN's test-split digits and
//! five-letter words composed from one test writer's letters (`tests/fixtures/unipen/`,
//! written by `cargo run -p training --release -- --config training/characters.toml
//! fixtures`), read through the same path as the page's.

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

fn shipped(file: &str) -> Recognizer {
    let path = format!("{}/www/models/{file}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("the shipped weights are committed");
    Recognizer::from_bytes(&bytes, &path, &CpuBackend::preferred().device()).unwrap()
}

/// The share of drawings read exactly as written, and the misreadings.
fn read_all(recognizer: &Recognizer, drawings: &[Drawing]) -> (f64, Vec<String>) {
    let mut misread = Vec::new();
    for drawing in drawings {
        let text = recognizer.read(&drawing.strokes).unwrap().text();
        if text != drawing.text {
            misread.push(format!("{} as {text}", drawing.text));
        }
    }
    let right = drawings.len() - misread.len();
    (right as f64 / drawings.len() as f64, misread)
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

/// A little below what the shipped models read today (57.5% of the words, 93.0% of the digits
/// with the digits model, 68.0% with the characters model, which cannot tell a lone "0" from
/// an "o"), so that a regression fails. The targets, and how far they are, are in
/// docs/results-characters.md.
const WORDS_FLOOR: f64 = 0.55;
const DIGITS_FLOOR: f64 = 0.92;
const LONE_DIGITS_FLOOR: f64 = 0.65;
