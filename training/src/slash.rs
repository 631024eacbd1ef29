//! Zeros with a stroke through them (Ø), drawn for training. Engineers, programmers and much
//! of Europe slash their zeros so that no one reads an O; MNIST has no such zero and UNIPEN
//! few, so the digits model read the validation writers' slashed zeros as 8s. A share of the
//! training zeros gets a slash, on the strokes where the sample has them, else on its image.

use handwriting::{
    GLYPH_PIXELS, GLYPH_SIDE, PixelFormat, Point, Raster, Stroke, glyph_from_raster,
};
use rand::Rng;

use crate::augment::{span, uniform};

/// Where a slash may start and end along the ink's width, from the near side inwards (a
/// negative share starts outside the ink): people slash steeply or at 45°.
const INSET: (f32, f32) = (-0.1, 0.4);
/// How far past the ink's top and bottom a slash may reach, in shares of its height: some
/// writers slash a small nought with a stroke twice its height.
const OVERSHOOT: (f32, f32) = (0.0, 0.5);
/// Points along a drawn slash: enough for the stroke path to draw a straight line.
const SLASH_POINTS: usize = 8;

/// A slash across the box `(left, top, right, bottom)` (y pointing down), from below its
/// bottom-left corner to above its top-right one.
fn slash(left: f32, top: f32, right: f32, bottom: f32, rng: &mut impl Rng) -> (Point, Point) {
    let (width, height) = (right - left, bottom - top);
    let start = Point {
        x: left + uniform(rng, INSET.0, INSET.1) * width,
        y: bottom + uniform(rng, OVERSHOOT.0, OVERSHOOT.1) * height,
    };
    let end = Point {
        x: right - uniform(rng, INSET.0, INSET.1) * width,
        y: top - uniform(rng, OVERSHOOT.0, OVERSHOOT.1) * height,
    };
    (start, end)
}

/// The strokes with one more: a slash through their bounding box, at the first stroke's pen
/// width. No strokes stay none.
pub fn slash_strokes(strokes: &[Stroke], rng: &mut impl Rng) -> Vec<Stroke> {
    let (Some(first), Some(_)) = (
        strokes.first(),
        strokes.iter().flat_map(|s| s.points.iter()).next(),
    ) else {
        return strokes.to_vec();
    };
    let ((left, right), (top, bottom)) = (span(strokes, |p| p.x), span(strokes, |p| p.y));
    let (start, end) = slash(left, top, right, bottom, rng);
    let along = |t: f32| Point {
        x: start.x + t * (end.x - start.x),
        y: start.y + t * (end.y - start.y),
    };
    let mut slashed = strokes.to_vec();
    slashed.push(Stroke {
        points: (0..SLASH_POINTS)
            .map(|i| along(i as f32 / (SLASH_POINTS - 1) as f32))
            .collect(),
        width: first.width,
    });
    slashed
}

/// The padded canvas an image is slashed on, so that a slash past the ink stays on it; the
/// library's raster path then fits the whole to a glyph again, as the page would.
const CANVAS: usize = 2 * GLYPH_SIDE;
const MARGIN: usize = GLYPH_SIDE / 2;
/// Ink above which a pixel (of 255) belongs to the digit's box.
const INK: u8 = 64;
/// Half the drawn slash's width in pixels: MNIST's pens are two to three pixels wide.
const HALF_PEN: f32 = 1.2;

