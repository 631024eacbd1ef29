//! Handwriting for tests: the digits of `tests/fixtures/digit-strokes.json` placed on a canvas,
//! strokes drawn with the page's pen, and the models the page ships.
// Each test file uses only some of these helpers.
#![allow(dead_code)]

use handwriting::{CpuBackend, Point, Recognizer, Stroke};

/// Canvas units per unit of the fixture's box.
pub const HEIGHT: f32 = 120.0;
/// A pen as wide as the page draws with.
pub const PEN: f32 = 12.0;

/// The strokes of `digit`, `HEIGHT` tall, with the box's top-left corner at `(left, top)`.
pub fn digit(digit: char, left: f32, top: f32) -> Vec<Stroke> {
    let fixture = fixture();
    let shape = &fixture["digits"][digit.to_string()];
    assert!(shape.is_array(), "no strokes for {digit:?} in the fixture");
    strokes(shape, left, top)
}

fn fixture() -> serde_json::Value {
    serde_json::from_str(include_str!("../fixtures/digit-strokes.json")).unwrap()
}

/// A fixture shape's strokes, `HEIGHT` tall, at `(left, top)`.
fn strokes(shape: &serde_json::Value, left: f32, top: f32) -> Vec<Stroke> {
    shape
        .as_array()
        .unwrap()
        .iter()
        .map(|stroke| Stroke {
            points: stroke
                .as_array()
                .unwrap()
                .iter()
                .map(|p| Point {
                    x: left + p[0].as_f64().unwrap() as f32 * HEIGHT,
                    y: top + p[1].as_f64().unwrap() as f32 * HEIGHT,
                })
                .collect(),
            width: PEN,
        })
        .collect()
}

/// `text` written left to right, each digit starting `advance` after the previous one.
pub fn line(text: &str, advance: f32) -> Vec<Stroke> {
    text.chars()
        .enumerate()
        .flat_map(|(i, c)| digit(c, 20.0 + i as f32 * advance, 20.0))
        .collect()
}

/// The fixture's scribble, `HEIGHT` tall, at `(left, top)`.
pub fn scribble(left: f32, top: f32) -> Vec<Stroke> {
    strokes(&fixture()["scribble"], left, top)
}

/// Two noughts written in one stroke, the second starting where the first ends, overlapping
/// it: characters written touching.
pub fn touching_noughts() -> Stroke {
    // Side by side, as "00" is written without lifting the pen: overlapped much closer, the
    // pair is as wide as one nought written wide, and one character is then the likelier
    // reading (people write wide noughts far more often than touching pairs).
    let first = digit('0', 0.0, 0.0).remove(0);
    let second = digit('0', 0.85 * HEIGHT, 0.0).remove(0);
    Stroke {
        points: first.points.iter().chain(&second.points).copied().collect(),
        width: PEN,
    }
}

/// One stroke of the page's pen through `points`.
pub fn polyline(points: &[(f32, f32)]) -> Stroke {
    Stroke {
        points: points.iter().map(|&(x, y)| Point { x, y }).collect(),
        width: PEN,
    }
}

/// A model the page ships (`www/models/{file}`), on the preferred CPU backend.
pub fn shipped(file: &str) -> Recognizer {
    let path = format!("{}/www/models/{file}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("the shipped weights are committed");
    Recognizer::from_bytes(&bytes, &path, &CpuBackend::preferred().device()).unwrap()
}
