//! Random distortions that mimic how people write on a canvas: slanted, rotated, larger or
//! smaller, off-centre, with a thinner or thicker pen.

use handwriting::{GLYPH_PIXELS, GLYPH_SIDE, Point, Stroke, glyph_from_strokes};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// How strong each distortion may be; every draw is uniform within these bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AugmentConfig {
    pub enabled: bool,
    pub max_rotation_degrees: f32,
    pub min_scale: f32,
    pub max_scale: f32,
    pub max_shear: f32,
    pub max_translation: f32,
    pub max_thickness_change: f32,
    /// Share of the training zeros drawn with a slash through them (`crate::slash`).
    pub slashed_zeros: f32,
}

impl AugmentConfig {
    /// Returns a distorted copy of `pixels` (MNIST convention), as intensities in `0.0..=1.0`.
    pub fn apply(&self, pixels: &[u8; GLYPH_PIXELS], rng: &mut impl Rng) -> [f32; GLYPH_PIXELS] {
        let source = pixels.map(|p| f32::from(p) / 255.0);
        if !self.enabled {
            return source;
        }
        let angle = symmetric(rng, self.max_rotation_degrees).to_radians();
        let shear = symmetric(rng, self.max_shear);
        let scale = self.draw_scale(rng);
        let shift = (
            symmetric(rng, self.max_translation),
            symmetric(rng, self.max_translation),
        );
        let thickness = symmetric(rng, self.max_thickness_change);
        let warped = warp(&source, Affine::new(angle, shear, scale), shift);
        change_thickness(&warped, thickness)
    }
}

/// A uniform draw in ±`bound`; 0, drawing nothing, when the bound is 0.
fn symmetric(rng: &mut impl Rng, bound: f32) -> f32 {
    if bound > 0.0 {
        rng.random_range(-bound..=bound)
    } else {
        0.0
    }
}

/// Each point moves by up to this fraction of the drawing's extent, independently: the
/// tremor of a hand and the noise of a tablet, which no affine map gives.
const POINT_JITTER: f32 = 0.015;
/// Pen widths are drawn across this band of the drawing's extent (the library keeps any pen
/// within 0.08–0.15 of it): thin and bold pens alike.
const PEN_WIDTH_BAND: (f32, f32) = (0.08, 0.15);

impl AugmentConfig {
    /// A scale factor, uniformly in the configured range (its lower end when it is empty).
    fn draw_scale(&self, rng: &mut impl Rng) -> f32 {
        uniform(rng, self.min_scale, self.max_scale)
    }

    /// Distorts pen strokes and draws them through the library's stroke path, as the page
    /// draws what a person writes: the distortions of [`AugmentConfig::distort`] and a random
    /// pen width. `None` when the result draws nothing.
    pub fn redraw(&self, strokes: &[Stroke], rng: &mut impl Rng) -> Option<[f32; GLYPH_PIXELS]> {
        let extent = extent(strokes);
        let width = rng.random_range(PEN_WIDTH_BAND.0..=PEN_WIDTH_BAND.1) * extent;
        let mut distorted = self.distort(strokes, POINT_JITTER * extent, rng);
        for stroke in &mut distorted {
            stroke.width = width;
        }
        glyph_from_strokes(&distorted)
            .ok()
            .map(|glyph| *glyph.intensities())
    }

    /// Pen strokes rotated, slanted and stretched within the same bounds as
    /// [`AugmentConfig::apply`] (the scale range applies to the width alone, which changes the
    /// aspect), each point moved by up to `jitter` canvas units.
    pub fn distort(&self, strokes: &[Stroke], jitter: f32, rng: &mut impl Rng) -> Vec<Stroke> {
        let angle = symmetric(rng, self.max_rotation_degrees).to_radians();
        let shear = symmetric(rng, self.max_shear);
        let aspect = self.draw_scale(rng);
        let [[a, b], [c, d]] = Affine::new(angle, shear, 1.0).0;
        move_points(strokes, |p| {
            let x = p.x * aspect + symmetric(rng, jitter);
            let y = p.y + symmetric(rng, jitter);
            Point {
                x: a * x + b * y,
                y: c * x + d * y,
            }
        })
    }
}

/// The strokes with every point moved by `to`, pen widths kept.
pub fn move_points(strokes: &[Stroke], mut to: impl FnMut(&Point) -> Point) -> Vec<Stroke> {
    strokes
        .iter()
        .map(|stroke| Stroke {
            points: stroke.points.iter().map(&mut to).collect(),
            width: stroke.width,
        })
        .collect()
}

/// The longer side of the strokes' bounding box.
fn extent(strokes: &[Stroke]) -> f32 {
    let (width, height) = ink_size(strokes);
    width.max(height)
}