/// A glyph image (MNIST convention: light ink on black) with a slash drawn through its ink,
/// normalised again by the library's raster path. An image without ink comes back as it was.
pub fn slash_pixels(pixels: &[u8; GLYPH_PIXELS], rng: &mut impl Rng) -> [u8; GLYPH_PIXELS] {
    let mut canvas = vec![0u8; CANVAS * CANVAS];
    let mut ink_box: Option<(usize, usize, usize, usize)> = None;
    for (i, &value) in pixels.iter().enumerate() {
        let (x, y) = (i % GLYPH_SIDE + MARGIN, i / GLYPH_SIDE + MARGIN);
        canvas[y * CANVAS + x] = value;
        if value > INK {
            ink_box = Some(ink_box.map_or((x, y, x, y), |(l, t, r, b)| {
                (l.min(x), t.min(y), r.max(x), b.max(y))
            }));
        }
    }
    let Some((left, top, right, bottom)) = ink_box else {
        return *pixels;
    };
    let (start, end) = slash(left as f32, top as f32, right as f32, bottom as f32, rng);
    for (i, value) in canvas.iter_mut().enumerate() {
        let centre = Point {
            x: (i % CANVAS) as f32,
            y: (i / CANVAS) as f32,
        };
        let ink = (HALF_PEN + 0.5 - distance_to_segment(centre, start, end)).clamp(0.0, 1.0);
        *value = (*value).max((ink * 255.0).round() as u8);
    }
    Raster::new(CANVAS, CANVAS, PixelFormat::Gray8, &canvas)
        .and_then(|raster| glyph_from_raster(&raster))
        .map_or(*pixels, |glyph| glyph.to_bytes())
}

/// The distance from `p` to the segment from `a` to `b`.
fn distance_to_segment(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let length_squared = dx * dx + dy * dy;
    let t = if length_squared > 0.0 {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / length_squared).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p.x - a.x - t * dx).hypot(p.y - a.y - t * dy)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    /// A ring of radius 7 about the image centre, 2 px thick: an MNIST-like zero.
    fn ring() -> [u8; GLYPH_PIXELS] {
        let mut pixels = [0u8; GLYPH_PIXELS];
        for (i, value) in pixels.iter_mut().enumerate() {
            let (x, y) = (
                (i % GLYPH_SIDE) as f32 - 13.5,
                (i / GLYPH_SIDE) as f32 - 13.5,
            );
            if (x.hypot(y) - 7.0).abs() < 1.0 {
                *value = 255;
            }
        }
        pixels
    }

    #[test]
    fn a_slashed_image_has_ink_inside_its_ring_and_past_it() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..20 {
            let slashed = slash_pixels(&ring(), &mut rng);
            let inside = (11..=16)
                .flat_map(|y| (11..=16).map(move |x| (x, y)))
                .filter(|&(x, y)| slashed[y * GLYPH_SIDE + x] > INK)
                .count();
            assert!(inside > 0, "no ink inside the ring");
            // Past the ring, the slash inks the lower left and the upper right (the ring itself
            // moves a little as the glyph is centred again).
            let outside = |left: bool, lower: bool| {
                (0..GLYPH_PIXELS)
                    .filter(|&i| {
                        let (x, y) = (
                            (i % GLYPH_SIDE) as f32 - 13.5,
                            (i / GLYPH_SIDE) as f32 - 13.5,
                        );
                        x.hypot(y) > 9.0 && (x < 0.0) == left && (y > 0.0) == lower
                    })
                    .filter(|&i| slashed[i] > INK)
                    .count()
            };
            let along = outside(true, true) + outside(false, false);
            let across = outside(true, false) + outside(false, true);
            assert!(
                along > across + 2,
                "{along} along the slash, {across} across it"
            );
        }
    }

    #[test]
    fn an_empty_image_is_left_as_it_was() {
        let empty = [0u8; GLYPH_PIXELS];
        assert_eq!(slash_pixels(&empty, &mut StdRng::seed_from_u64(2)), empty);
    }

    #[test]
    fn a_slash_stroke_crosses_the_box_from_lower_left_to_upper_right() {
        let circle = Stroke {
            points: (0..=24)
                .map(|i| {
                    let angle = i as f32 / 24.0 * std::f32::consts::TAU;
                    Point {
                        x: 50.0 + 30.0 * angle.cos(),
                        y: 50.0 + 40.0 * angle.sin(),
                    }
                })
                .collect(),
            width: 6.0,
        };
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..20 {
            let slashed = slash_strokes(std::slice::from_ref(&circle), &mut rng);
            assert_eq!(slashed.len(), 2);
            let slash = &slashed[1];
            let (start, end) = (slash.points[0], slash.points[SLASH_POINTS - 1]);
            assert!(start.y >= 90.0 && end.y <= 10.0, "{start:?} {end:?}");
            assert!(start.x < end.x);
            assert_eq!(slash.width, 6.0);
        }
        assert!(slash_strokes(&[], &mut rng).is_empty());
    }
}
