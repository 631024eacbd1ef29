//! Character and word error rates, the measures of a line reader.

use serde::Serialize;

/// Edit (Levenshtein) distance between two sequences: insertions, deletions, substitutions.
pub fn edit_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(x != y);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Errors summed over a set of readings, exactly and ignoring case.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorTally {
    /// Readings tallied.
    pub samples: usize,
    /// Characters of the true texts.
    pub characters: usize,
    pub character_errors: usize,
    pub character_errors_ignoring_case: usize,
    /// Words of the true texts (split at spaces).
    pub words: usize,
    pub word_errors: usize,
    pub word_errors_ignoring_case: usize,
    /// Readings whose whole text was right.
    pub exact: usize,
    pub exact_ignoring_case: usize,
}

impl ErrorTally {
    /// Adds one reading of `truth` as `read`.
    pub fn add(&mut self, truth: &str, read: &str) {
        let lower = |text: &str| text.to_lowercase();
        let chars = |text: &str| text.chars().collect::<Vec<_>>();
        let words = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        self.samples += 1;
        self.characters += truth.chars().count();
        self.character_errors += edit_distance(&chars(truth), &chars(read));
        self.character_errors_ignoring_case +=
            edit_distance(&chars(&lower(truth)), &chars(&lower(read)));
        self.words += truth.split(' ').count();
        self.word_errors += edit_distance(&words(truth), &words(read));
        self.word_errors_ignoring_case +=
            edit_distance(&words(&lower(truth)), &words(&lower(read)));
        self.exact += usize::from(truth == read);
        self.exact_ignoring_case += usize::from(lower(truth) == lower(read));
    }

    /// Character error rate: edit distance over the true texts' length.
    pub fn character_error_rate(&self, ignoring_case: bool) -> f64 {
        let errors = if ignoring_case {
            self.character_errors_ignoring_case
        } else {
            self.character_errors
        };
        ratio(errors, self.characters)
    }

    /// Word error rate: word-level edit distance over the true texts' words.
    pub fn word_error_rate(&self, ignoring_case: bool) -> f64 {
        let errors = if ignoring_case {
            self.word_errors_ignoring_case
        } else {
            self.word_errors
        };
        ratio(errors, self.words)
    }

    /// Share of readings that were entirely right: for single words, the word accuracy.
    pub fn exact_rate(&self, ignoring_case: bool) -> f64 {
        let exact = if ignoring_case {
            self.exact_ignoring_case
        } else {
            self.exact
        };
        ratio(exact, self.samples)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_the_fewest_edits() {
        let chars = |t: &str| t.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(edit_distance(&chars(""), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("same"), &chars("same")), 0);
    }

    #[test]
    fn rates_count_characters_words_and_whole_readings() {
        let mut tally = ErrorTally::default();
        tally.add("Hello world", "hello world");
        tally.add("room 42", "roam 42");
        assert_eq!(tally.characters, 18);
        assert_eq!(tally.character_errors, 2);
        assert_eq!(tally.character_errors_ignoring_case, 1);
        assert!((tally.word_error_rate(false) - 0.5).abs() < 1e-9);
        assert!((tally.word_error_rate(true) - 0.25).abs() < 1e-9);
        assert!((tally.exact_rate(true) - 0.5).abs() < 1e-9);
        assert_eq!(tally.exact_rate(false), 0.0);
    }
}
