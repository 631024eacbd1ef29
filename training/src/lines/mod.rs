//! The line model's training: UNIPEN's words and lines, the CTC loss, evaluation by character
//! and word error rates. The network, its input and its decoding live in the library.

pub mod config;
pub mod data;
pub mod english;
pub mod evaluate;
pub mod fit;
pub mod language;
pub mod learner;
pub mod metrics;
pub mod printed;
pub mod report;
pub mod run;
pub mod synthetic;
pub mod warp;
