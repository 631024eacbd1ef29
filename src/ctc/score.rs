//! How likely the network finds a text it did not read itself: CTC's forward algorithm, to
//! weigh another reader's reading against the network's own.

use super::beam::log_add;
use super::{BLANK, DecodeError, Frames, class_of, frames_needed};

const SPACE: char = ' ';

/// The natural log of the probability that the frames spell `text`, summed over every path
/// that spells it, case and spaces aside: a letter's probability at a frame is that of both its
/// cases together, and a space's counts as the blank's, so "Big top", "big top" and "bigtop"
/// score alike. Both are left out because the line model sees the writing, not the line
/// around it: it reads capitals poorly and often drops the space between words, where the
/// characters model takes case and word gaps from the line's geometry. −∞ where no path
/// spells the text (too few frames); an error for a symbol the network cannot write in either
/// case.
pub fn log_likelihood_ignoring_case_and_spaces(
    log_probs: &[f32],
    alphabet: &[char],
    text: &str,
) -> Result<f32, DecodeError> {
    let frames = Frames::new(log_probs, alphabet)?;
    let labels = text
        .chars()
        .filter(|&symbol| symbol != SPACE)
        .map(|symbol| Label::of(symbol, alphabet))
        .collect::<Result<Vec<Label>, _>>()?;
    let blank = Label {
        classes: std::iter::once(BLANK)
            .chain(class_of(alphabet, SPACE))
            .collect(),
    };
    if frames.len() == 0 || frames.len() < frames_needed(&labels) {
        return Ok(if labels.is_empty() {
            0.0
        } else {
            f32::NEG_INFINITY
        });
    }
    // States as in forced alignment: blanks around and between the labels (`_a_b_`), even
    // states blank, state `2k + 1` label `k`; a path moves on by one state a frame, or by two
    // to skip the blank between different labels.
    let states = 2 * labels.len() + 1;
    let emit = |frame: usize, state: usize| {
        if state.is_multiple_of(2) {
            blank.log_prob(&frames, frame)
        } else {
            labels[state / 2].log_prob(&frames, frame)
        }
    };
    let mut forward = vec![f32::NEG_INFINITY; states];
    forward[0] = emit(0, 0);
    if states > 1 {
        forward[1] = emit(0, 1);
    }
    for frame in 1..frames.len() {
        let previous = forward.clone();
        for state in 0..states {
            let mut paths = previous[state];
            if state >= 1 {
                paths = log_add(paths, previous[state - 1]);
            }
            let skips_blank = state >= 2
                && !state.is_multiple_of(2)
                && labels[state / 2] != labels[state / 2 - 1];
            if skips_blank {
                paths = log_add(paths, previous[state - 2]);
            }
            forward[state] = paths + emit(frame, state);
        }
    }
    let last = states - 1;
    Ok(if last == 0 {
        forward[0]
    } else {
        log_add(forward[last], forward[last - 1])
    })
}

/// A symbol of the text as the classes that write it: itself and its other case, where the
/// alphabet has them. Two labels are equal when they are the same letter in any case, since
/// such a pair needs a blank between them like a doubled letter.
#[derive(Debug, PartialEq)]
struct Label {
    classes: Vec<usize>,
}

impl Label {
    fn of(symbol: char, alphabet: &[char]) -> Result<Self, DecodeError> {
        let folded = symbol.to_ascii_lowercase();
        let classes: Vec<usize> = alphabet
            .iter()
            .enumerate()
            .filter(|(_, known)| known.to_ascii_lowercase() == folded)
            .map(|(index, _)| index + 1)
            .collect();
        if classes.is_empty() {
            return Err(DecodeError::UnknownSymbol(symbol));
        }
        Ok(Self { classes })
    }

