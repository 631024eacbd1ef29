//! `predict FILE...`: recognise image files through the library's preprocessing.

use std::path::Path;

use anyhow::{Context, Result};
use handwriting::{PixelFormat, Raster, Recognizer, glyph_from_raster};
use serde_json::json;

/// Prints one JSON line per file; returns how many files could not be recognised.
pub fn run(recognizer: &Recognizer, files: &[impl AsRef<Path>]) -> usize {
    let mut failures = 0;
    for file in files {
        let file = file.as_ref();
        let line = match recognize_file(recognizer, file) {
            Ok(line) => line,
            Err(error) => {
                failures += 1;
                json!({ "file": file.display().to_string(), "error": format!("{error:#}") })
            }
        };
        println!("{line}");
    }
    failures
}

fn recognize_file(recognizer: &Recognizer, file: &Path) -> Result<serde_json::Value> {
    let image = image::open(file)
        .with_context(|| format!("cannot read {} as a PNG or JPEG image", file.display()))?
        .to_rgba8();
    let (width, height) = image.dimensions();
    let raster = Raster::new(
        width as usize,
        height as usize,
        PixelFormat::Rgba8,
        image.as_raw(),
    )?;
    let glyph = glyph_from_raster(&raster)?;
    let prediction = recognizer.recognize(&glyph)?;
    let best = prediction.best();
    let top3: Vec<_> = prediction
        .top_k(3)
        .iter()
        .map(|c| json!({ "label": c.label, "probability": c.probability }))
        .collect();
    Ok(json!({
        "file": file.display().to_string(),
        "label": best.label,
        "confidence": best.probability,
        "top3": top3,
    }))
}
