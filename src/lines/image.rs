//! A written line as the line model sees it: a fixed height, the width following the writing.
//!
//! The page's strokes, UNIPEN's pen traces and images of a line all end here, so the network
//! is trained on exactly what it reads.

use crate::preprocess::{InkMap, PreprocessError, Raster, Stroke, drawable};

/// Rows of a line image: the writing's ascenders to descenders span it, less a margin.
pub const LINE_HEIGHT: usize = 32;
/// Columns per row-unit of writing. Lines are drawn 1.5 times wider than their proportions so
/// that each character gets three or more of the network's frames: CTC needs a blank frame
/// between the two letters of a double "l", and a narrow "i" still needs a frame of its own.
pub const HORIZONTAL_STRETCH: f32 = 1.5;
/// Columns of the image that make one frame of the network's output.
pub const FRAME_WIDTH: usize = 4;
/// The widest line image. Longer writing is drawn smaller, so that time and memory stay bounded
/// whatever is written (a thousand characters give an image, if not a good reading).
pub const MAX_LINE_WIDTH: usize = 2048;
/// The narrowest line image (8 frames). A lone narrow character drawn at its own width, a "1"
/// or an "l", gets three frames, too few for the network to read anything in; centred in
/// this many columns, more of them read. Chosen on the validation writers' lone digits, read
/// in *Auto* (767 of them: 82.4% at their own width, 82.4% at 24 columns, **83.7%** at 32,
/// 82.4% at 40 and 48); the validation writers' words read as before.
pub const MIN_LINE_WIDTH: usize = 32;
/// Pen width, in pixels of the line image, that strokes are drawn with: the canvas's own pen
/// width depends on the device and the zoom, so it is not used.
pub const PEN_WIDTH: f32 = 1.8;
/// Rows left blank above and below the writing.
const VERTICAL_MARGIN: f32 = 2.0;
/// Columns left blank before and after the writing.
const SIDE_MARGIN: f32 = 4.0;
/// A line flatter than this (width over height: a dash, a lone underline) is drawn as if it
/// were this tall, instead of being stretched to the full height and hundreds of columns.
const FLATTEST: f64 = 40.0;

/// Ink of a line, `LINE_HEIGHT` rows of `width` columns, `0` paper to `1` ink.
#[derive(Debug, Clone, PartialEq)]
pub struct LineImage {
    pub width: usize,
    pub ink: Vec<f32>,
    /// Canvas x of the left edge of column 0, and canvas units per column: how a frame of the
    /// network's output maps back onto the strokes. Zero width for images of a raster.
    pub left: f32,
    pub column_width: f32,
}

impl LineImage {
    /// Frames of network output for this image.
    pub fn frames(&self) -> usize {
        self.width / FRAME_WIDTH
    }

    /// Canvas x range covered by frames `start..end`.
    pub fn canvas_span(&self, frames: std::ops::Range<usize>) -> (f32, f32) {
        let x = |frame: usize| self.left + (frame * FRAME_WIDTH) as f32 * self.column_width;
        (x(frames.start), x(frames.end))
    }
}