    fn log_prob(&self, frames: &Frames, frame: usize) -> f32 {
        self.classes.iter().fold(f32::NEG_INFINITY, |sum, &class| {
            log_add(sum, frames.log_prob(frame, class))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{alphabet, output, peaked};
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-4
    }

    #[test]
    fn sums_every_path_that_spells_the_text() {
        // Two frames, "a" 0.6 and blank 0.3 at each (the rest spread over "b" and "c", and no
        // space to count as blank): "a" is spelt by "aa", "a_" and "_a".
        let alphabet = ['a', 'b', 'c'];
        let frame: &[(char, f32)] = &[('a', 0.6), ('_', 0.3)];
        let log_probs = output(&alphabet, &[frame, frame]);
        let expected = (0.6f32 * 0.6 + 0.6 * 0.3 + 0.3 * 0.6).ln();
        let score = log_likelihood_ignoring_case_and_spaces(&log_probs, &alphabet, "a").unwrap();
        assert!(close(score, expected), "{score} vs {expected}");
        let blank_only =
            log_likelihood_ignoring_case_and_spaces(&log_probs, &alphabet, "").unwrap();
        assert!(close(blank_only, (0.3f32 * 0.3).ln()));
    }

    #[test]
    fn the_network_s_own_reading_scores_highest() {
        let alphabet = alphabet();
        let log_probs = peaked(&alphabet, "_hh_e_ll_l_oo_");
        let score =
            |text| log_likelihood_ignoring_case_and_spaces(&log_probs, &alphabet, text).unwrap();
        assert!(score("hello") > score("hallo") + 2.0);
        assert!(score("hello") > score("helo") + 2.0);
    }

    #[test]
    fn a_letter_counts_in_either_case() {
        // The alphabet has both cases of "h" only: "H" at 0.5 and "h" at 0.4 read together.
        let alphabet = alphabet();
        let frame: &[(char, f32)] = &[('H', 0.5), ('h', 0.4)];
        let log_probs = output(&alphabet, &[frame]);
        let score =
            |text| log_likelihood_ignoring_case_and_spaces(&log_probs, &alphabet, text).unwrap();
        assert!(close(score("h"), 0.9f32.ln()));
        assert_eq!(score("H"), score("h"));
        // Letters the alphabet has in one case only read in that case, whichever is asked.
        assert_eq!(score("E"), score("e"));
    }

    #[test]
    fn a_space_counts_as_a_blank_whether_written_or_not() {
        let alphabet = alphabet();
        let log_probs = peaked(&alphabet, "_a_ _b_");
        let score =
            |text| log_likelihood_ignoring_case_and_spaces(&log_probs, &alphabet, text).unwrap();
        assert!(score("ab").is_finite());
        assert_eq!(score("a b"), score("ab"));
        assert_eq!(score(" a  b "), score("ab"));
        assert!(score("ab") > score("a") + 2.0);
    }

    #[test]
    fn a_letter_twice_needs_a_blank_between_in_either_case() {
        let alphabet = alphabet();
        let log_probs = peaked(&alphabet, "hh");
        let score =
            |text| log_likelihood_ignoring_case_and_spaces(&log_probs, &alphabet, text).unwrap();
        assert_eq!(score("hH"), f32::NEG_INFINITY);
        assert!(score("h").is_finite());
    }

    #[test]
    fn what_the_network_cannot_write_is_an_error_and_garbage_never_panics() {
        let alphabet = alphabet();
        let log_probs = peaked(&alphabet, "_a_");
        assert_eq!(
            log_likelihood_ignoring_case_and_spaces(&log_probs, &alphabet, "é"),
            Err(DecodeError::UnknownSymbol('é'))
        );
        assert!(matches!(
            log_likelihood_ignoring_case_and_spaces(&log_probs[1..], &alphabet, "a"),
            Err(DecodeError::Shape { .. })
        ));
        assert_eq!(
            log_likelihood_ignoring_case_and_spaces(&log_probs, &alphabet, "abcd"),
            Ok(f32::NEG_INFINITY)
        );
        assert_eq!(
            log_likelihood_ignoring_case_and_spaces(&[], &alphabet, ""),
            Ok(0.0)
        );
        let nan = vec![f32::NAN; log_probs.len()];
        assert_eq!(
            log_likelihood_ignoring_case_and_spaces(&nan, &alphabet, "a"),
            Ok(f32::NEG_INFINITY)
        );
    }
}
