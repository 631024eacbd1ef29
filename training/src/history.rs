//! Per-epoch loss and accuracy, read back from the logs burn-train writes during training.

use std::path::Path;

use crate::report::EpochMetrics;

/// The epochs found under `artifact_dir`, in order; an epoch with a missing log is skipped.
pub fn read(artifact_dir: &Path) -> Vec<EpochMetrics> {
    (1..)
        .map_while(|epoch| {
            let dir = |split: &str| artifact_dir.join(split).join(format!("epoch-{epoch}"));
            dir("train").is_dir().then(|| {
                let value = |split: &str, metric: &str| {
                    epoch_value(&dir(split).join(format!("{metric}.log")))
                };
                Some(EpochMetrics {
                    epoch,
                    train_loss: value("train", "Loss")?,
                    valid_loss: value("valid", "Loss")?,
                    train_accuracy: value("train", "Accuracy")?,
                    valid_accuracy: value("valid", "Accuracy")?,
                })
            })
        })
        .flatten()
        .collect()
}

/// The training and validation loss of each epoch under `artifact_dir`, for models that log
/// no accuracy (the line model): `(epoch, train, valid)`.
pub fn read_losses(artifact_dir: &Path) -> Vec<(usize, f64, f64)> {
    (1..)
        .map_while(|epoch| {
            let log = |split: &str| {
                artifact_dir
                    .join(split)
                    .join(format!("epoch-{epoch}"))
                    .join("Loss.log")
            };
            let train = epoch_value(&log("train"))?;
            Some((epoch, train, epoch_value(&log("valid"))?))
        })
        .collect()
}

/// The epoch's value of one metric log: its `final` entry if there is one, else the last
/// running aggregate (each line is `value`, `value,count` or `value,final`).
fn epoch_value(path: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(path).ok()?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let line = lines
        .iter()
        .rev()
        .find(|l| l.ends_with(",final"))
        .or(lines.last())?;
    line.split(',').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_final_entries_per_epoch() {
        let dir = tempfile::tempdir().unwrap();
        for (split, epoch, loss, accuracy) in [
            ("train", 1, "0.9,128\n0.5,final\n", "80,final\n"),
            ("valid", 1, "0.4,final\n", "90,final\n"),
            ("train", 2, "0.3,256\n0.2,512\n", "95,final\n"),
            ("valid", 2, "0.1,final\n", "97,final\n"),
        ] {
            let epoch_dir = dir.path().join(split).join(format!("epoch-{epoch}"));
            std::fs::create_dir_all(&epoch_dir).unwrap();
            std::fs::write(epoch_dir.join("Loss.log"), loss).unwrap();
            std::fs::write(epoch_dir.join("Accuracy.log"), accuracy).unwrap();
        }
        let history = read(dir.path());
        assert_eq!(history.len(), 2);
        assert_eq!(
            (history[0].train_loss, history[0].valid_accuracy),
            (0.5, 90.0)
        );
        assert_eq!(
            history[1].train_loss, 0.2,
            "no final entry: the last aggregate"
        );
    }
}
