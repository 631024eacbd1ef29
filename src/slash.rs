//! The slash of a slashed zero (Ø): a straight stroke through the middle of an oval, drawn by
//! many people to tell zero from the letter O, as its own stroke or as the tail of the oval's.
//! Trained mostly on plain noughts, the networks read the slashed shape as an 8 or a 9; the
//! oval without its slash they read as the nought it is. This finds such a slash, so that the
//! reading can weigh the oval alone.

use crate::preprocess::{Point, Stroke};

/// How far a slash's points may stray from the line between its ends, as a share of its
/// length: a quick hand bows and hooks a stroke meant straight. Among the validation writers'
/// 767 lone digits (91 noughts), 0.1 finds 30 slashed noughts, 0.15 finds 32 and 0.2 34, while
/// the strokes of ever more 4s and 6s pass for slashes too.
const STRAIGHT: f32 = 0.15;
/// A slash crosses the oval: at least this share of the oval's larger side long.
const MIN_SPAN: f32 = 0.6;
/// It passes near the oval's centre: within this share of the oval's larger side. Read as the
/// page reads them, the validation writers' 767 lone digits gain 15 with the digits model at
/// 0.2 and 19 at 0.25, and at 0.3 lose a 9 as well.
const MAX_OFF_CENTRE: f32 = 0.25;
/// And has the oval's centre along its middle (the share of its length from either end at
/// which the centre may lie): a 9's or a 6's stem hangs off its loop, it does not cross it.
const CENTRE_ALONG: std::ops::RangeInclusive<f32> = 0.2..=0.8;
/// It is steeper than this (in degrees from the horizontal): a horizontal bar through an oval
/// is an e's or a theta's.
const MIN_STEEPNESS_DEGREES: f32 = 20.0;
/// What is left is an oval's worth of ink: a path at least this many times its box's larger
/// side (a circle's is π), not the other arm of an x.
const MIN_REST_PATH: f32 = 2.0;
/// A slashed zero is an oval in one stroke or two and perhaps a slash of its own: a group of
/// more strokes is something else (and a scratch-out of hundreds must not cost a search
/// through every one). All the validation writers' 91 lone noughts have one or two.
const MAX_STROKES: usize = 3;
/// Where a slash drawn as the tail (or the start) of the oval's stroke may begin: at this many
/// evenly spaced points along the stroke, so that a stroke of any length costs a bounded
/// number of straightness checks.
const CUT_CANDIDATES: usize = 32;

/// The strokes of `strokes` without the slash through their middle, if they hold one: the
/// slashed zero's oval. `None` for anything else; what is left still has to read as a nought,
/// which is the caller's to judge.
pub(crate) fn without_slash(strokes: &[Stroke]) -> Option<Vec<Stroke>> {
    if strokes.len() > MAX_STROKES {
        return None;
    }
    strokes.iter().enumerate().find_map(|(index, stroke)| {
        let others = || strokes.iter().take(index).chain(&strokes[index + 1..]);
        let whole = (strokes.len() > 1).then(|| (stroke.points.as_slice(), Vec::new()));
        whole
            .into_iter()
            .chain(straight_tails(stroke))
            .chain(straight_heads(stroke))
            .find(|(slash, left)| {
                let rest: Vec<&[Point]> = others()
                    .map(|s| s.points.as_slice())
                    .chain(left.iter().map(Vec::as_slice))
                    .collect();
                crosses_the_middle(slash, &rest)
            })
            .map(|(_, left)| {
                others()
                    .cloned()
                    .chain(left.into_iter().map(|points| Stroke {
                        points,
                        width: stroke.width,
                    }))
                    .collect()
            })
    })
}

/// The straight ends of `stroke`, longest first, each as a slash with the rest of the stroke
/// (sharing the corner point) as what is left. Every cut is offered, not only the longest:
/// the straight run of a slash drawn on from its oval often begins a little way back on the
/// oval's curve, and that cut misses the oval's middle where the corner's does not.
fn straight_tails(stroke: &Stroke) -> impl Iterator<Item = (&[Point], Vec<Vec<Point>>)> {
    let points = &stroke.points;
    cut_candidates(points.len())
        .filter(|&start| is_straight(&points[start..]))
        .map(|start| (&points[start..], vec![points[..=start].to_vec()]))
}

/// The straight starts of `stroke`, longest first, each as a slash with the rest of the
/// stroke as what is left.
fn straight_heads(stroke: &Stroke) -> impl Iterator<Item = (&[Point], Vec<Vec<Point>>)> {
    let points = &stroke.points;
    cut_candidates(points.len())
        .rev()
        .filter(|&end| is_straight(&points[..=end]))
        .map(|end| (&points[..=end], vec![points[end..].to_vec()]))
}

/// Where a stroke of `len` points may be cut in two, first to last, leaving at least two
/// points (a segment) on either side.
fn cut_candidates(len: usize) -> impl DoubleEndedIterator<Item = usize> {
    let candidates = if len < 4 { 0 } else { CUT_CANDIDATES };
    let mut cuts: Vec<usize> = (1..candidates)
        .map(|k| k * (len - 1) / candidates)
        .filter(|&cut| cut >= 1 && cut + 1 < len)
        .collect();
    cuts.dedup();
    cuts.into_iter()
}

/// Whether the points keep close to the line between the first and the last.
fn is_straight(points: &[Point]) -> bool {
    let (Some(&a), Some(&b)) = (points.first(), points.last()) else {
        return false;
    };
    let length = distance(a, b);
    length > 0.0
        && points
            .iter()
            .all(|&p| off_line(a, b, p) <= STRAIGHT * length)
}

