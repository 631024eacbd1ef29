//! `training predict`: image files of any size and polarity in, one JSON line per file out.

mod common;

use std::process::Command;

use image::{GrayImage, imageops::FilterType};

/// Writes MNIST sample `index` as a `size`×`size` PNG, dark on light unless `inverted`.
fn write_png(
    dir: &std::path::Path,
    index: usize,
    size: u32,
    dark_on_light: bool,
) -> (String, String) {
    let sample = &common::mnist_sample()[index];
    let pixels = sample
        .pixels
        .map(|p| if dark_on_light { 255 - p } else { p });
    let image = GrayImage::from_raw(28, 28, pixels.to_vec()).unwrap();
    let image = image::imageops::resize(&image, size, size, FilterType::Triangle);
    let path = dir.join(format!("digit-{index}.png"));
    image.save(&path).unwrap();
    (path.display().to_string(), sample.class.to_string())
}

#[test]
fn prints_one_json_line_per_file_and_goes_on_after_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let (first, first_label) = write_png(dir.path(), 0, 300, true);
    let (second, second_label) = write_png(dir.path(), 1, 90, false);
    let broken = dir.path().join("broken.png");
    std::fs::write(&broken, b"not a png").unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_training"))
        .arg("predict")
        .arg(&first)
        .arg(&broken)
        .arg(&second)
        .arg("--weights")
        .arg(common::shipped_weights())
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "a failed file makes the exit status non-zero"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["file"], first);
    assert_eq!(lines[0]["label"], first_label);
    assert_eq!(lines[0]["top3"].as_array().unwrap().len(), 3);
    assert!(lines[0]["confidence"].as_f64().unwrap() > 0.5);
    assert!(lines[1]["error"].as_str().unwrap().contains("broken.png"));
    assert_eq!(lines[2]["label"], second_label);
}