/// Width and height of the strokes' bounding box (zero for no points).
pub fn ink_size(strokes: &[Stroke]) -> (f32, f32) {
    let length = |coordinate: fn(&Point) -> f32| {
        let (low, high) = span(strokes, coordinate);
        (high - low).max(0.0)
    };
    (length(|p| p.x), length(|p| p.y))
}

/// The lowest and highest `coordinate` of the strokes' points (infinities, reversed, for none).
pub fn span(strokes: &[Stroke], coordinate: fn(&Point) -> f32) -> (f32, f32) {
    strokes
        .iter()
        .flat_map(|s| s.points.iter())
        .map(coordinate)
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(low, high), v| {
            (low.min(v), high.max(v))
        })
}

/// A uniform draw from `low..=high`, or `low` where the range is empty.
pub fn uniform(rng: &mut impl Rng, low: f32, high: f32) -> f32 {
    if high > low {
        rng.random_range(low..=high)
    } else {
        low
    }
}

/// A 2×2 linear map: rotation · horizontal shear · uniform scale.
#[derive(Debug, Clone, Copy)]
struct Affine([[f32; 2]; 2]);

impl Affine {
    fn new(angle: f32, shear: f32, scale: f32) -> Self {
        let (sin, cos) = angle.sin_cos();
        // [cos −sin; sin cos] · [1 shear; 0 1] · scale
        Self([
            [cos * scale, (cos * shear - sin) * scale],
            [sin * scale, (sin * shear + cos) * scale],
        ])
    }

    fn inverse(self) -> Option<Self> {
        let [[a, b], [c, d]] = self.0;
        let det = a * d - b * c;
        (det.abs() > 1e-6).then(|| Self([[d / det, -b / det], [-c / det, a / det]]))
    }
}

/// Applies `map` about the image centre, then shifts by `shift` pixels; bilinear sampling,
/// paper outside the source.
fn warp(source: &[f32; GLYPH_PIXELS], map: Affine, shift: (f32, f32)) -> [f32; GLYPH_PIXELS] {
    let Some(Affine([[a, b], [c, d]])) = map.inverse() else {
        return *source;
    };
    let centre = GLYPH_SIDE as f32 / 2.0;
    let mut out = [0.0f32; GLYPH_PIXELS];
    for (i, value) in out.iter_mut().enumerate() {
        let x = (i % GLYPH_SIDE) as f32 + 0.5 - centre - shift.0;
        let y = (i / GLYPH_SIDE) as f32 + 0.5 - centre - shift.1;
        *value = sample(
            source,
            a * x + b * y + centre - 0.5,
            c * x + d * y + centre - 0.5,
        );
    }
    out
}

/// Bilinear interpolation at pixel-index coordinates; outside the image is paper.
fn sample(source: &[f32; GLYPH_PIXELS], x: f32, y: f32) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |xi: f32, yi: f32| {
        if xi < 0.0 || yi < 0.0 || xi >= GLYPH_SIDE as f32 || yi >= GLYPH_SIDE as f32 {
            0.0
        } else {
            source[yi as usize * GLYPH_SIDE + xi as usize]
        }
    };
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1.0, y0) * fx;
    let bottom = at(x0, y0 + 1.0) * (1.0 - fx) + at(x0 + 1.0, y0 + 1.0) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Thickens (`amount > 0`) or thins (`amount < 0`) strokes by blending with a 3×3 grey-level
/// dilation or erosion: `±1` is a full pixel, fractions give pens in between.
fn change_thickness(image: &[f32; GLYPH_PIXELS], amount: f32) -> [f32; GLYPH_PIXELS] {
    if amount == 0.0 {
        return *image;
    }
    let grow = amount > 0.0;
    let weight = amount.abs().min(1.0);
    let mut out = [0.0f32; GLYPH_PIXELS];
    for y in 0..GLYPH_SIDE {
        for x in 0..GLYPH_SIDE {
            let mut extreme = image[y * GLYPH_SIDE + x];
            for (nx, ny) in neighbours(x, y) {
                let v = image[ny * GLYPH_SIDE + nx];
                extreme = if grow { extreme.max(v) } else { extreme.min(v) };
            }
            let original = image[y * GLYPH_SIDE + x];
            out[y * GLYPH_SIDE + x] = original + (extreme - original) * weight;
        }
    }
    out
}

