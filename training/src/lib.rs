//! The training crate's parts, as a library so that its tests and binary share them.

pub mod atomic;
pub mod augment;
pub mod auto_margin;
pub mod benchmark;
pub mod categories;
pub mod characters;
pub mod clock;
pub mod config;
pub mod data;
pub mod epochs;
pub mod evaluate;
pub mod fetch;
pub mod fixtures;
pub mod history;
pub mod learner;
pub mod lines;
pub mod manifest;
pub mod metrics;
pub mod outliers;
pub mod predict;
pub mod printed;
pub mod progress;
pub mod rejection;
pub mod report;
pub mod slash;
pub mod tfjs;
pub mod train;

// The data sets' file readers live in their own crate (see formats/Cargo.toml).
pub use formats::{idx, unipen};
