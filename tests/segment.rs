//! Segmentation on synthetic lines: strokes become characters the way a reader groups them.

mod common;

use common::{HEIGHT, PEN, digit, line, polyline, touching_noughts};
use handwriting::{Bounds, Breadth, Layout, Point, Stroke, segment};

fn stroke_counts(strokes: &[Stroke]) -> Vec<usize> {
    segment(strokes)
        .iter()
        .map(|s| s.whole.strokes.len())
        .collect()
}

#[test]
fn multi_stroke_digits_stay_one_character() {
    for d in ['4', '5'] {
        let segments = segment(&digit(d, 0.0, 0.0));
        assert_eq!(segments.len(), 1, "{d} was split into {segments:?}");
        assert_eq!(segments[0].whole.strokes.len(), 2);
        assert!(
            segments[0].splits.is_empty(),
            "{d} looked like two touching digits"
        );
    }
}

#[test]
fn characters_come_left_to_right_whatever_the_drawing_order() {
    let mut strokes = digit('4', 300.0, 0.0);
    strokes.extend(digit('1', 0.0, 0.0));
    strokes.extend(digit('7', 150.0, 10.0));
    let lefts: Vec<f32> = segment(&strokes).iter().map(|s| s.whole.bounds.x).collect();
    assert_eq!(lefts.len(), 3);
    assert!(lefts.windows(2).all(|w| w[0] < w[1]), "{lefts:?}");
    assert_eq!(stroke_counts(&strokes), [1, 1, 2]);
}

#[test]
fn close_and_wide_gaps_both_separate_characters() {
    for advance in [0.75 * HEIGHT, 3.0 * HEIGHT] {
        assert_eq!(
            stroke_counts(&line("2026", advance)),
            [1, 1, 1, 1],
            "advance {advance}"
        );
    }
}

#[test]
fn characters_written_touching_in_one_stroke_get_a_split_reading() {
    let segments = segment(&[touching_noughts()]);
    assert_eq!(segments.len(), 1);
    let splits = &segments[0].splits;
    assert!(
        splits.iter().all(|split| split.pieces.len() == 2),
        "{splits:?}"
    );
    // The two noughts meet around x = 0.65 * HEIGHT (the first's right edge): some cut lies
    // close to it.
    let cuts: Vec<f32> = splits
        .iter()
        .map(|split| split.pieces[0].bounds.x + split.pieces[0].bounds.width - PEN / 2.0)
        .collect();
    assert!(
        cuts.iter()
            .any(|cut| (cut - 0.65 * HEIGHT).abs() < 0.08 * HEIGHT),
        "cuts at {cuts:?}, expected one near {}",
        0.65 * HEIGHT
    );
}

#[test]
fn no_two_splits_of_a_group_cut_in_the_same_place() {
    // Two stems joined at their foot: the thinnest column between them and an even spacing
    // fall together, and would draw the same pieces twice.
    let joined = polyline(&[
        (0.0, 0.0),
        (0.0, HEIGHT),
        (1.4 * HEIGHT, HEIGHT),
        (1.4 * HEIGHT, 0.0),
    ]);
    for group in [joined, touching_noughts()] {
        let splits = &segment(&[group])[0].splits;
        assert!(splits.len() > 1);
        let cuts: Vec<f32> = splits
            .iter()
            .map(|split| split.pieces[0].bounds.x + split.pieces[0].bounds.width)
            .collect();
        for (i, a) in cuts.iter().enumerate() {
            for b in &cuts[i + 1..] {
                assert!((a - b).abs() >= 0.01 * HEIGHT, "cuts at {cuts:?}");
            }
        }
    }
}

