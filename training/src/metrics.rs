//! Classification metrics computed from a confusion matrix.

use serde::Serialize;

/// Counts of (true class, predicted class) pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfusionMatrix {
    /// `counts[truth][predicted]`.
    counts: Vec<Vec<u64>>,
}

/// Precision, recall and F1 of one class (or an average over classes).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Number of samples whose true class this is (the total, for averages).
    pub support: u64,
}

impl ConfusionMatrix {
    pub fn new(num_classes: usize) -> Self {
        Self {
            counts: vec![vec![0; num_classes]; num_classes],
        }
    }

    pub fn record(&mut self, truth: usize, predicted: usize) {
        self.counts[truth][predicted] += 1;
    }

    pub fn num_classes(&self) -> usize {
        self.counts.len()
    }

    /// `counts()[truth][predicted]`.
    pub fn counts(&self) -> &[Vec<u64>] {
        &self.counts
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    pub fn correct(&self) -> u64 {
        (0..self.num_classes()).map(|c| self.counts[c][c]).sum()
    }

    /// Fraction of samples classified correctly (0 when there are none).
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.total())
    }

    /// Scores of each class, in class order. A class never predicted has precision 0; one
    /// never present has recall 0 (the usual convention, as in scikit-learn).
    pub fn per_class(&self) -> Vec<ClassScores> {
        (0..self.num_classes())
            .map(|class| {
                let true_positives = self.counts[class][class];
                let predicted: u64 = self.counts.iter().map(|row| row[class]).sum();
                let support: u64 = self.counts[class].iter().sum();
                let precision = ratio(true_positives, predicted);
                let recall = ratio(true_positives, support);
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassScores {
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect()
    }

    /// Unweighted mean of the per-class scores.
    pub fn macro_average(&self) -> ClassScores {
        let classes = self.per_class();
        let n = classes.len().max(1) as f64;
        ClassScores {
            precision: classes.iter().map(|c| c.precision).sum::<f64>() / n,
            recall: classes.iter().map(|c| c.recall).sum::<f64>() / n,
            f1: classes.iter().map(|c| c.f1).sum::<f64>() / n,
            support: self.total(),
        }
    }

    /// Mean of the per-class scores weighted by support.
    pub fn weighted_average(&self) -> ClassScores {
        let classes = self.per_class();
        let total = self.total().max(1) as f64;
        let weighted = |score: fn(&ClassScores) -> f64| {
            classes
                .iter()
                .map(|c| score(c) * c.support as f64)
                .sum::<f64>()
                / total
        };
        ClassScores {
            precision: weighted(|c| c.precision),
            recall: weighted(|c| c.recall),
            f1: weighted(|c| c.f1),
            support: self.total(),
        }
    }
}

fn ratio(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Three classes, eight samples, worked out by hand for the tests (5 of 8 right):
/// truth 0: predicted 0,0,1   truth 1: predicted 1,1,2   truth 2: predicted 2,0
#[cfg(test)]
pub(crate) fn example() -> ConfusionMatrix {
    let mut m = ConfusionMatrix::new(3);
    for (t, p) in [
        (0, 0),
        (0, 0),
        (0, 1),
        (1, 1),
        (1, 1),
        (1, 2),
        (2, 2),
        (2, 0),
    ] {
        m.record(t, p);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn accuracy_counts_the_diagonal() {
        let m = example();
        assert_eq!(m.total(), 8);
        assert_eq!(m.correct(), 5);
        assert!(close(m.accuracy(), 5.0 / 8.0));
    }

    #[test]
    fn per_class_scores_match_hand_computation() {
        let scores = example().per_class();
        // Class 0: TP 2, predicted 3 (two from 0, one from 2), support 3.
        assert!(close(scores[0].precision, 2.0 / 3.0));
        assert!(close(scores[0].recall, 2.0 / 3.0));
        assert!(close(scores[0].f1, 2.0 / 3.0));
        // Class 1: TP 2, predicted 3, support 3.
        assert!(close(scores[1].precision, 2.0 / 3.0));
        assert!(close(scores[1].recall, 2.0 / 3.0));
        // Class 2: TP 1, predicted 2, support 2: precision 1/2, recall 1/2.
        assert!(close(scores[2].precision, 0.5));
        assert!(close(scores[2].recall, 0.5));
        assert!(close(scores[2].f1, 0.5));
        assert_eq!(scores[2].support, 2);
    }

    #[test]
    fn averages_weight_as_documented() {
        let m = example();
        let macro_avg = m.macro_average();
        assert!(close(
            macro_avg.precision,
            (2.0 / 3.0 + 2.0 / 3.0 + 0.5) / 3.0
        ));
        let weighted = m.weighted_average();
        assert!(close(
            weighted.recall,
            (2.0 / 3.0 * 3.0 + 2.0 / 3.0 * 3.0 + 0.5 * 2.0) / 8.0
        ));
        // Weighted recall is accuracy, by definition.
        assert!(close(weighted.recall, m.accuracy()));
    }

    #[test]
    fn empty_classes_score_zero_not_nan() {
        let mut m = ConfusionMatrix::new(2);
        m.record(0, 0);
        let scores = m.per_class();
        assert_eq!(scores[1].precision, 0.0);
        assert_eq!(scores[1].recall, 0.0);
        assert_eq!(scores[1].f1, 0.0);
        assert_eq!(ConfusionMatrix::new(2).accuracy(), 0.0);
    }
}
