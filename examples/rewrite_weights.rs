//! Rewrites a weights file, a character model's or the line model's, in the format this build
//! writes, the network and its metadata unchanged: how the shipped files moved from float16 to
//! int8 storage (docs/size-and-startup.md). `training calibrate` rewrites a character model's
//! file too, but recalibrates its threshold on the way.
//!
//! `cargo run --release --example rewrite_weights -- IN.bpk OUT.bpk`

use std::process::ExitCode;

use handwriting::lines::{decode_line, encode_line, read_line_metadata};
use handwriting::{CpuBackend, weights};

/// A file that could not be read or written, as a weights error naming it.
fn io_error(path: &str) -> impl FnOnce(std::io::Error) -> weights::WeightsError + '_ {
    move |error| weights::WeightsError {
        origin: path.to_string(),
        reason: error.to_string(),
    }
}

fn rewrite(input: &str) -> Result<Vec<u8>, weights::WeightsError> {
    let bytes = std::fs::read(input).map_err(io_error(input))?;
    let device = CpuBackend::preferred().device();
    if read_line_metadata(&bytes, input).is_ok() {
        let (network, metadata) = decode_line(&bytes, input, &device)?;
        encode_line(&network, &metadata)
    } else {
        let (model, metadata) = weights::decode(&bytes, input, &device)?;
        weights::encode(&model, &metadata)
    }
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = arguments.as_slice() else {
        eprintln!("usage: rewrite_weights IN.bpk OUT.bpk");
        return ExitCode::FAILURE;
    };
    match rewrite(input).and_then(|bytes| std::fs::write(output, bytes).map_err(io_error(output))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