#[test]
fn a_long_joined_up_group_is_not_cut_at_shifted_spacings() {
    // Six arches in one stroke, as a joined-up word: its letters differ in width, so no
    // single shift of an even spacing fits them; its thinnest columns and the even spacing
    // itself are tried, not the four shifts.
    let arches: Vec<(f32, f32)> = (0..=12)
        .map(|k| {
            (
                k as f32 * 0.35 * HEIGHT,
                if k % 2 == 0 { HEIGHT } else { 0.0 },
            )
        })
        .collect();
    let splits = &segment(&[polyline(&arches)])[0].splits;
    assert!((1..=2).contains(&splits.len()), "{} splits", splits.len());
    assert!(splits.iter().all(|split| split.pieces.len() == 6));
}

#[test]
fn a_single_digit_is_not_split() {
    for d in "0123456789".chars() {
        let segments = segment(&digit(d, 0.0, 0.0));
        assert_eq!(segments.len(), 1, "{d}");
        assert!(segments[0].splits.is_empty(), "{d} got a split reading");
    }
}

/// A 5 whose flag, drawn second from the top of its stem, runs far to the right: it shares too
/// few columns with the stem to join it by them.
fn five_with_a_long_flag(left: f32) -> [Stroke; 2] {
    let shifted = |points: &[(f32, f32)]| {
        polyline(
            &points
                .iter()
                .map(|&(x, y)| (x + left, y))
                .collect::<Vec<_>>(),
        )
    };
    [
        shifted(&[
            (20.0, 20.0),
            (15.0, 65.0),
            (60.0, 70.0),
            (75.0, 105.0),
            (45.0, 140.0),
            (5.0, 130.0),
        ]),
        shifted(&[(22.0, 20.0), (120.0, 15.0), (200.0, 10.0)]),
    ]
}

#[test]
fn a_long_flag_touching_its_digit_joins_it_and_is_not_cut_into_dashes() {
    let segments = segment(&five_with_a_long_flag(0.0));
    assert_eq!(segments.len(), 1, "{segments:?}");
    assert_eq!(segments[0].whole.strokes.len(), 2);
    // Wide enough to be cut, but never into a flat piece of flag alone.
    let height = segments[0].whole.bounds.height;
    let flat = segments[0]
        .splits
        .iter()
        .flat_map(|split| &split.pieces)
        .find(|piece| piece.bounds.height < 0.3 * height);
    assert!(flat.is_none(), "{flat:?}");
}

#[test]
fn every_flag_of_a_long_line_joins_its_own_digit() {
    let strokes: Vec<Stroke> = (0..400)
        .flat_map(|i| five_with_a_long_flag(i as f32 * 260.0))
        .collect();
    assert_eq!(stroke_counts(&strokes), vec![2; 400]);
}

#[test]
fn inkless_groups_neither_join_themselves_nor_panic() {
    // Found by the `drawing` fuzz target: a pen of no width drawing a point, or a level line,
    // makes a group of no height, "flat" beside itself.
    let inkless = |points: &[(f32, f32)]| Stroke {
        width: 0.0,
        ..polyline(points)
    };
    segment(&[inkless(&[(-5.15e-27, 3.78e18)])]);
    let level = [inkless(&[(0.0, 0.0), (50.0, 0.0)]), inkless(&[(50.0, 0.0)])];
    assert!(segment(&level).len() <= 2);
}

#[test]
fn a_dash_apart_from_a_digit_stays_its_own_character() {
    let mut strokes = digit('1', 0.0, 0.0);
    strokes.push(polyline(&[(200.0, 60.0), (280.0, 60.0)]));
    assert_eq!(stroke_counts(&strokes), [1, 1]);
}

#[test]
fn a_dot_between_characters_is_a_speck_and_a_lone_dot_is_nothing() {
    let dot = Stroke {
        points: vec![Point { x: 160.0, y: 130.0 }],
        width: PEN,
    };
    let mut strokes = digit('1', 0.0, 0.0);
    strokes.push(dot.clone());
    strokes.extend(digit('7', 200.0, 0.0));
    assert_eq!(stroke_counts(&strokes), [1, 1, 1]);
    let specks: Vec<bool> = segment(&strokes).iter().map(|s| s.speck).collect();
    assert_eq!(specks, [false, true, false]);
    assert!(Layout::of(&[dot]).glyphs().is_empty());
}