/// Whether the straight `slash` crosses the ink of `rest` through its middle, as a zero's
/// slash crosses its oval.
fn crosses_the_middle(slash: &[Point], rest: &[&[Point]]) -> bool {
    let (Some(&a), Some(&b)) = (slash.first(), slash.last()) else {
        return false;
    };
    let mut points = rest.iter().flat_map(|points| points.iter());
    let Some(first) = points.next() else {
        return false;
    };
    let (mut low, mut high) = (*first, *first);
    for p in points {
        low = Point {
            x: low.x.min(p.x),
            y: low.y.min(p.y),
        };
        high = Point {
            x: high.x.max(p.x),
            y: high.y.max(p.y),
        };
    }
    let size = (high.x - low.x).max(high.y - low.y);
    let length = distance(a, b);
    if !(size > 0.0 && length > 0.0) {
        return false;
    }
    let centre = Point {
        x: (low.x + high.x) / 2.0,
        y: (low.y + high.y) / 2.0,
    };
    let along = ((centre.x - a.x) * (b.x - a.x) + (centre.y - a.y) * (b.y - a.y)) / length.powi(2);
    let steepness = (b.y - a.y).abs().atan2((b.x - a.x).abs()).to_degrees();
    let rest_path: f32 = rest.iter().map(|points| path_length(points)).sum();
    length >= MIN_SPAN * size
        && off_line(a, b, centre) <= MAX_OFF_CENTRE * size
        && CENTRE_ALONG.contains(&along)
        && steepness >= MIN_STEEPNESS_DEGREES
        && rest_path >= MIN_REST_PATH * size
}

fn distance(a: Point, b: Point) -> f32 {
    (b.x - a.x).hypot(b.y - a.y)
}

/// How far `p` lies from the line through `a` and `b` (`a` ≠ `b`).
fn off_line(a: Point, b: Point, p: Point) -> f32 {
    ((b.x - a.x) * (a.y - p.y) - (a.x - p.x) * (b.y - a.y)).abs() / distance(a, b)
}

fn path_length(points: &[Point]) -> f32 {
    points
        .windows(2)
        .map(|pair| distance(pair[0], pair[1]))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stroke(points: impl IntoIterator<Item = (f32, f32)>) -> Stroke {
        Stroke {
            points: points.into_iter().map(|(x, y)| Point { x, y }).collect(),
            width: 2.0,
        }
    }

    /// An oval 60 wide and 100 tall around (50, 50), from its top, clockwise.
    fn oval() -> Vec<(f32, f32)> {
        (0..=48)
            .map(|k| {
                let angle = k as f32 / 48.0 * std::f32::consts::TAU;
                (50.0 + 30.0 * angle.sin(), 50.0 - 50.0 * angle.cos())
            })
            .collect()
    }

    fn line(from: (f32, f32), to: (f32, f32)) -> Vec<(f32, f32)> {
        (0..=10)
            .map(|k| {
                let t = k as f32 / 10.0;
                (from.0 + t * (to.0 - from.0), from.1 + t * (to.1 - from.1))
            })
            .collect()
    }

    #[test]
    fn a_slash_drawn_apart_leaves_the_oval() {
        let strokes = [stroke(oval()), stroke(line((80.0, -10.0), (20.0, 110.0)))];
        assert_eq!(without_slash(&strokes), Some(vec![strokes[0].clone()]));
        let upright = [stroke(line((50.0, -10.0), (52.0, 110.0))), stroke(oval())];
        assert_eq!(without_slash(&upright), Some(vec![upright[1].clone()]));
    }

    #[test]
    fn a_slash_drawn_on_from_the_oval_is_cut_off_at_its_corner() {
        let mut points = oval();
        points.extend(line((50.0, 0.0), (15.0, 110.0)).into_iter().skip(1));
        let Some(rest) = without_slash(&[stroke(points)]) else {
            panic!("the tail through the oval is a slash");
        };
        let ends_near_the_top = rest[0].points.last().unwrap().y < 20.0;
        assert!(ends_near_the_top, "{:?}", rest[0].points.last());
    }

    #[test]
    fn stems_bars_and_plain_shapes_are_no_slashes() {
        let plain = [stroke(oval())];
        let nine = [stroke(oval()), stroke(line((80.0, 50.0), (75.0, 160.0)))];
        let theta = [stroke(oval()), stroke(line((20.0, 50.0), (80.0, 50.0)))];
        let short_tail = [stroke(oval()), stroke(line((65.0, 80.0), (85.0, 105.0)))];
        let x = [
            stroke(line((0.0, 0.0), (100.0, 100.0))),
            stroke(line((100.0, 0.0), (0.0, 100.0))),
        ];
        for (name, strokes) in [
            ("a plain oval", &plain[..]),
            ("a 9's stem", &nine),
            ("a theta's bar", &theta),
            ("a Q's tail", &short_tail),
            ("an x", &x),
        ] {
            assert_eq!(without_slash(strokes), None, "{name}");
        }
    }

    #[test]
    fn degenerate_strokes_find_nothing() {
        let dot = stroke([(5.0, 5.0)]);
        let still = stroke([(5.0, 5.0); 10]);
        assert_eq!(without_slash(&[]), None);
        assert_eq!(without_slash(&[dot.clone(), still.clone()]), None);
        assert_eq!(without_slash(&[stroke(oval()), still]), None);
        let huge = stroke([(f32::MAX, 0.0), (-f32::MAX, 1.0), (0.0, f32::MAX)]);
        assert_eq!(without_slash(&[huge, dot]), None);
        let crowded = [stroke(oval()), stroke(line((80.0, -10.0), (20.0, 110.0)))];
        let crowded = [&crowded[..], &crowded, &crowded].concat();
        assert_eq!(
            without_slash(&crowded),
            None,
            "too many strokes for a slashed zero"
        );
    }
}
