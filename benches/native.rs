//! Native timings of the library's hot paths: a drawing turned into a glyph, and glyphs
//! classified on the CPU backend, one at a time (a single character) and 64 at once (a long
//! line read in one batch). Run with `cargo bench -p handwriting`.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/common/mod.rs"]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;

    use criterion::{BenchmarkId, Criterion, Throughput};
    use handwriting::{CpuBackend, Glyph, Recognizer, glyph_from_strokes};

    use crate::common::digit;

    pub fn preprocess(c: &mut Criterion) {
        // An "8": the fixture's longest stroke, drawn with the page's pen.
        let strokes = digit('8', 0.0, 0.0);
        c.bench_function("preprocess strokes → glyph", |b| {
            b.iter(|| glyph_from_strokes(black_box(&strokes)).unwrap())
        });
    }

    pub fn inference(c: &mut Criterion) {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/www/models/digits.bpk"
        ))
        .expect("the shipped weights are committed");
        let device = CpuBackend::preferred().device();
        let recognizer = Recognizer::from_bytes(&bytes, "www/models/digits.bpk", &device).unwrap();
        let digits: Vec<Glyph> = "0123456789"
            .chars()
            .map(|d| glyph_from_strokes(&digit(d, 0.0, 0.0)).unwrap())
            .collect();
        // Burn initialises parameters lazily: pay for it before timing.
        recognizer.recognize(&digits[0]).unwrap();

        let mut group =
            c.benchmark_group(format!("recognize on {}", CpuBackend::preferred().name()));
        // A batch of 64 takes tens of milliseconds: criterion's default 100 samples would
        // need far more than its 5 s budget.
        group.sample_size(20);
        for batch in [1, 64] {
            let glyphs: Vec<Glyph> = digits.iter().cycle().take(batch).cloned().collect();
            group.throughput(Throughput::Elements(batch as u64));
            group.bench_with_input(BenchmarkId::new("batch", batch), &glyphs, |b, glyphs| {
                b.iter(|| recognizer.recognize_batch(black_box(glyphs)).unwrap())
            });
        }
        group.finish();
    }

    criterion::criterion_group!(benches, preprocess, inference);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

// Criterion does not build for wasm32; `cargo clippy --target wasm32-unknown-unknown
// --all-targets` still compiles this file.
#[cfg(target_arch = "wasm32")]
fn main() {}
