//! Arbitrary drawings through what the page calls: stroke lists with NaN, infinite, huge or
//! negative coordinates, zero or huge widths and thousands of points are segmented and
//! normalised, and drawn as line images; arbitrary rasters are normalised and read as lines.
//! Every glyph and line image that comes out must be finite and within 0..=1, since the
//! network would turn anything else into nonsense, and no wider than the widest line.
#![no_main]

use arbitrary::Arbitrary;
use handwriting::lines::{
    FRAME_WIDTH, LINE_HEIGHT, LineImage, MAX_LINE_WIDTH, PEN_WIDTH, line_from_raster,
    line_from_strokes,
};
use handwriting::{Glyph, Layout, PixelFormat, Point, Raster, Stroke, glyph_from_raster};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Drawing {
    Strokes(Vec<(Vec<(f32, f32)>, f32)>),
    Raster {
        width: u8,
        height: u8,
        rgba: bool,
        data: Vec<u8>,
    },
}

fn check(glyph: &Glyph) {
    assert!(
        glyph
            .intensities()
            .iter()
            .all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
        "{glyph:?}"
    );
}

fn check_line(line: &LineImage) {
    assert!(line.width <= MAX_LINE_WIDTH && line.width % FRAME_WIDTH == 0);
    assert_eq!(line.ink.len(), line.width * LINE_HEIGHT);
    assert!(
        line.ink
            .iter()
            .all(|v| v.is_finite() && (0.0..=1.0).contains(v))
    );
}

fuzz_target!(|drawing: Drawing| match drawing {
    Drawing::Strokes(strokes) => {
        let strokes: Vec<Stroke> = strokes
            .into_iter()
            .map(|(points, width)| Stroke {
                points: points.into_iter().map(|(x, y)| Point { x, y }).collect(),
                width,
            })
            .collect();
        Layout::of(&strokes).glyphs().iter().for_each(check);
        if let Ok(line) = line_from_strokes(&strokes, PEN_WIDTH) {
            check_line(&line);
        }
    }
    Drawing::Raster {
        width,
        height,
        rgba,
        data,
    } => {
        let format = if rgba {
            PixelFormat::Rgba8
        } else {
            PixelFormat::Gray8
        };
        if let Ok(raster) = Raster::new(width.into(), height.into(), format, &data) {
            if let Ok(glyph) = glyph_from_raster(&raster) {
                check(&glyph);
            }
            if let Ok(line) = line_from_raster(&raster) {
                check_line(&line);
            }
        }
    }
});