/// Draws strokes (canvas coordinates, y down) as a line image with a pen `pen_width` pixels
/// wide: scaled so that their height fills the image, stretched by [`HORIZONTAL_STRETCH`].
pub fn line_from_strokes(strokes: &[Stroke], pen_width: f32) -> Result<LineImage, PreprocessError> {
    let strokes = drawable(strokes);
    let mut points = strokes.iter().flat_map(|stroke| stroke.points.iter());
    let first = points.next().ok_or(PreprocessError::NothingDrawn)?;
    // f64: coordinates near f32::MAX would overflow when subtracted in f32.
    let (mut min_x, mut min_y) = (f64::from(first.x), f64::from(first.y));
    let (mut max_x, mut max_y) = (min_x, min_y);
    for p in points {
        min_x = min_x.min(f64::from(p.x));
        min_y = min_y.min(f64::from(p.y));
        max_x = max_x.max(f64::from(p.x));
        max_y = max_y.max(f64::from(p.y));
    }
    let (ink_width, ink_height) = (max_x - min_x, max_y - min_y);
    if ink_width.max(ink_height) <= 0.0 || !ink_width.is_finite() || !ink_height.is_finite() {
        return Err(PreprocessError::NothingDrawn);
    }
    let pen = f64::from(pen_width.clamp(0.5, 4.0));
    let usable_rows = LINE_HEIGHT as f64 - 2.0 * f64::from(VERTICAL_MARGIN) - pen;
    let mut scale = usable_rows / ink_height.max(ink_width / FLATTEST);
    let stretch = f64::from(HORIZONTAL_STRETCH);
    let margin = f64::from(SIDE_MARGIN);
    let columns = |scale: f64| ink_width * scale * stretch + pen + 2.0 * margin;
    if columns(scale) > MAX_LINE_WIDTH as f64 {
        scale *=
            (MAX_LINE_WIDTH as f64 - pen - 2.0 * margin) / (columns(scale) - pen - 2.0 * margin);
    }
    let natural = (columns(scale).ceil() as usize)
        .next_multiple_of(FRAME_WIDTH)
        .min(MAX_LINE_WIDTH);
    let width = natural.max(MIN_LINE_WIDTH);
    let top = (LINE_HEIGHT as f64 - ink_height * scale) / 2.0;
    // Narrower writing is centred in the narrowest image.
    let centring = if width > natural {
        (width as f64 - columns(scale)) / 2.0
    } else {
        0.0
    };
    let left = margin + pen / 2.0 + centring;
    let mut map = InkMap {
        width,
        height: LINE_HEIGHT,
        ink: vec![0.0; width * LINE_HEIGHT],
    };
    let to_pixels = |x: f32, y: f32| {
        (
            ((f64::from(x) - min_x) * scale * stretch + left) as f32,
            ((f64::from(y) - min_y) * scale + top) as f32,
        )
    };
    let radius = (pen / 2.0) as f32;
    for stroke in &strokes {
        let first = to_pixels(stroke.points[0].x, stroke.points[0].y);
        map.draw_segment(first, first, radius);
        for pair in stroke.points.windows(2) {
            let (a, b) = (
                to_pixels(pair[0].x, pair[0].y),
                to_pixels(pair[1].x, pair[1].y),
            );
            map.draw_segment(a, b, radius);
        }
    }
    let column_width = 1.0 / (scale * stretch);
    Ok(LineImage {
        width,
        ink: map.ink,
        left: (min_x - left * column_width) as f32,
        column_width: column_width as f32,
    })
}

