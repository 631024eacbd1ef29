//! Arbitrary drawings through what the page calls: stroke lists with NaN, infinite, huge or
//! negative coordinates, zero or huge widths and thousands of points are segmented and
//! normalised, and arbitrary rasters are normalised. Every glyph that comes out must be
//! finite and within 0..=1, since the network would turn anything else into nonsense.
#![no_main]

use arbitrary::Arbitrary;
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
        }
    }
});
