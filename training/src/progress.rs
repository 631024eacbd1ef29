//! A plain-text progress display for burn-train, for logs and pipes where its terminal UI
//! cannot draw: a line every tenth of an epoch and a summary per epoch.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::{MetricDefinition, MetricId};
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};

/// Prints training progress as lines of text.
pub struct PlainProgress {
    names: HashMap<MetricId, String>,
    /// Latest formatted value of each metric, per split ("train" or "valid").
    latest: HashMap<(&'static str, String), String>,
    total_epochs: usize,
    epoch: usize,
    split: String,
    split_items: usize,
    next_report: usize,
    split_started: Instant,
}

impl Default for PlainProgress {
    fn default() -> Self {
        Self {
            names: HashMap::new(),
            latest: HashMap::new(),
            total_epochs: 0,
            epoch: 0,
            split: String::new(),
            split_items: 0,
            next_report: 0,
            split_started: Instant::now(),
        }
    }
}

impl PlainProgress {
    fn remember(&mut self, split: &'static str, state: MetricState) {
        let entry = match state {
            MetricState::Generic(entry) | MetricState::Numeric(entry, _) => entry,
        };
        if let Some(name) = self.names.get(&entry.metric_id) {
            self.latest
                .insert((split, name.clone()), entry.serialized_entry.formatted);
        }
    }

    fn metric_summary(&self, split: &'static str) -> String {
        let mut parts: Vec<String> = self
            .latest
            .iter()
            .filter(|((s, _), _)| *s == split)
            .map(|((_, name), value)| format!("{name} {value}"))
            .collect();
        parts.sort();
        parts.join(", ")
    }
}

impl MetricsRendererTraining for PlainProgress {
    fn update_train(&mut self, state: MetricState) {
        self.remember("train", state);
    }

    fn update_valid(&mut self, state: MetricState) {
        self.remember("valid", state);
    }
}

impl TrainingProgressLogger for PlainProgress {
    fn start(
        &mut self,
        total_epochs: usize,
        starting_epoch: usize,
        _: Option<usize>,
        _: Option<&str>,
    ) {
        self.total_epochs = total_epochs;
        self.epoch = starting_epoch.max(1);
        if starting_epoch > 1 {
            println!("resuming at epoch {starting_epoch} of {total_epochs}");
        }
    }

    fn update_epoch(&mut self, epoch: usize) {
        println!(
            "epoch {}/{}: train [{}] | valid [{}]",
            epoch,
            self.total_epochs,
            self.metric_summary("train"),
            self.metric_summary("valid")
        );
        self.epoch = epoch + 1;
    }

    fn start_split(&mut self, split: &str, total_items: usize) {
        if split == "train" {
            pause_if_asked(self.epoch);
        }
        self.split = split.to_string();
        self.split_items = total_items;
        self.next_report = total_items / 10;
        self.split_started = Instant::now();
    }

    fn update_split(&mut self, items_processed: usize) {
        if items_processed < self.next_report || self.split_items == 0 {
            return;
        }
        self.next_report += self.split_items / 10;
        let seconds = self.split_started.elapsed().as_secs_f64();
        println!(
            "  epoch {} {} {:>3}%  {items_processed}/{} images  {:.0} images/s",
            self.epoch,
            self.split,
            items_processed * 100 / self.split_items,
            self.split_items,
            items_processed as f64 / seconds.max(1e-9)
        );
    }

    fn end_split(&mut self) {}

    fn end(&mut self) {}

    /// burn-train reports every iteration as an event: far too chatty for a log.
    fn log_event_training(&mut self, _: String) {}
}

/// For tests that stop a run at a point of their choosing, not after a guessed time: with
/// `HANDWRITING_PAUSE_AFTER_EPOCH=N` in the environment, the run prints
/// `paused after epoch N` when epoch N+1's training starts and then never goes on. burn-train
/// has by then handed epoch N's checkpoint to its writer threads (it saves after the epoch's
/// end is reported, before the next epoch starts); the files may still be being written.
/// This blocks burn-train's event thread, and the training thread with it at the end of epoch
/// N+1 (it waits there for the events to be processed before saving checkpoint N+1), so no
/// later checkpoint and no weights are ever written. Only the plain renderer (output not a
/// terminal) reads the variable.
pub const PAUSE_AFTER_EPOCH: &str = "HANDWRITING_PAUSE_AFTER_EPOCH";

fn pause_if_asked(epoch: usize) {
    let Some(after) = std::env::var(PAUSE_AFTER_EPOCH)
        .ok()
        .and_then(|value| value.parse::<usize>().ok())
    else {
        return;
    };
    if epoch != after + 1 {
        return;
    }
    println!("paused after epoch {after}");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

impl EvaluationProgressLogger for PlainProgress {
    fn start_global_progress(&mut self, _: usize) {}
    fn start_test(&mut self, _: &str, _: usize) {}
    fn update_test_progress(&mut self, _: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _: String) {}
}

impl MetricsRendererEvaluation for PlainProgress {
    fn update_test(&mut self, _: EvaluationName, _: MetricState) {}
}

impl MetricsRenderer for PlainProgress {
    fn manual_close(&mut self) {}

    fn register_metric(&mut self, definition: MetricDefinition) {
        self.names
            .insert(definition.metric_id, definition.name.to_string());
    }
}
