//! Readers of the files the models are trained on, which come from outside and are checked
//! byte by byte: MNIST's IDX files and UNIPEN's pen strokes. Each returns data or an error
//! that names the file, never panics (both are fuzzed, see `fuzz/`).

pub mod idx;
pub mod unipen;