#[test]
fn the_dot_of_an_i_joins_its_stem_even_beside_it() {
    let stem = Stroke {
        points: vec![Point { x: 100.0, y: 50.0 }, Point { x: 100.0, y: 120.0 }],
        width: PEN,
    };
    // Written after the word, a little to the right of the stem and above it.
    let dot = Stroke {
        points: vec![Point { x: 118.0, y: 20.0 }],
        width: PEN,
    };
    let segments = segment(&[stem, dot]);
    assert_eq!(segments.len(), 1, "{segments:?}");
    assert_eq!(segments[0].whole.strokes.len(), 2);
    assert!(!segments[0].speck);
}

#[test]
fn empty_and_unusable_input_gives_no_characters() {
    assert!(segment(&[]).is_empty());
    let broken = Stroke {
        points: vec![
            Point {
                x: f32::NAN,
                y: 1.0,
            },
            Point {
                x: f32::INFINITY,
                y: f32::NEG_INFINITY,
            },
        ],
        width: f32::NAN,
    };
    assert!(segment(std::slice::from_ref(&broken)).is_empty());
    // Huge coordinates and widths neither panic nor split forever.
    let huge = Stroke {
        points: vec![Point { x: -3e38, y: 0.0 }, Point { x: 3e38, y: 1.0 }],
        width: 1e30,
    };
    assert!(segment(&[broken, huge]).len() <= 1);
}

#[test]
fn a_short_letter_may_fill_a_wider_box_than_a_digit() {
    let aspect = |aspect: f32| Bounds {
        x: 0.0,
        y: 0.0,
        width: aspect * HEIGHT,
        height: HEIGHT,
    };
    // An "n" half again as wide as tall is ordinary; a "0" that wide is probably two.
    let wide_n = aspect(1.5);
    assert_eq!(wide_n.one_character_plausibility(Breadth::Short), 1.0);
    assert!(wide_n.one_character_plausibility(Breadth::Ordinary) < 0.6);
    assert_eq!(wide_n.one_character_plausibility(Breadth::Wide), 1.0);
    // Past its own limit even a short letter is no longer one character.
    assert_eq!(aspect(2.6).one_character_plausibility(Breadth::Short), 0.0);
    assert!(aspect(2.6).one_character_plausibility(Breadth::Wide) > 0.0);
}

#[test]
fn a_cut_through_a_loop_is_counted_and_one_through_a_join_is_not() {
    // A nought drawn 1.7 times as wide as tall in one stroke: any cut crosses it twice.
    let loop_points: Vec<(f32, f32)> = (0..=48)
        .map(|i| {
            let t = i as f32 / 48.0 * std::f32::consts::TAU;
            (
                0.85 * HEIGHT * (1.0 - t.cos()),
                0.5 * HEIGHT * (1.0 - t.sin()),
            )
        })
        .collect();
    let wide_nought = segment(&[polyline(&loop_points)]);
    assert!(!wide_nought[0].splits.is_empty());
    assert!(
        wide_nought[0]
            .splits
            .iter()
            .all(|split| split.loops_cut == 1),
        "{:?}",
        wide_nought[0].splits
    );
    // Two stems joined at their foot, as "11" is written without lifting the pen: a cut
    // between them crosses the join once.
    let joined = segment(&[polyline(&[
        (0.0, 0.0),
        (0.0, HEIGHT),
        (1.4 * HEIGHT, HEIGHT),
        (1.4 * HEIGHT, 0.0),
    ])]);
    assert!(!joined[0].splits.is_empty());
    assert!(
        joined[0].splits.iter().all(|split| split.loops_cut == 0),
        "{:?}",
        joined[0].splits
    );
}
