//! How long a training run took, across interruptions. A run resumed from epoch N's
//! checkpoint adds its own time to what epochs 1 to N cost the runs before it, which each
//! epoch's start notes in the artifact directory; a report then gives the whole training's
//! time, not only its last stretch's.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The training time of one run directory, counted across resumes.
pub struct TrainingClock {
    notes: PathBuf,
    /// The epoch this run resumed after (0 for a fresh run).
    resumed_after: usize,
    /// What the epochs before `resumed_after` cost earlier runs; `None` where no note says.
    earlier: Option<Duration>,
    started: Instant,
}

impl TrainingClock {
    /// Starts the clock of a run in `artifact_dir` that resumes after epoch `resumed_after`
    /// (`None`: a fresh run).
    pub fn start(artifact_dir: &Path, resumed_after: Option<usize>) -> Self {
        let notes = artifact_dir.join("clock");
        let resumed_after = resumed_after.unwrap_or(0);
        let earlier = match resumed_after {
            0 => Some(Duration::ZERO),
            epoch => std::fs::read_to_string(note(&notes, epoch))
                .ok()
                .and_then(|text| text.trim().parse::<f64>().ok())
                .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok()),
        };
        Self {
            notes,
            resumed_after,
            earlier,
            started: Instant::now(),
        }
    }

    /// Notes the time spent by the end of epoch `epoch`, where a run resuming from that
    /// epoch's checkpoint will start counting.
    pub fn note_epoch_end(&self, epoch: usize) {
        let Some(elapsed) = self.elapsed() else {
            return;
        };
        let seconds = format!("{:.1}\n", elapsed.as_secs_f64());
        // A lost note only leaves a later resume's report without the whole time; the
        // training itself goes on.
        if let Err(error) = crate::atomic::write(&note(&self.notes, epoch), seconds.as_bytes()) {
            eprintln!("warning: the training time was not noted: {error:#}");
        }
    }

    /// The whole training's time so far, where the earlier runs' part is known.
    pub fn elapsed(&self) -> Option<Duration> {
        self.earlier.map(|earlier| earlier + self.started.elapsed())
    }

    /// The time for a report: the whole training's, or this run's alone with a word on why.
    pub fn describe(&self, device: &str) -> String {
        let minutes = |time: Duration| time.as_secs_f64() / 60.0;
        match self.elapsed() {
            Some(time) => format!("{:.1} min on {device}", minutes(time)),
            None => format!(
                "{:.1} min on {device} after resuming from epoch {}, whose earlier time was not noted",
                minutes(self.started.elapsed()),
                self.resumed_after
            ),
        }
    }
}

fn note(notes: &Path, epoch: usize) -> PathBuf {
    notes.join(format!("epoch-{epoch}.seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_run_counts_the_time_noted_at_its_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("clock")).unwrap();
        std::fs::write(dir.path().join("clock/epoch-2.seconds"), "600.0\n").unwrap();
        let resumed = TrainingClock::start(dir.path(), Some(2));
        assert!(resumed.elapsed().unwrap() >= Duration::from_secs(600));
        assert!(
            resumed
                .describe("the CPU")
                .starts_with("10.0 min on the CPU")
        );

        resumed.note_epoch_end(3);
        let again = TrainingClock::start(dir.path(), Some(3));
        assert!(again.elapsed().unwrap() >= Duration::from_secs(600));
    }

    #[test]
    fn a_resume_without_a_note_says_its_time_is_partial() {
        let dir = tempfile::tempdir().unwrap();
        let resumed = TrainingClock::start(dir.path(), Some(4));
        assert!(resumed.elapsed().is_none());
        assert!(
            resumed
                .describe("the CPU")
                .contains("after resuming from epoch 4")
        );
        // Nothing to add to: no note is written that would pass for the whole time.
        resumed.note_epoch_end(5);
        assert!(!dir.path().join("clock/epoch-5.seconds").exists());
    }
}
