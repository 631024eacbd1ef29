//! Smooth warps of a written line's strokes, for training: writers differ not only in slant
//! and width, which the affine distortions cover, but in how wide each letter runs against
//! its neighbours and in how straight their baseline stays.

use handwriting::{Point, Stroke};
use rand::Rng;

use crate::augment::{ink_size, move_points, uniform};

/// The shortest wavelength of a warp, in line heights: about two letters.
const MIN_WAVELENGTH: f32 = 1.5;
const MAX_WAVELENGTH: f32 = 4.0;
/// How steep the horizontal warp may get (its derivative's amplitude): below 1, so that it
/// never folds the line back on itself and letters keep their order.
const MAX_STEEPNESS: f32 = 0.6;

/// `strokes` with x moved along a sine wave of up to `horizontal` line heights (some letters
/// wider, some narrower) and y along another of up to `vertical` (a wavy baseline), each of
/// random wavelength and phase.
pub fn warp(strokes: &[Stroke], horizontal: f32, vertical: f32, rng: &mut impl Rng) -> Vec<Stroke> {
    let (_, height) = ink_size(strokes);
    if height <= 0.0 {
        return strokes.to_vec();
    }
    let mut wave = |amplitude: f32| {
        let wavelength = uniform(rng, MIN_WAVELENGTH, MAX_WAVELENGTH) * height;
        let frequency = std::f32::consts::TAU / wavelength;
        let amplitude = uniform(rng, 0.0, amplitude) * height;
        let phase = uniform(rng, 0.0, std::f32::consts::TAU);
        (amplitude, frequency, phase)
    };
    let (dx, fx, px) = wave(horizontal);
    // Its derivative is dx · fx; kept below MAX_STEEPNESS.
    let dx = dx.min(MAX_STEEPNESS / fx);
    let (dy, fy, py) = wave(vertical);
    move_points(strokes, |p| Point {
        x: p.x + dx * (fx * p.x + px).sin(),
        y: p.y + dy * (fy * p.x + py).sin(),
    })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    fn line() -> Vec<Stroke> {
        vec![Stroke {
            points: (0..400)
                .map(|i| Point {
                    x: i as f32,
                    y: 50.0 + 50.0 * (i as f32 / 7.0).sin(),
                })
                .collect(),
            width: 2.0,
        }]
    }

    #[test]
    fn warps_keep_the_order_of_the_writing_along_the_line() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..100 {
            let warped = warp(&line(), 1.0, 0.1, &mut rng);
            let xs: Vec<f32> = warped[0].points.iter().map(|p| p.x).collect();
            assert!(xs.windows(2).all(|pair| pair[0] < pair[1]), "{xs:?}");
            for (before, after) in line()[0].points.iter().zip(&warped[0].points) {
                assert!((after.y - before.y).abs() <= 0.1 * 100.0 + 1e-3);
            }
        }
    }

    #[test]
    fn no_amplitude_no_warp() {
        let mut rng = StdRng::seed_from_u64(4);
        assert_eq!(
            warp(&line(), 0.0, 0.0, &mut rng)[0].points,
            line()[0].points
        );
        let dot = vec![Stroke {
            points: vec![Point { x: 1.0, y: 1.0 }],
            width: 2.0,
        }];
        assert_eq!(warp(&dot, 0.5, 0.5, &mut rng)[0].points, dot[0].points);
    }
}
