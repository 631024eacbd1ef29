//! The preprocessing's promises: position, size, colour and input kind do not change what the
//! network sees; nothing drawn is reported as such.

use handwriting::{
    GLYPH_PIXELS, GLYPH_SIDE, Glyph, PixelFormat, Point, PreprocessError, Raster, Stroke,
    glyph_from_raster, glyph_from_strokes,
};

/// A "7" as a polyline in a unit square.
const SEVEN: [(f32, f32); 3] = [(0.1, 0.05), (0.9, 0.05), (0.35, 0.95)];

/// Strokes of `shape` scaled to `size` pixels and placed at `(left, top)`.
fn strokes(shape: &[(f32, f32)], left: f32, top: f32, size: f32, width: f32) -> Vec<Stroke> {
    vec![Stroke {
        points: shape
            .iter()
            .map(|&(x, y)| Point {
                x: left + x * size,
                y: top + y * size,
            })
            .collect(),
        width,
    }]
}

/// Renders strokes into a `side`×`side` canvas as ink coverage (0 = paper, 1 = ink), using
/// the distance to each segment: an independent stand-in for a browser's canvas.
fn coverage(strokes: &[Stroke], side: usize) -> Vec<f32> {
    let mut ink = vec![0.0f32; side * side];
    for stroke in strokes {
        for pair in stroke.points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            for (i, cell) in ink.iter_mut().enumerate() {
                let (px, py) = ((i % side) as f32 + 0.5, (i / side) as f32 + 0.5);
                let (dx, dy) = (b.x - a.x, b.y - a.y);
                let t = (((px - a.x) * dx + (py - a.y) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
                let d = (px - a.x - t * dx).hypot(py - a.y - t * dy);
                *cell = cell.max((stroke.width / 2.0 + 0.5 - d).clamp(0.0, 1.0));
            }
        }
    }
    ink
}

fn gray(ink: &[f32], paper: u8, pen: u8) -> Vec<u8> {
    ink.iter()
        .map(|&c| (f32::from(paper) + (f32::from(pen) - f32::from(paper)) * c).round() as u8)
        .collect()
}

fn glyph(data: &[u8], side: usize, format: PixelFormat) -> Glyph {
    glyph_from_raster(&Raster::new(side, side, format, data).unwrap()).unwrap()
}

/// Mean absolute difference per pixel.
fn distance(a: &Glyph, b: &Glyph) -> f32 {
    let (a, b) = (a.intensities(), b.intensities());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / GLYPH_PIXELS as f32
}

#[test]
fn small_in_a_corner_and_large_in_the_centre_look_alike() {
    let small = coverage(&strokes(&SEVEN, 10.0, 12.0, 60.0, 6.0), 280);
    let large = coverage(&strokes(&SEVEN, 40.0, 30.0, 200.0, 20.0), 280);
    let small = glyph(&gray(&small, 255, 0), 280, PixelFormat::Gray8);
    let large = glyph(&gray(&large, 255, 0), 280, PixelFormat::Gray8);
    let d = distance(&small, &large);
    assert!(d < 0.03, "mean difference {d}");
}

#[test]
fn ink_colour_and_transparency_do_not_matter() {
    let ink = coverage(&strokes(&SEVEN, 40.0, 40.0, 180.0, 16.0), 280);
    let reference = glyph(&gray(&ink, 255, 0), 280, PixelFormat::Gray8);
    let light_on_dark = glyph(&gray(&ink, 20, 240), 280, PixelFormat::Gray8);
    let blue_on_cream: Vec<u8> = ink
        .iter()
        .flat_map(|&c| {
            let mix = |paper: f32, pen: f32| (paper + (pen - paper) * c).round() as u8;
            [mix(250.0, 30.0), mix(245.0, 60.0), mix(230.0, 200.0), 255]
        })
        .collect();
    let on_transparency: Vec<u8> = ink
        .iter()
        .flat_map(|&c| [255, 255, 255, (c * 255.0).round() as u8])
        .collect();
    for (name, other) in [
        ("light on dark", light_on_dark),
        (
            "blue on cream",
            glyph(&blue_on_cream, 280, PixelFormat::Rgba8),
        ),
        (
            "white on transparency",
            glyph(&on_transparency, 280, PixelFormat::Rgba8),
        ),
    ] {
        let d = distance(&reference, &other);
        assert!(d < 0.02, "{name}: mean difference {d}");
    }
}

#[test]
fn output_follows_the_mnist_convention() {
    let ink = coverage(&strokes(&SEVEN, 30.0, 50.0, 150.0, 12.0), 280);
    let glyph = glyph(&gray(&ink, 255, 0), 280, PixelFormat::Gray8);
    let pixels = glyph.intensities();
    let inked = |i: usize| pixels[i] > 0.05;
    let rows: Vec<usize> = (0..GLYPH_SIDE)
        .filter(|y| (0..GLYPH_SIDE).any(|x| inked(y * GLYPH_SIDE + x)))
        .collect();
    let height = rows.last().unwrap() - rows.first().unwrap() + 1;
    assert!(
        (19..=21).contains(&height),
        "ink spans {height} rows, expected 20"
    );
    let total: f32 = pixels.iter().sum();
    let centre = |coordinate: fn(usize) -> usize| {
        let moment: f32 = pixels
            .iter()
            .enumerate()
            .map(|(i, v)| v * (coordinate(i) as f32 + 0.5))
            .sum();
        moment / total
    };
    let (centre_x, centre_y) = (centre(|i| i % GLYPH_SIDE), centre(|i| i / GLYPH_SIDE));
    assert!((centre_x - 14.0).abs() <= 1.0 && (centre_y - 14.0).abs() <= 1.0);
    assert!(
        pixels.iter().any(|&v| v > 0.1 && v < 0.9),
        "edges are anti-aliased, not binary"
    );
}

#[test]
fn strokes_and_a_picture_of_them_agree() {
    let drawing = strokes(&SEVEN, 40.0, 40.0, 180.0, 16.0);
    let from_strokes = glyph_from_strokes(&drawing).unwrap();
    let from_raster = glyph(
        &gray(&coverage(&drawing, 280), 255, 0),
        280,
        PixelFormat::Gray8,
    );
    let d = distance(&from_strokes, &from_raster);
    assert!(d < 0.02, "mean difference {d}");
}

#[test]
fn nothing_drawn_is_reported() {
    let blank = vec![255u8; 100 * 100];
    let transparent = vec![0u8; 100 * 100 * 4];
    let mut speck = vec![255u8; 200 * 200];
    speck[100 * 200 + 100] = 0;
    for (name, data, format, side) in [
        ("blank paper", blank, PixelFormat::Gray8, 100),
        ("transparent canvas", transparent, PixelFormat::Rgba8, 100),
        ("a one-pixel speck", speck, PixelFormat::Gray8, 200),
    ] {
        let raster = Raster::new(side, side, format, &data).unwrap();
        assert_eq!(
            glyph_from_raster(&raster),
            Err(PreprocessError::NothingDrawn),
            "{name}"
        );
    }
    assert_eq!(glyph_from_strokes(&[]), Err(PreprocessError::NothingDrawn));
    let dot = strokes(&[(0.0, 0.0), (0.01, 0.01)], 50.0, 50.0, 100.0, 12.0);
    assert_eq!(glyph_from_strokes(&dot), Err(PreprocessError::NothingDrawn));
    let empty_stroke = vec![Stroke {
        points: vec![],
        width: 10.0,
    }];
    assert_eq!(
        glyph_from_strokes(&empty_stroke),
        Err(PreprocessError::NothingDrawn)
    );
}

#[test]
fn wrong_buffer_size_is_an_error() {
    let error = Raster::new(10, 10, PixelFormat::Rgba8, &[0; 399]).unwrap_err();
    assert!(matches!(
        error,
        PreprocessError::SizeMismatch {
            expected: 400,
            actual: 399,
            ..
        }
    ));
    assert!(Raster::new(usize::MAX, 2, PixelFormat::Gray8, &[]).is_err());
}

#[test]
fn hostile_strokes_do_not_panic() {
    let point = |x, y| Point { x, y };
    let cases = vec![
        vec![Stroke {
            points: vec![
                point(f32::NAN, 1.0),
                point(5.0, f32::INFINITY),
                point(0.0, 0.0),
                point(50.0, 80.0),
            ],
            width: f32::NAN,
        }],
        vec![Stroke {
            points: vec![point(-1e30, -1e30), point(1e30, 1e30)],
            width: 0.0,
        }],
        vec![Stroke {
            points: vec![point(f32::MAX, 0.0), point(f32::MIN, 1.0)],
            width: f32::MAX,
        }],
        vec![Stroke {
            points: vec![point(0.0, 0.0), point(0.0, 100.0)],
            width: -4.0,
        }],
        vec![Stroke {
            points: (0..10_000)
                .map(|i| point((i as f32).sin() * 100.0, i as f32 * 0.01))
                .collect(),
            width: 8.0,
        }],
    ];
    for strokes in cases {
        if let Ok(glyph) = glyph_from_strokes(&strokes) {
            assert!(glyph.intensities().iter().all(|v| (0.0..=1.0).contains(v)));
        }
    }
}

#[test]
fn opaque_paper_with_a_few_translucent_pixels_is_still_paper() {
    let ink = coverage(&strokes(&SEVEN, 40.0, 40.0, 180.0, 16.0), 280);
    let reference = glyph(&gray(&ink, 255, 0), 280, PixelFormat::Gray8);
    let mut rgba: Vec<u8> = gray(&ink, 255, 0)
        .iter()
        .flat_map(|&v| [v, v, v, 255])
        .collect();
    rgba[3] = 200; // one translucent corner pixel, as some image editors leave
    let d = distance(&reference, &glyph(&rgba, 280, PixelFormat::Rgba8));
    assert!(d < 0.02, "mean difference {d}");
}
