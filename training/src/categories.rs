//! The characters model's figures per category (digits, upper, lower, symbols), three ways:
//! among the category's own classes (the usual published measure, where the writer's
//! intended category is known), by the full model ignoring case, and by the full model exactly.
//! Isolated, many characters are one shape (o O 0, l I 1): the gap between the first and the
//! last is what the line's context has to close.

use std::collections::BTreeMap;

use anyhow::Result;
use handwriting::{Glyph, Recognizer};
use serde::Serialize;

use crate::characters::category;
use crate::data::Sample;

/// Samples per forward pass.
const BATCH: usize = 500;

/// One category's three accuracies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryScores {
    pub category: String,
    pub samples: usize,
    pub within_category: f64,
    pub ignoring_case: f64,
    pub exact: f64,
}

/// How often one character was read as another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    pub truth: String,
    pub read_as: String,
    pub count: u64,
}

#[derive(Default)]
struct Tally {
    samples: usize,
    within: usize,
    ignoring_case: usize,
    exact: usize,
}

impl Tally {
    fn scores(&self, category: &str) -> CategoryScores {
        let share = |n: usize| n as f64 / self.samples.max(1) as f64;
        CategoryScores {
            category: category.to_string(),
            samples: self.samples,
            within_category: share(self.within),
            ignoring_case: share(self.ignoring_case),
            exact: share(self.exact),
        }
    }
}

/// Scores every sample; one row per category, then "letters and digits" (the ignoring-case
/// figure the target is set on) and "all".
pub fn score(recognizer: &Recognizer, samples: &[Sample]) -> Result<Vec<CategoryScores>> {
    let labels = &recognizer.metadata().labels;
    let categories: Vec<&str> = labels.iter().map(|l| category(l)).collect();
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for chunk in samples.chunks(BATCH) {
        let glyphs: Vec<Glyph> = chunk
            .iter()
            .map(|s| Glyph::from_mnist_bytes(&s.pixels))
            .collect();
        for (sample, prediction) in chunk.iter().zip(recognizer.recognize_batch(&glyphs)?) {
            let truth = &labels[sample.class];
            let own = categories[sample.class];
            let within = (0..labels.len())
                .filter(|&class| categories[class] == own)
                .max_by(|&a, &b| {
                    prediction.probabilities[a].total_cmp(&prediction.probabilities[b])
                })
                == Some(sample.class);
            let best = &prediction.best().label;
            let ignoring_case = best.to_lowercase() == truth.to_lowercase();
            let exact = best == truth;
            let groups = [own, "all"]
                .into_iter()
                .chain((own != "symbols").then_some("letters and digits"));
            for group in groups {
                let tally = tallies.entry(group).or_default();
                tally.samples += 1;
                tally.within += usize::from(within);
                tally.ignoring_case += usize::from(ignoring_case);
                tally.exact += usize::from(exact);
            }
        }
    }
    let order = [
        "digits",
        "upper",
        "lower",
        "symbols",
        "letters and digits",
        "all",
    ];
    Ok(order
        .into_iter()
        .filter_map(|group| tallies.get(group).map(|tally| tally.scores(group)))
        .collect())
}

/// The `limit` most frequent confusions in a confusion matrix (`counts[truth][predicted]`).
pub fn most_confused(counts: &[Vec<u64>], labels: &[String], limit: usize) -> Vec<Confusion> {
    let mut pairs: Vec<Confusion> = counts
        .iter()
        .enumerate()
        .flat_map(|(truth, row)| {
            row.iter()
                .enumerate()
                .filter(move |&(predicted, &count)| predicted != truth && count > 0)
                .map(move |(predicted, &count)| Confusion {
                    truth: labels[truth].clone(),
                    read_as: labels[predicted].clone(),
                    count,
                })
        })
        .collect();
    pairs.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| (&a.truth, &a.read_as).cmp(&(&b.truth, &b.read_as)))
    });
    pairs.truncate(limit);
    pairs
}

/// The figures as markdown tables, for the report.
pub fn markdown(scores: &[CategoryScores], confusions: &[Confusion]) -> String {
    let mut text = String::from(
        "## Per category (test writers)\n\n\
         | category | samples | top-1 within category | full model, ignoring case | full model, exact |\n\
         | --- | ---: | ---: | ---: | ---: |\n",
    );
    for row in scores {
        text.push_str(&format!(
            "| {} | {} | {:.2}% | {:.2}% | {:.2}% |\n",
            row.category,
            row.samples,
            100.0 * row.within_category,
            100.0 * row.ignoring_case,
            100.0 * row.exact
        ));
    }
    text.push_str(
        "\n## Most confused pairs\n\n![The 30 most frequent confusions](confused-pairs.png)\n\n\
         | written | read as | times |\n| --- | --- | ---: |\n",
    );
    for pair in confusions {
        text.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            pair.truth, pair.read_as, pair.count
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_confused_pairs_come_first_and_the_diagonal_never() {
        let labels: Vec<String> = ["o", "O", "0"].map(String::from).to_vec();
        let counts = vec![vec![50, 9, 2], vec![4, 40, 0], vec![1, 7, 30]];
        let pairs = most_confused(&counts, &labels, 2);
        assert_eq!(
            pairs,
            [
                Confusion {
                    truth: "o".into(),
                    read_as: "O".into(),
                    count: 9
                },
                Confusion {
                    truth: "0".into(),
                    read_as: "O".into(),
                    count: 7
                }
            ]
        );
    }
}
