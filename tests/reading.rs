//! Reading whole lines with the shipped model: segmentation, one batch, the likelier reading.

mod common;

use common::{HEIGHT, digit, line, scribble, touching_noughts};
use handwriting::{CpuBackend, Recognizer};

fn shipped() -> Recognizer {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/models/digits.bpk"
    ))
    .expect("the shipped weights are committed");
    Recognizer::from_bytes(
        &bytes,
        "www/models/digits.bpk",
        &CpuBackend::preferred().device(),
    )
    .unwrap()
}

#[test]
fn a_year_and_a_phone_number_read_as_written() {
    let recognizer = shipped();
    for (text, advance) in [("2026", 0.8 * HEIGHT), ("8675309", 0.72 * HEIGHT)] {
        let reading = recognizer.read(&line(text, advance)).unwrap();
        assert_eq!(reading.text(), text);
        assert_eq!(reading.characters.len(), text.len());
        for character in &reading.characters {
            assert_eq!(character.prediction.top_k(3).len(), 3);
        }
    }
}

#[test]
fn touching_digits_read_as_two() {
    assert_eq!(shipped().read(&[touching_noughts()]).unwrap().text(), "00");
}

#[test]
fn an_empty_pad_reads_as_nothing() {
    let reading = shipped().read(&[]).unwrap();
    assert_eq!(reading.text(), "");
    assert!(reading.characters.is_empty());
}

#[test]
fn a_wide_single_digit_is_not_split() {
    // A nought half again as wide as the fixture's, as people draw them on a wide pad.
    let mut strokes = digit('0', 0.0, 0.0);
    for p in &mut strokes[0].points {
        p.x *= 1.9;
    }
    assert_eq!(shipped().read(&strokes).unwrap().text(), "0");
}

#[test]
fn a_scribble_is_marked_unsure() {
    let reading = shipped().read(&scribble(0.0, 0.0)).unwrap();
    assert_eq!(reading.text(), "?");
    assert!(!reading.characters[0].sure);
}
