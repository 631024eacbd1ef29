//! `cargo run -p training` killed mid-run (SIGKILL, or Ctrl-C's SIGINT) resumes from its last
//! checkpoint when run again with the same config, and ends exactly where an uninterrupted run
//! ends. The test stops the run at a point it chooses (after epoch 1's checkpoint), never at
//! a time it guesses, so it passes on slow and busy machines alike.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use burn::store::burn_pack::Reader;
use handwriting::{CpuBackend, Glyph, Recognizer};
use training::config::DEFAULT_CONFIG;
use training::progress::PAUSE_AFTER_EPOCH;

const EPOCHS: usize = 3;

/// A training run on the repository's 300 MNIST images, in its own folder.
struct Run {
    dir: PathBuf,
}

impl Run {
    fn new(root: &Path, name: &str) -> Self {
        let dir = root.join(name);
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        let fixtures = common::repository_root().join("tests/fixtures");
        for split in ["train", "t10k"] {
            for kind in ["images-idx3", "labels-idx1"] {
                std::fs::copy(
                    fixtures.join(format!("mnist-t10k-300-{kind}-ubyte")),
                    data.join(format!("{split}-{kind}-ubyte")),
                )
                .unwrap();
            }
        }
        let config = std::fs::read_to_string(common::repository_root().join(DEFAULT_CONFIG))
            .unwrap()
            .replace("validation_size = 5000", "validation_size = 60");
        std::fs::write(dir.join("config.toml"), config).unwrap();
        Self { dir }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_training"));
        command
            .arg("train")
            .arg("--config")
            .arg(self.dir.join("config.toml"))
            .arg("--data-dir")
            .arg(self.dir.join("data"))
            .arg("--artifact-dir")
            .arg(self.dir.join("artifacts"))
            .arg("--weights")
            .arg(self.weights())
            .arg("--report-dir")
            .arg(self.dir.join("report"))
            .args(["--epochs", &EPOCHS.to_string(), "--batch-size", "16"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // A shell starts background jobs with SIGINT ignored, and children inherit that: the
        // run must meet Ctrl-C's signal as a terminal's foreground program does, wherever the
        // tests were started from, or the SIGINT case would wait for ever.
        // SAFETY: `signal` is async-signal-safe, as code between fork and exec must be.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                Ok(())
            });
        }
        command
    }

    fn weights(&self) -> PathBuf {
        self.dir.join("out/digits.bpk")
    }

    /// Runs to the end and returns what it printed.
    fn complete(&self) -> String {
        let output = self.command().output().unwrap();
        assert_success(&output);
        String::from_utf8(output.stdout).unwrap()
    }

    /// Starts the run and stops it with `signal` once epoch 1's checkpoint is complete, with
    /// the run paused by `HANDWRITING_PAUSE_AFTER_EPOCH` (training/src/progress.rs) so that it
    /// cannot finish first, however fast or slow the machine: no timing is guessed.
    fn interrupt(&self, signal: &str) {
        let stderr = std::fs::File::create(self.dir.join("stderr.txt")).unwrap();
        let mut child = self
            .command()
            .env(PAUSE_AFTER_EPOCH, "1")
            .stderr(stderr)
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut printed = String::new();
        let mut paused = false;
        for line in stdout.lines() {
            let line = line.unwrap();
            printed.push_str(&line);
            printed.push('\n');
            if line == "paused after epoch 1" {
                paused = true;
                break;
            }
        }
        assert!(
            paused,
            "{signal}: the run ended without pausing ({}):\n{printed}\n{}",
            child.wait().unwrap(),
            std::fs::read_to_string(self.dir.join("stderr.txt")).unwrap_or_default()
        );
        // burn-train writes checkpoints on threads of their own: wait until epoch 1's three
        // files read back, as the resume requires of them.
        let checkpoints = self.dir.join("artifacts/checkpoint");
        while !["model", "optim", "scheduler"]
            .iter()
            .all(|kind| Reader::from_file(checkpoints.join(format!("{kind}-1.bpk"))).is_ok())
        {
            assert!(child.try_wait().unwrap().is_none(), "{signal}: run ended");
            std::thread::sleep(Duration::from_millis(10));
        }
        stop(&mut child, signal);
        assert!(
            !self.weights().exists(),
            "the run finished before the signal"
        );
        assert!(
            !checkpoints.join("model-2.bpk").exists(),
            "the pause let epoch 2 be saved"
        );
    }
}

fn stop(child: &mut Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    assert!(!status.success(), "{status}");
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The trained network's class probabilities for the 300 images, one vector per image.
fn probabilities(weights: &Path) -> Vec<Vec<f32>> {
    let recognizer = Recognizer::from_bytes(
        &std::fs::read(weights).unwrap(),
        "test",
        &CpuBackend::preferred().device(),
    )
    .unwrap();
    let glyphs: Vec<Glyph> = common::mnist_sample()
        .iter()
        .map(|s| Glyph::from_mnist_bytes(&s.pixels))
        .collect();
    recognizer
        .recognize_batch(&glyphs)
        .unwrap()
        .into_iter()
        .map(|p| p.probabilities)
        .collect()
}

fn test_accuracy(stdout: &str) -> &str {
    let line = stdout
        .lines()
        .find(|line| line.starts_with("test accuracy "))
        .unwrap_or_else(|| panic!("no accuracy in:\n{stdout}"));
    line.split(',').next().unwrap()
}

#[test]
fn killed_or_interrupted_runs_resume_to_the_uninterrupted_result() {
    let root = tempfile::tempdir().unwrap();
    let whole = Run::new(root.path(), "whole");
    let expected = whole.complete();
    let expected_probabilities = probabilities(&whole.weights());

    for signal in ["-KILL", "-INT"] {
        let run = Run::new(root.path(), signal);
        run.interrupt(signal);
        let resumed = run.complete();
        assert!(
            resumed.contains("resuming from the checkpoint of epoch"),
            "{signal}: {resumed}"
        );
        assert_eq!(
            test_accuracy(&resumed),
            test_accuracy(&expected),
            "{signal}"
        );
        let difference = probabilities(&run.weights())
            .iter()
            .flatten()
            .zip(expected_probabilities.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            difference < 1e-4,
            "{signal}: probabilities differ by {difference}"
        );
    }
}
