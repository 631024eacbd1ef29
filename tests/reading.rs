//! Reading whole lines with the shipped model: segmentation, one batch, the likelier reading.

mod common;

use common::{HEIGHT, PEN, digit, line, polyline, scribble, shipped, touching_noughts};
use handwriting::{Point, Stroke};

#[test]
fn a_year_and_a_phone_number_read_as_written() {
    let recognizer = shipped("digits.bpk");
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
    assert_eq!(
        shipped("digits.bpk")
            .read(&[touching_noughts()])
            .unwrap()
            .text(),
        "00"
    );
}

#[test]
fn an_empty_pad_reads_as_nothing() {
    let reading = shipped("digits.bpk").read(&[]).unwrap();
    assert_eq!(reading.text(), "");
    assert!(reading.characters.is_empty());
}

#[test]
fn a_wide_single_digit_is_not_split() {
    // Noughts 1.9 and 2.5 times as wide as the fixture's (about 1.2 and 1.6 times as wide as
    // tall), as people draw them on a wide pad: the wider one reads "67" unless a cut through
    // its loop counts against the split.
    let digits = shipped("digits.bpk");
    for stretch in [1.9, 2.5] {
        let mut strokes = digit('0', 0.0, 0.0);
        for p in &mut strokes[0].points {
            p.x *= stretch;
        }
        assert_eq!(digits.read(&strokes).unwrap().text(), "0", "{stretch}");
    }
}

#[test]
fn a_scribble_is_marked_unsure() {
    let reading = shipped("digits.bpk").read(&scribble(0.0, 0.0)).unwrap();
    assert_eq!(reading.text(), "?");
    assert!(!reading.characters[0].sure);
}

#[test]
fn a_single_dot_reads_as_nothing() {
    let dot = Stroke {
        points: vec![Point { x: 300.0, y: 200.0 }, Point { x: 301.0, y: 200.5 }],
        width: PEN,
    };
    assert_eq!(shipped("digits.bpk").read(&[dot]).unwrap().text(), "");
}

#[test]
fn a_pad_covered_in_ink_is_unsure() {
    // Back-and-forth strokes as wide as their spacing, until a 600×400 pad is black.
    let points = (0..=40)
        .flat_map(|row| {
            let y = row as f32 * 10.0;
            [Point { x: 0.0, y }, Point { x: 600.0, y }]
        })
        .collect();
    let covered = Stroke {
        points,
        width: 14.0,
    };
    let reading = shipped("digits.bpk").read(&[covered]).unwrap();
    assert!(!reading.characters.is_empty());
    assert!(
        reading
            .text()
            .chars()
            .all(|c| c.to_string() == handwriting::UNSURE),
        "{}",
        reading.text()
    );
}

#[test]
fn a_ten_thousand_point_stroke_reads_like_its_few_point_original() {
    let seven = digit('7', 0.0, 0.0);
    let dense: Vec<Stroke> = seven
        .iter()
        .map(|stroke| {
            let per_segment = 10_000 / (stroke.points.len() - 1);
            let points = stroke
                .points
                .windows(2)
                .flat_map(|pair| {
                    (0..per_segment).map(move |i| {
                        let t = i as f32 / per_segment as f32;
                        Point {
                            x: pair[0].x + t * (pair[1].x - pair[0].x),
                            y: pair[0].y + t * (pair[1].y - pair[0].y),
                        }
                    })
                })
                .chain(stroke.points.last().copied())
                .collect();
            Stroke {
                points,
                width: stroke.width,
            }
        })
        .collect();
    assert!(dense[0].points.len() >= 10_000);
    assert_eq!(shipped("digits.bpk").read(&dense).unwrap().text(), "7");
}

#[test]
fn an_f_whose_bars_begin_beside_its_stem_reads_as_one_letter() {
    // The bars share no columns with the stem, so segmentation makes two groups of them: a
    // bar and an "=". Their boxes touch, and as one character they read far better.
    let (stem, bars_left) = (20.0, 20.0 + PEN);
    let f = [
        polyline(&[(stem, 0.0), (stem, HEIGHT)]),
        polyline(&[(bars_left, 0.0), (bars_left + 0.5 * HEIGHT, 0.0)]),
        polyline(&[
            (bars_left, 0.45 * HEIGHT),
            (bars_left + 0.4 * HEIGHT, 0.45 * HEIGHT),
        ]),
    ];
    assert_eq!(handwriting::segment(&f).len(), 2);
    assert_eq!(shipped("characters.bpk").read(&f).unwrap().text(), "F");
}

/// The fixture's nought with a slash through its middle at `degrees` from the horizontal, 1.3
/// times as long as the nought is tall: drawn as a stroke of its own, or (`drawn_on`) with the
/// oval's stroke carried on from where it ends to the slash's top, then down through.
fn slashed_nought(degrees: f32, drawn_on: bool) -> Vec<Stroke> {
    let mut strokes = digit('0', 20.0, 20.0);
    let points = &strokes[0].points;
    let (low, high) = points
        .iter()
        .fold((points[0], points[0]), |(low, high), p| {
            (
                Point {
                    x: low.x.min(p.x),
                    y: low.y.min(p.y),
                },
                Point {
                    x: high.x.max(p.x),
                    y: high.y.max(p.y),
                },
            )
        });
    let centre = ((low.x + high.x) / 2.0, (low.y + high.y) / 2.0);
    let reach = 0.65 * (high.y - low.y);
    let (dx, dy) = (
        degrees.to_radians().cos() * reach,
        degrees.to_radians().sin() * reach,
    );
    let (top, bottom) = (
        (centre.0 + dx, centre.1 - dy),
        (centre.0 - dx, centre.1 + dy),
    );
    let slash = [top, centre, bottom];
    if drawn_on {
        strokes[0].points.extend(slash.map(|(x, y)| Point { x, y }));
    } else {
        strokes.push(polyline(&slash));
    }
    strokes
}

#[test]
fn a_slashed_nought_reads_as_zero() {
    // People slash a zero to tell it from the letter O; the networks, trained mostly on plain
    // noughts, read the slashed shape as an 8.
    for model in ["digits.bpk", "characters.bpk"] {
        let recognizer = shipped(model);
        for degrees in [60.0, 75.0, 90.0] {
            for drawn_on in [false, true] {
                let reading = recognizer.read(&slashed_nought(degrees, drawn_on)).unwrap();
                assert_eq!(
                    reading.text(),
                    "0",
                    "{model}, {degrees}°, drawn on: {drawn_on}"
                );
            }
        }
    }
}
