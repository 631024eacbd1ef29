//! From what a person drew to the network's input, in pure Rust.
//!
//! Both entry points end in the same MNIST normalisation: crop to the ink, scale the longer
//! side to 20 pixels with an area filter, and centre the ink's centre of mass in 28×28.
//! The browser and the training crate both call these functions; there is no other copy.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::glyph::{GLYPH_PIXELS, GLYPH_SIDE, Glyph};

/// Side of the box the ink's longer side is scaled to, as in MNIST.
const INK_BOX: usize = 20;
/// Ink at or above this level (after contrast stretching) counts when cropping.
const INK_THRESHOLD: f32 = 0.25;
/// Ink below this level is treated as paper: it removes paper texture and JPEG noise.
const NOISE_FLOOR: f32 = 0.1;
/// An image whose darkest ink differs from its paper by less than this holds no drawing.
const MIN_CONTRAST: f32 = 0.15;
/// Ink whose extent is below this fraction of the image's longer side is a speck, not a character.
const MIN_EXTENT_FRACTION: f32 = 0.02;
/// Strokes are rasterised so that the ink's longer side spans about this many pixels: enough
/// detail for the area filter, small enough to be cheap.
const STROKE_RENDER_SIDE: f32 = 96.0;
/// Stroke widths are kept within this band, as fractions of the drawing's extent: MNIST's pens
/// are 1.5 to 3 pixels wide in a 20-pixel box. A fixed pen on a canvas draws a small digit
/// with fat strokes and a large one with hairlines; the band gives the network the proportions
/// it was trained on.
const STROKE_WIDTH_BAND: (f64, f64) = (0.08, 0.15);

/// Why an input gives no glyph.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PreprocessError {
    #[error("nothing drawn")]
    NothingDrawn,
    #[error("raster of {width}×{height} {format:?} needs {expected} bytes, got {actual}")]
    SizeMismatch {
        width: usize,
        height: usize,
        format: PixelFormat,
        expected: usize,
        actual: usize,
    },
}

/// Layout of a raster's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PixelFormat {
    /// One byte per pixel.
    Gray8,
    /// Four bytes per pixel, straight (not premultiplied) alpha: a canvas's `ImageData`.
    Rgba8,
}

impl PixelFormat {
    fn bytes_per_pixel(self) -> usize {
        match self {
            Self::Gray8 => 1,
            Self::Rgba8 => 4,
        }
    }
}

/// A borrowed image: dark ink on light paper, light on dark, or ink on transparency.
#[derive(Debug, Clone, Copy)]
pub struct Raster<'a> {
    width: usize,
    height: usize,
    format: PixelFormat,
    data: &'a [u8],
}

impl<'a> Raster<'a> {
    pub fn new(
        width: usize,
        height: usize,
        format: PixelFormat,
        data: &'a [u8],
    ) -> Result<Self, PreprocessError> {
        let expected = width
            .checked_mul(height)
            .and_then(|n| n.checked_mul(format.bytes_per_pixel()));
        if expected != Some(data.len()) {
            return Err(PreprocessError::SizeMismatch {
                width,
                height,
                format,
                expected: expected.unwrap_or(usize::MAX),
                actual: data.len(),
            });
        }
        Ok(Self {
            width,
            height,
            format,
            data,
        })
    }
}

/// A point of a stroke, in canvas coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// One pen-down-to-pen-up trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    pub points: Vec<Point>,
    /// Line width in canvas units.
    pub width: f32,
}

/// Normalises a raster (a canvas's pixels, a scanned or photographed character) to a glyph.
pub fn glyph_from_raster(raster: &Raster) -> Result<Glyph, PreprocessError> {
    glyph_from_ink(&InkMap::from_raster(raster)?)
}

/// Normalises strokes to a glyph: they are drawn anti-aliased at their own line width (kept
/// within MNIST's range of proportions), so a stroke list and a screenshot of the same canvas
/// give nearly the same glyph.
pub fn glyph_from_strokes(strokes: &[Stroke]) -> Result<Glyph, PreprocessError> {
    glyph_from_ink(&StrokeRendering::new(strokes)?.map)
}

/// Ink intensity per pixel, `0.0` (paper) to `1.0` (full ink).
#[derive(Debug, Clone)]
pub(crate) struct InkMap {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) ink: Vec<f32>,
}

