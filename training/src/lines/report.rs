//! The line model's report: `report.md`, `report.json` and `test-lines.png` (test writers'
//! lines as drawn for the network, with what was written and what was read).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::json;

use super::evaluate::{DECODERS, Example, LineEvaluation};
use crate::report::{Canvas, DrawResult, FONT, draw_png};

const MARKDOWN_FILE: &str = "report.md";
const JSON_FILE: &str = "report.json";
const PICTURE_FILE: &str = "test-lines.png";
/// Each line image is drawn at this many pixels per pixel.
const ZOOM: usize = 2;
const PICTURE_WIDTH: u32 = 1100;
const ROW_HEIGHT: u32 = 100;
const TEXT_SIZE: u32 = 18;

/// The training and validation loss of each epoch, by epoch number.
pub type Losses = Vec<(usize, f64, f64)>;

/// Facts about how the weights were trained, which only their training run knows.
const TRAINING_FACTS: [&str; 4] = [
    "training time",
    "synthetic lines (training only)",
    "printed words (training only)",
    "started from",
];

/// The fact naming the weights a report is of (their metadata's `trained_at`).
pub const WEIGHTS_FACT: &str = "weights trained";

/// The training facts and the losses per epoch of the report in `dir`, for a report
/// rewritten after the weights' run (`lines evaluate`), which cannot know them itself; empty
/// where there is no readable report, or where it names other weights than those trained at
/// `trained_at` (their run's facts would be another run's).
pub fn previous_training(dir: &Path, trained_at: &str) -> (Vec<(String, String)>, Losses) {
    let Some(report) = std::fs::read(dir.join(JSON_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .filter(|report| {
            // Reports written before they named their weights are taken as they are.
            report["facts"][WEIGHTS_FACT]
                .as_str()
                .is_none_or(|weights| weights == trained_at)
        })
    else {
        return (Vec::new(), Vec::new());
    };
    let facts = TRAINING_FACTS
        .iter()
        .filter_map(|&name| {
            let value = report["facts"][name].as_str()?;
            Some((name.to_string(), value.to_string()))
        })
        .collect();
    let losses = report["epochs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|epoch| {
            Some((
                usize::try_from(epoch["epoch"].as_u64()?).ok()?,
                epoch["train_loss"].as_f64()?,
                epoch["valid_loss"].as_f64()?,
            ))
        })
        .collect();
    (facts, losses)
}

/// Writes the report files into `dir`; returns their paths.
pub fn write(
    dir: &Path,
    evaluation: &LineEvaluation,
    facts: &[(String, String)],
    losses: &[(usize, f64, f64)],
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let markdown = dir.join(MARKDOWN_FILE);
    std::fs::write(&markdown, markdown_text(evaluation, facts, losses))
        .with_context(|| format!("cannot write {}", markdown.display()))?;
    let json_path = dir.join(JSON_FILE);
    let json = json!({
        "facts": facts.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
        "epochs": losses.iter().map(|(epoch, train, valid)| json!({"epoch": epoch, "train_loss": train, "valid_loss": valid})).collect::<Vec<_>>(),
        "word_list_size": evaluation.word_list_size,
        "categories": evaluation.categories,
    });
    std::fs::write(&json_path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    let picture = dir.join(PICTURE_FILE);
    let rows = evaluation.examples.len().max(1) as u32;
    draw_png(
        &picture,
        (PICTURE_WIDTH, rows * ROW_HEIGHT + 10),
        |canvas| draw_examples(canvas, &evaluation.examples),
    )?;
    Ok(vec![markdown, json_path, picture])
}

fn percent(value: f64) -> String {
    format!("{:.1}%", 100.0 * value)
}

fn markdown_text(
    evaluation: &LineEvaluation,
    facts: &[(String, String)],
    losses: &[(usize, f64, f64)],
) -> String {
    let mut text = String::from(
        "# Line model: report\n\nEvery figure is on the test writers: people whose writing the \
         model never saw in training or validation.\n\n",
    );
    for (name, value) in facts {
        text += &format!("- {name}: {value}\n");
    }
    text += "\n## Errors\n\nCER: character error rate (edit distance over the true text's \
             characters). Exact: the whole word or line read right. WER: word error rate. \
             \"aA\": ignoring case.\n\n";
    text += "| lines | decoder | count | CER | CER aA | exact | exact aA | WER | WER aA |\n";
    text += "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (category, errors) in &evaluation.categories {
        for decoder in DECODERS {
            let Some(tally) = errors.by_decoder.get(decoder) else {
                continue;
            };
            text += &format!(
                "| {category} | {decoder} | {} | {} | {} | {} | {} | {} | {} |\n",
                tally.samples,
                percent(tally.character_error_rate(false)),
                percent(tally.character_error_rate(true)),
                percent(tally.exact_rate(false)),
                percent(tally.exact_rate(true)),
                percent(tally.word_error_rate(false)),
                percent(tally.word_error_rate(true)),
            );
        }
    }
    text += &format!(
        "\nThe word list is the test texts' own vocabulary ({} words, each as written: a word \
         only ever capitalised is listed so), as the issue's measure with a word list asks; \
         words outside a list cost a fixed penalty rather than being forbidden.\n",
        evaluation.word_list_size
    );
    if !losses.is_empty() {
        text += "\n## Training\n\n| epoch | train loss | validation loss |\n|---:|---:|---:|\n";
        for (epoch, train, valid) in losses {
            text += &format!("| {epoch} | {train:.3} | {valid:.3} |\n");
        }
    }
    text += &format!(
        "\n## Test lines\n\n![test lines, as drawn for the network, with what was written and \
         what was read]({PICTURE_FILE})\n"
    );
    text
}

fn draw_examples(canvas: &Canvas, examples: &[Example]) -> DrawResult {
    let style = TextStyle::from((FONT, TEXT_SIZE).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
    for (row, example) in examples.iter().enumerate() {
        let top = 5 + row as i32 * ROW_HEIGHT as i32;
        let image = &example.image;
        let shown = image.width.min((PICTURE_WIDTH as usize - 20) / ZOOM);
        for y in 0..handwriting::lines::LINE_HEIGHT {
            for x in 0..shown {
                let ink = image.ink[y * image.width + x];
                if ink > 0.05 {
                    let shade = (255.0 * (1.0 - ink)) as u8;
                    let (left, upper) = (10 + (x * ZOOM) as i32, top + (y * ZOOM) as i32);
                    canvas.draw(&Rectangle::new(
                        [(left, upper), (left + ZOOM as i32, upper + ZOOM as i32)],
                        RGBColor(shade, shade, shade).filled(),
                    ))?;
                }
            }
        }
        let mark = if example.read == example.truth {
            "✓"
        } else {
            "✗"
        };
        canvas.draw(&Text::new(
            format!(
                "written: {}    read: {}  {mark}",
                example.truth, example.read
            ),
            (10, top + 68),
            style.clone(),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewritten_report_keeps_the_training_runs_facts_and_losses_of_the_same_weights() {
        let dir = tempfile::tempdir().unwrap();
        let trained_at = "2026-12-04T22:04:40Z";
        let nothing = (Vec::new(), Vec::new());
        assert_eq!(previous_training(dir.path(), trained_at), nothing);
        std::fs::write(dir.path().join(JSON_FILE), "{ truncated").unwrap();
        assert_eq!(previous_training(dir.path(), trained_at), nothing);
        let report = json!({
            "facts": {
                WEIGHTS_FACT: trained_at,
                "training time": "34.9 min",
                "train": "recounted by every evaluation",
                "started from": "a run's weights",
            },
            "epochs": [
                {"epoch": 1, "train_loss": 0.64, "valid_loss": 0.78},
                {"epoch": 2, "train_loss": 0.63, "valid_loss": 0.73},
            ],
        });
        std::fs::write(dir.path().join(JSON_FILE), report.to_string()).unwrap();
        assert_eq!(
            previous_training(dir.path(), "2026-12-02T17:29:24Z"),
            nothing,
            "another run's weights"
        );
        let (facts, losses) = previous_training(dir.path(), trained_at);
        assert_eq!(
            facts,
            [
                ("training time".to_string(), "34.9 min".to_string()),
                ("started from".to_string(), "a run's weights".to_string()),
            ]
        );
        assert_eq!(losses, [(1, 0.64, 0.78), (2, 0.63, 0.73)]);
        let mut unnamed = report;
        unnamed["facts"]
            .as_object_mut()
            .unwrap()
            .remove(WEIGHTS_FACT);
        std::fs::write(dir.path().join(JSON_FILE), unnamed.to_string()).unwrap();
        assert_eq!(
            previous_training(dir.path(), "2026-12-02T17:29:24Z"),
            (facts, losses),
            "a report older than the weights fact"
        );
    }
}
