//! Any bytes as an IDX image file and as a label file, raw or gzip-compressed: the reader
//! returns data or an error, never panics or allocates what the header merely claims.
#![no_main]

use std::path::Path;

use formats::idx::{parse_images, parse_labels};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|file: &[u8]| {
    let path = Path::new("fuzz.idx");
    if let Ok(images) = parse_images(file, path) {
        assert_eq!(
            images.pixels.len(),
            images.count * images.rows * images.cols
        );
    }
    let _ = parse_labels(file, path);
});
