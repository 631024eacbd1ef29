//! `predict FILE...`: recognise image files through the library's preprocessing.

use std::path::Path;

use anyhow::{Context, Result};
use handwriting::{PixelFormat, Raster, Recognizer, glyph_from_raster};
use serde_json::{Value, json};

/// Prints one JSON line per file, the file's name and what `read` made of its image; returns
/// how many files could not be read.
pub fn run(files: &[impl AsRef<Path>], read: impl Fn(&Raster) -> Result<Value>) -> usize {
    let mut failures = 0;
    for file in files {
        let file = file.as_ref();
        let name = file.display().to_string();
        let line = match read_file(file, &read) {
            Ok(Value::Object(mut fields)) => {
                fields.insert("file".into(), name.into());
                Value::Object(fields)
            }
            Ok(other) => json!({ "file": name, "result": other }),
            Err(error) => {
                failures += 1;
                json!({ "file": name, "error": format!("{error:#}") })
            }
        };
        println!("{line}");
    }
    failures
}

fn read_file(file: &Path, read: impl Fn(&Raster) -> Result<Value>) -> Result<Value> {
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
    read(&raster)
}

/// One character: its likeliest label, confidence and the three likeliest.
pub fn character(recognizer: &Recognizer, raster: &Raster) -> Result<Value> {
    let glyph = glyph_from_raster(raster)?;
    let prediction = recognizer.recognize(&glyph)?;
    let best = prediction.best();
    let top3: Vec<_> = prediction
        .top_k(3)
        .iter()
        .map(|c| json!({ "label": c.label, "probability": c.probability }))
        .collect();
    Ok(json!({
        "label": best.label,
        "confidence": best.probability,
        "top3": top3,
    }))
}