impl InkMap {
    /// Separates ink from paper whatever the colours: where the paper is transparent (a
    /// canvas's background), opacity is the ink; otherwise the border's median brightness is
    /// the paper and ink is the difference from it. Either way it is stretched so that the
    /// strongest ink is 1.
    pub(crate) fn from_raster(raster: &Raster) -> Result<Self, PreprocessError> {
        let pixel_count = raster.width * raster.height;
        let alpha = || raster.data.chunks_exact(4).map(|p| f32::from(p[3]) / 255.0);
        let transparent_paper = raster.format == PixelFormat::Rgba8
            && border_median(&alpha().collect::<Vec<_>>(), raster.width, raster.height) < 0.5;
        let mut ink = match raster.format {
            PixelFormat::Rgba8 if transparent_paper => alpha().collect(),
            _ => {
                let luminance: Vec<f32> = match raster.format {
                    PixelFormat::Gray8 => {
                        raster.data.iter().map(|&v| f32::from(v) / 255.0).collect()
                    }
                    PixelFormat::Rgba8 => raster.data.chunks_exact(4).map(rgb_luminance).collect(),
                };
                let paper = border_median(&luminance, raster.width, raster.height);
                luminance
                    .iter()
                    .map(|&l| {
                        if paper > 0.5 {
                            (paper - l) / paper
                        } else {
                            (l - paper) / (1.0 - paper)
                        }
                    })
                    .collect::<Vec<f32>>()
            }
        };
        debug_assert_eq!(ink.len(), pixel_count);
        let strongest = ink.iter().copied().fold(0.0f32, f32::max);
        if strongest < MIN_CONTRAST {
            return Err(PreprocessError::NothingDrawn);
        }
        for value in &mut ink {
            let stretched = (*value / strongest).clamp(0.0, 1.0);
            *value = if stretched < NOISE_FLOOR {
                0.0
            } else {
                stretched
            };
        }
        Ok(Self {
            width: raster.width,
            height: raster.height,
            ink,
        })
    }