/// Reads a line from a picture of it (dark ink on light paper or the reverse): cropped to the
/// ink, scaled to the line height less the margins, stretched as strokes are.
pub fn line_from_raster(raster: &Raster) -> Result<LineImage, PreprocessError> {
    let map = InkMap::from_raster(raster)?;
    let (x, y, width, height) = map.ink_bounds().ok_or(PreprocessError::NothingDrawn)?;
    let ink = map.crop(x, y, width, height);
    let rows = LINE_HEIGHT - 2 * VERTICAL_MARGIN as usize;
    let scale = rows as f32 / height.max(1) as f32;
    let margin = SIDE_MARGIN as usize;
    let inner = ((width as f32 * scale * HORIZONTAL_STRETCH).round() as usize)
        .clamp(1, MAX_LINE_WIDTH - 2 * margin);
    let scaled = ink.resize(inner, rows);
    let line_width = (inner + 2 * margin).next_multiple_of(FRAME_WIDTH);
    let mut pixels = vec![0.0; line_width * LINE_HEIGHT];
    for row in 0..rows {
        let target = (row + VERTICAL_MARGIN as usize) * line_width + margin;
        pixels[target..target + inner].copy_from_slice(&scaled.ink[row * inner..(row + 1) * inner]);
    }
    Ok(LineImage {
        width: line_width,
        ink: pixels,
        left: 0.0,
        column_width: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocess::{PixelFormat, Point};

    fn stroke(points: &[(f32, f32)]) -> Stroke {
        Stroke {
            points: points.iter().map(|&(x, y)| Point { x, y }).collect(),
            width: 8.0,
        }
    }

    fn ink_rows(image: &LineImage) -> (usize, usize) {
        let rows: Vec<usize> = (0..LINE_HEIGHT)
            .filter(|&row| {
                image.ink[row * image.width..(row + 1) * image.width]
                    .iter()
                    .any(|&v| v > 0.5)
            })
            .collect();
        (rows[0], *rows.last().unwrap())
    }

    #[test]
    fn writing_fills_the_height_and_its_width_follows_the_proportions() {
        let short = line_from_strokes(&[stroke(&[(0.0, 0.0), (100.0, 100.0)])], PEN_WIDTH).unwrap();
        let long = line_from_strokes(&[stroke(&[(0.0, 0.0), (400.0, 100.0)])], PEN_WIDTH).unwrap();
        assert_eq!(short.ink.len(), short.width * LINE_HEIGHT);
        assert_eq!(short.width % FRAME_WIDTH, 0);
        let (top, bottom) = ink_rows(&short);
        assert!(top <= 3 && bottom >= LINE_HEIGHT - 4, "{top}..{bottom}");
        let ratio = long.width as f32 / short.width as f32;
        assert!((3.0..4.2).contains(&ratio), "{ratio}");
    }

    #[test]
    fn a_lone_stroke_is_centred_in_the_narrowest_image() {
        let one = line_from_strokes(&[stroke(&[(10.0, 0.0), (10.0, 100.0)])], PEN_WIDTH).unwrap();
        assert_eq!(one.width, MIN_LINE_WIDTH);
        let inked: Vec<usize> = (0..one.width)
            .filter(|&column| (0..LINE_HEIGHT).any(|row| one.ink[row * one.width + column] > 0.5))
            .collect();
        let centre = (inked[0] + inked[inked.len() - 1]) as f32 / 2.0;
        assert!(
            (centre - MIN_LINE_WIDTH as f32 / 2.0).abs() <= 1.5,
            "{inked:?}"
        );
        let (left, right) = one.canvas_span(0..one.frames());
        assert!((left + right) / 2.0 - 10.0 < 1.0, "{left}..{right}");
    }

    #[test]
    fn frames_map_back_onto_the_canvas() {
        let image = line_from_strokes(&[stroke(&[(50.0, 0.0), (250.0, 40.0)])], PEN_WIDTH).unwrap();
        let (left, right) = image.canvas_span(0..image.frames());
        assert!(left < 50.0 && left > 30.0, "{left}");
        assert!(right > 250.0 && right < 270.0, "{right}");
    }

    #[test]
    fn endless_or_absurd_writing_stays_bounded_and_dots_are_nothing() {
        let long: Vec<(f32, f32)> = (0..5000)
            .map(|i| (i as f32 * 10.0, (i % 7) as f32 * 5.0))
            .collect();
        let image = line_from_strokes(&[stroke(&long)], PEN_WIDTH).unwrap();
        assert!(image.width <= MAX_LINE_WIDTH);
        let absurd =
            line_from_strokes(&[stroke(&[(-3e38, 0.0), (3e38, 1e30)])], PEN_WIDTH).unwrap();
        assert!(absurd.width <= MAX_LINE_WIDTH);
        let dash = line_from_strokes(&[stroke(&[(0.0, 0.0), (100.0, 0.0)])], PEN_WIDTH).unwrap();
        assert!(dash.width < MAX_LINE_WIDTH, "{}", dash.width);
        let dot = line_from_strokes(&[stroke(&[(5.0, 5.0), (5.0, 5.0)])], PEN_WIDTH);
        assert_eq!(dot, Err(PreprocessError::NothingDrawn));
        let nan = line_from_strokes(&[stroke(&[(f32::NAN, 5.0)])], PEN_WIDTH);
        assert_eq!(nan, Err(PreprocessError::NothingDrawn));
    }

    #[test]
    fn a_picture_of_a_line_is_cropped_and_scaled_to_the_height() {
        let (width, height) = (120, 40);
        let mut data = vec![255u8; width * height];
        for x in 10..110 {
            for y in 15..25 {
                data[y * width + x] = 0;
            }
        }
        let raster = Raster::new(width, height, PixelFormat::Gray8, &data).unwrap();
        let image = line_from_raster(&raster).unwrap();
        let (top, bottom) = ink_rows(&image);
        assert!(top <= 3 && bottom >= LINE_HEIGHT - 4, "{top}..{bottom}");
        // 100×10 ink at 28 rows high, stretched 1.5×: 420 columns and the margins.
        assert!((420..440).contains(&image.width), "{}", image.width);
    }
}
