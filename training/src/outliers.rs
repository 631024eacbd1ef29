//! Inputs that are no character: random scribbles, symbols and noise. Training shows the
//! network scribbles so that it learns to be unsure of them; the report measures how the
//! rejection treats all three, symbols being the kind training never shows.

use std::f32::consts::PI;

use handwriting::{Point, Stroke};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The page's pad side and pen width, in the page's units.
const PAD: f32 = 200.0;
const PEN: f32 = 12.0;

/// One tangle of two to four random strokes of six to twelve points each: what a person
/// scribbles, not a character.
pub fn scribble(rng: &mut impl Rng) -> Vec<Stroke> {
    (0..rng.random_range(2..=4))
        .map(|_| {
            stroke(
                (0..rng.random_range(6..=12))
                    .map(|_| (rng.random_range(0.0..PAD), rng.random_range(0.0..PAD))),
            )
        })
        .collect()
}

/// `count` scribbles from `seed`.
pub fn scribbles(count: usize, seed: u64) -> Vec<Vec<Stroke>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count).map(|_| scribble(&mut rng)).collect()
}

/// Symbols that are no digit, each at a random angle and size: asterisks of three or four
/// bars, hashes (#) and crosses (+, ×).
pub fn symbols(count: usize, seed: u64) -> Vec<Vec<Stroke>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let angle = rng.random_range(0.0..PI);
            let half = rng.random_range(40.0..90.0);
            let bars = |count: usize| -> Vec<Stroke> {
                (0..count)
                    .map(|i| bar(angle + PI * i as f32 / count as f32, half, 0.0))
                    .collect()
            };
            match rng.random_range(0..3) {
                0 => bars(rng.random_range(3..=4)),
                1 => [angle, angle + PI / 2.0]
                    .into_iter()
                    .flat_map(|direction| {
                        [-0.35, 0.35].map(|offset| bar(direction, half, offset * half))
                    })
                    .collect(),
                _ => bars(2),
            }
        })
        .collect()
}

/// Grey rasters of uniform random noise on white paper, [`NOISE_SIDE`] pixels square.
pub fn noise(count: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            (0..NOISE_SIDE * NOISE_SIDE)
                .map(|i| {
                    let (x, y) = (i % NOISE_SIDE, i / NOISE_SIDE);
                    let border = x == 0 || y == 0 || x == NOISE_SIDE - 1 || y == NOISE_SIDE - 1;
                    if border { 255 } else { rng.random() }
                })
                .collect()
        })
        .collect()
}

/// The side of the [`noise`] rasters.
pub const NOISE_SIDE: usize = 64;

/// A straight stroke through the pad's centre, shifted sideways by `offset`, at `angle`,
/// reaching `half` from its middle each way.
fn bar(angle: f32, half: f32, offset: f32) -> Stroke {
    let (sin, cos) = angle.sin_cos();
    let middle = (PAD / 2.0 - sin * offset, PAD / 2.0 + cos * offset);
    stroke(
        [-half, half]
            .into_iter()
            .map(|t| (middle.0 + cos * t, middle.1 + sin * t)),
    )
}

fn stroke(points: impl Iterator<Item = (f32, f32)>) -> Stroke {
    Stroke {
        points: points.map(|(x, y)| Point { x, y }).collect(),
        width: PEN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handwriting::glyph_from_strokes;

    #[test]
    fn every_generator_is_seeded() {
        assert_eq!(scribbles(3, 7), scribbles(3, 7));
        assert_ne!(scribbles(3, 7), scribbles(3, 8));
        assert_eq!(symbols(3, 7), symbols(3, 7));
        assert_ne!(symbols(3, 7), symbols(3, 8));
        assert_eq!(noise(2, 1), noise(2, 1));
    }

    #[test]
    fn symbols_are_drawn_strokes_that_preprocess() {
        for strokes in symbols(50, 3) {
            assert!(
                (2..=4).contains(&strokes.len()),
                "{} strokes",
                strokes.len()
            );
            let glyph = glyph_from_strokes(&strokes).unwrap();
            assert!(glyph.mean_ink() > 0.02, "{}", glyph.mean_ink());
        }
    }
}