    /// Covers the pixels within `radius` of the segment `a`–`b`, with a one-pixel soft edge.
    pub(crate) fn draw_segment(&mut self, a: (f32, f32), b: (f32, f32), radius: f32) {
        let reach = radius + 1.0;
        let clamp_x = |v: f32| (v.max(0.0) as usize).min(self.width - 1);
        let clamp_y = |v: f32| (v.max(0.0) as usize).min(self.height - 1);
        let (x0, x1) = (clamp_x(a.0.min(b.0) - reach), clamp_x(a.0.max(b.0) + reach));
        let (y0, y1) = (clamp_y(a.1.min(b.1) - reach), clamp_y(a.1.max(b.1) + reach));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length_squared = dx * dx + dy * dy;
        for y in y0..=y1 {
            for x in x0..=x1 {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let t = if length_squared > 0.0 {
                    (((px - a.0) * dx + (py - a.1) * dy) / length_squared).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let distance = (px - (a.0 + t * dx)).hypot(py - (a.1 + t * dy));
                let coverage = (radius + 0.5 - distance).clamp(0.0, 1.0);
                let cell = &mut self.ink[y * self.width + x];
                *cell = cell.max(coverage);
            }
        }
    }

    /// Bounding box `(x, y, width, height)` of the pixels at or above [`INK_THRESHOLD`].
    pub(crate) fn ink_bounds(&self) -> Option<(usize, usize, usize, usize)> {
        let mut bounds: Option<(usize, usize, usize, usize)> = None;
        for (i, _) in self
            .ink
            .iter()
            .enumerate()
            .filter(|(_, v)| **v >= INK_THRESHOLD)
        {
            let (x, y) = (i % self.width, i / self.width);
            bounds = Some(match bounds {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
        bounds.map(|(x0, y0, x1, y1)| (x0, y0, x1 - x0 + 1, y1 - y0 + 1))
    }

    pub(crate) fn crop(&self, x: usize, y: usize, width: usize, height: usize) -> Self {
        let ink = (y..y + height)
            .flat_map(|row| &self.ink[row * self.width + x..row * self.width + x + width])
            .copied()
            .collect();
        Self { width, height, ink }
    }

    /// Resamples to `width`×`height` with an area filter: each output pixel averages the source
    /// area it covers (at least one source pixel wide, so enlarging interpolates linearly).
    pub(crate) fn resize(&self, width: usize, height: usize) -> Self {
        let columns = filter_weights(self.width, width);
        let rows = filter_weights(self.height, height);
        let mut horizontal = vec![0.0f32; width * self.height];
        for y in 0..self.height {
            let source = &self.ink[y * self.width..(y + 1) * self.width];
            for (x, taps) in columns.iter().enumerate() {
                horizontal[y * width + x] = taps.iter().map(|&(i, w)| source[i] * w).sum();
            }
        }
        let mut ink = vec![0.0f32; width * height];
        for (y, taps) in rows.iter().enumerate() {
            for x in 0..width {
                ink[y * width + x] = taps
                    .iter()
                    .map(|&(i, w)| horizontal[i * width + x] * w)
                    .sum();
            }
        }
        Self { width, height, ink }
    }

    /// Centre of mass in pixel coordinates (pixel `i` spans `i..i+1`).
    fn centre_of_mass(&self) -> (f32, f32) {
        let (mut total, mut sum_x, mut sum_y) = (0.0f32, 0.0f32, 0.0f32);
        for (i, &v) in self.ink.iter().enumerate() {
            total += v;
            sum_x += v * ((i % self.width) as f32 + 0.5);
            sum_y += v * ((i / self.width) as f32 + 0.5);
        }
        if total > 0.0 {
            (sum_x / total, sum_y / total)
        } else {
            (self.width as f32 / 2.0, self.height as f32 / 2.0)
        }
    }
}

/// Strokes drawn into an [`InkMap`] as round-capped, anti-aliased lines, scaled so that the
/// ink's longer side spans [`STROKE_RENDER_SIDE`] pixels (line widths scale with it), and where
/// the map lies in canvas coordinates.
struct StrokeRendering {
    map: InkMap,
    /// Canvas x of the map's left edge.
    origin_x: f64,
    /// Map pixels per canvas unit.
    scale: f64,
}

impl StrokeRendering {
    fn new(strokes: &[Stroke]) -> Result<Self, PreprocessError> {
        let strokes = drawable(strokes);
        let all_points = || strokes.iter().flat_map(|stroke| stroke.points.iter());
        if all_points().next().is_none() {
            return Err(PreprocessError::NothingDrawn);
        }
        // f64: coordinates near f32::MAX would overflow when subtracted in f32.
        let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
        let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for p in all_points() {
            min_x = min_x.min(f64::from(p.x));
            min_y = min_y.min(f64::from(p.y));
            max_x = max_x.max(f64::from(p.x));
            max_y = max_y.max(f64::from(p.y));
        }
        let widest = f64::from(strokes.iter().map(|s| s.width).fold(0.0f32, f32::max));
        let extent = (max_x - min_x).max(max_y - min_y);
        // Everything within one pen width of a point is a dot, not a character.
        if extent < widest {
            return Err(PreprocessError::NothingDrawn);
        }
        let (thinnest, thickest) = (STROKE_WIDTH_BAND.0 * extent, STROKE_WIDTH_BAND.1 * extent);
        let pen = |width: f64| width.clamp(thinnest, thickest);
        let widest = pen(widest);
        let scale = f64::from(STROKE_RENDER_SIDE) / (extent + widest);
        let margin = 2.0;
        let origin_x = min_x - widest / 2.0 - margin / scale;
        let origin_y = min_y - widest / 2.0 - margin / scale;
        let width = ((max_x - min_x + widest) * scale + 2.0 * margin).ceil() as usize + 1;
        let height = ((max_y - min_y + widest) * scale + 2.0 * margin).ceil() as usize + 1;
        let mut map = InkMap {
            width,
            height,
            ink: vec![0.0; width * height],
        };
        for stroke in &strokes {
            let radius = (pen(f64::from(stroke.width)) * scale / 2.0) as f32;
            let to_pixels = |p: &Point| {
                let x = (f64::from(p.x) - origin_x) * scale;
                let y = (f64::from(p.y) - origin_y) * scale;
                (x as f32, y as f32)
            };
            let first = to_pixels(&stroke.points[0]);
            map.draw_segment(first, first, radius);
            for pair in stroke.points.windows(2) {
                map.draw_segment(to_pixels(&pair[0]), to_pixels(&pair[1]), radius);
            }
        }
        Ok(Self {
            map,
            origin_x,
            scale,
        })
    }
}

/// How much ink each column of a drawing holds: touching characters meet where it is least.
#[derive(Debug, Clone)]
pub(crate) struct ColumnProfile {
    /// Canvas x of the first column's left edge.
    pub left: f32,
    /// Width of one column in canvas units.
    pub column_width: f32,
    /// Summed ink of each column, left to right.
    pub ink: Vec<f32>,
}

impl ColumnProfile {
    /// The profile of strokes drawn as [`glyph_from_strokes`] draws them.
    pub fn of(strokes: &[Stroke]) -> Result<Self, PreprocessError> {
        let StrokeRendering {
            map,
            origin_x,
            scale,
        } = StrokeRendering::new(strokes)?;
        let ink = (0..map.width)
            .map(|x| (0..map.height).map(|y| map.ink[y * map.width + x]).sum())
            .collect();
        Ok(Self {
            left: origin_x as f32,
            column_width: (1.0 / scale) as f32,
            ink,
        })
    }
}

/// The strokes with their non-finite points removed, widths made usable (at least one unit),
/// and strokes left without points dropped.
pub(crate) fn drawable(strokes: &[Stroke]) -> Vec<Stroke> {
    strokes
        .iter()
        .map(|stroke| Stroke {
            points: stroke
                .points
                .iter()
                .copied()
                .filter(|p| p.x.is_finite() && p.y.is_finite())
                .collect(),
            width: if stroke.width.is_finite() && stroke.width >= 1.0 {
                stroke.width
            } else {
                1.0
            },
        })
        .filter(|stroke| !stroke.points.is_empty())
        .collect()
}

/// The MNIST normalisation of an ink map: crop, fit into 20×20, centre by mass in 28×28.
fn glyph_from_ink(map: &InkMap) -> Result<Glyph, PreprocessError> {
    let (x, y, width, height) = map.ink_bounds().ok_or(PreprocessError::NothingDrawn)?;
    let min_extent = (MIN_EXTENT_FRACTION * map.width.max(map.height) as f32).max(2.0);
    if (width.max(height) as f32) < min_extent {
        return Err(PreprocessError::NothingDrawn);
    }
    let (fit_width, fit_height) = fit_longer_side(width, height, INK_BOX);
    let fitted = map.crop(x, y, width, height).resize(fit_width, fit_height);
    let (centre_x, centre_y) = fitted.centre_of_mass();
    let half = GLYPH_SIDE as f32 / 2.0;
    let offset = |centre: f32, size: usize| {
        ((half - centre).round().max(0.0) as usize).min(GLYPH_SIDE - size)
    };
    let (left, top) = (offset(centre_x, fit_width), offset(centre_y, fit_height));
    let mut pixels = [0.0f32; GLYPH_PIXELS];
    for row in 0..fit_height {
        let start = (top + row) * GLYPH_SIDE + left;
        pixels[start..start + fit_width]
            .copy_from_slice(&fitted.ink[row * fit_width..(row + 1) * fit_width]);
    }
    Ok(Glyph::from_intensities(pixels))
}

/// Output size with the longer side `side` and the aspect ratio kept (each side ≥ 1).
fn fit_longer_side(width: usize, height: usize, side: usize) -> (usize, usize) {
    let shorter = |short: usize, long: usize| {
        (((short * side) as f32 / long as f32).round() as usize).clamp(1, side)
    };
    if width >= height {
        (side, shorter(height, width))
    } else {
        (shorter(width, height), side)
    }
}

/// For each of `target` output pixels, the source pixels it covers and their weights (summing
/// to 1). The footprint is `source / target` pixels wide, but never narrower than one pixel.
fn filter_weights(source: usize, target: usize) -> Vec<Vec<(usize, f32)>> {
    let step = source as f32 / target as f32;
    let half_width = step.max(1.0) / 2.0;
    (0..target)
        .map(|i| {
            let centre = (i as f32 + 0.5) * step;
            let (start, end) = (centre - half_width, centre + half_width);
            let first = start.floor().max(0.0) as usize;
            let last = (end.ceil() as usize).min(source);
            let mut taps: Vec<(usize, f32)> = (first..last)
                .map(|j| {
                    let overlap = end.min(j as f32 + 1.0) - start.max(j as f32);
                    (j, overlap.max(0.0))
                })
                .filter(|&(_, w)| w > 0.0)
                .collect();
            let total: f32 = taps.iter().map(|&(_, w)| w).sum();
            for tap in &mut taps {
                tap.1 /= total;
            }
            taps
        })
        .collect()
}

fn rgb_luminance(pixel: &[u8]) -> f32 {
    (0.299 * f32::from(pixel[0]) + 0.587 * f32::from(pixel[1]) + 0.114 * f32::from(pixel[2]))
        / 255.0
}

/// Median brightness of the outermost pixels: the paper, in any image with a margin.
fn border_median(luminance: &[f32], width: usize, height: usize) -> f32 {
    let mut border: Vec<f32> = (0..width * height)
        .filter(|i| {
            let (x, y) = (i % width, i / width);
            x == 0 || y == 0 || x + 1 == width || y + 1 == height
        })
        .map(|i| luminance[i])
        .collect();
    if border.is_empty() {
        return 1.0;
    }
    let middle = border.len() / 2;
    *border.select_nth_unstable_by(middle, f32::total_cmp).1
}