/// The 4-connected neighbours inside the image (a cross keeps corners rounder than a square).
fn neighbours(x: usize, y: usize) -> impl Iterator<Item = (usize, usize)> {
    [(0, -1), (-1, 0), (1, 0), (0, 1)]
        .into_iter()
        .map(move |(dx, dy)| (x as isize + dx, y as isize + dy))
        .filter(|&(nx, ny)| {
            nx >= 0 && ny >= 0 && nx < GLYPH_SIDE as isize && ny < GLYPH_SIDE as isize
        })
        .map(|(nx, ny)| (nx as usize, ny as usize))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    fn config() -> AugmentConfig {
        AugmentConfig {
            enabled: true,
            max_rotation_degrees: 0.0,
            min_scale: 1.0,
            max_scale: 1.0,
            max_shear: 0.0,
            max_translation: 0.0,
            max_thickness_change: 0.0,
            slashed_zeros: 0.0,
        }
    }

    /// A vertical bar, 2 px wide, rows 6..22.
    fn bar() -> [u8; GLYPH_PIXELS] {
        let mut pixels = [0u8; GLYPH_PIXELS];
        for y in 6..22 {
            pixels[y * GLYPH_SIDE + 13] = 255;
            pixels[y * GLYPH_SIDE + 14] = 255;
        }
        pixels
    }

    fn ink(image: &[f32; GLYPH_PIXELS]) -> f32 {
        image.iter().sum()
    }

    #[test]
    fn redrawn_strokes_keep_their_shape_under_mild_distortion() {
        // An "L": a vertical stroke and a horizontal one.
        let strokes = [Stroke {
            points: vec![
                Point { x: 0.0, y: 0.0 },
                Point { x: 0.0, y: 100.0 },
                Point { x: 60.0, y: 100.0 },
            ],
            width: 1.0,
        }];
        let clean = *glyph_from_strokes(&strokes).unwrap().intensities();
        let mut rng = StdRng::seed_from_u64(7);
        let mut differences = Vec::new();
        for _ in 0..20 {
            let redrawn = config().redraw(&strokes, &mut rng).unwrap();
            let difference: f32 = clean.iter().zip(&redrawn).map(|(a, b)| (a - b).abs()).sum();
            differences.push(difference / ink(&clean));
        }
        // Every draw differs from the clean glyph, none beyond recognition.
        assert!(
            differences.iter().all(|&d| d > 0.01 && d < 1.5),
            "{differences:?}"
        );
        // A single point draws nothing, distorted or not.
        let dot = [Stroke {
            points: vec![Point { x: 5.0, y: 5.0 }],
            width: 1.0,
        }];
        assert_eq!(config().redraw(&dot, &mut rng), None);
    }

    #[test]
    fn zero_strength_is_the_identity() {
        let mut rng = StdRng::seed_from_u64(1);
        let out = config().apply(&bar(), &mut rng);
        let expected = bar().map(|p| f32::from(p) / 255.0);
        assert!(out.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-5));
    }

    #[test]
    fn rotation_by_ninety_degrees_turns_a_vertical_bar_horizontal() {
        let out = warp(
            &bar().map(|p| f32::from(p) / 255.0),
            Affine::new(90f32.to_radians(), 0.0, 1.0),
            (0.0, 0.0),
        );
        let row_ink: f32 = out[13 * GLYPH_SIDE..14 * GLYPH_SIDE].iter().sum();
        let column_ink: f32 = (0..GLYPH_SIDE).map(|y| out[y * GLYPH_SIDE + 6]).sum();
        assert!(row_ink > 10.0, "row 13 should hold the bar: {row_ink}");
        assert!(
            column_ink < 2.5,
            "column 6 should be nearly empty: {column_ink}"
        );
    }

    #[test]
    fn thickness_changes_ink_in_the_right_direction() {
        let image = bar().map(|p| f32::from(p) / 255.0);
        assert!(ink(&change_thickness(&image, 1.0)) > ink(&image) * 1.5);
        assert!(ink(&change_thickness(&image, -1.0)) < ink(&image) * 0.5);
        assert!(ink(&change_thickness(&image, 0.5)) > ink(&image));
    }

    #[test]
    fn random_distortions_stay_in_range_and_keep_most_ink() {
        let strong = AugmentConfig {
            max_rotation_degrees: 15.0,
            min_scale: 0.85,
            max_scale: 1.15,
            max_shear: 0.3,
            max_translation: 2.0,
            max_thickness_change: 0.7,
            ..config()
        };
        let mut rng = StdRng::seed_from_u64(7);
        let original = ink(&bar().map(|p| f32::from(p) / 255.0));
        for _ in 0..50 {
            let out = strong.apply(&bar(), &mut rng);
            assert!(out.iter().all(|v| (0.0..=1.0).contains(v)));
            let ratio = ink(&out) / original;
            assert!((0.3..3.0).contains(&ratio), "ink ratio {ratio}");
        }
    }
}
