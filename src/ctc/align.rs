//! Forced alignment: where in the frames each symbol of a known text was written.

use super::{BLANK, DecodeError, Frames, ReadSymbol, class_of, frames_needed, runs};

/// Places each symbol of `text` on the frames it was most likely read from (the text's single
/// likeliest path, by Viterbi), for texts that did not come from one path: a beam search's
/// reading, or a correction the user typed. Fails when the network cannot write the text there.
pub fn align(
    log_probs: &[f32],
    alphabet: &[char],
    text: &str,
) -> Result<Vec<ReadSymbol>, DecodeError> {
    let frames = Frames::new(log_probs, alphabet)?;
    let labels = text
        .chars()
        .map(|symbol| class_of(alphabet, symbol).ok_or(DecodeError::UnknownSymbol(symbol)))
        .collect::<Result<Vec<usize>, _>>()?;
    align_classes(&frames, alphabet, &labels).ok_or(DecodeError::Unalignable)
}

/// [`align`] for a text given as classes, which is how the decoders hold it.
pub(super) fn align_classes(
    frames: &Frames,
    alphabet: &[char],
    labels: &[usize],
) -> Option<Vec<ReadSymbol>> {
    if labels.is_empty() {
        return Some(Vec::new());
    }
    let path = best_path(frames, labels)?;
    let symbols = runs(&path).filter(|(state, _)| !is_blank_state(*state));
    Some(
        symbols
            .map(|(state, span)| frames.read_symbol(alphabet, labels[state / 2], span))
            .collect(),
    )
}

/// The likeliest path that reads `labels`, as its state at each frame. The states are CTC's
/// labels with blanks around and between them (`_a_b_`): even states are blanks, state `2k + 1`
/// is label `k`. A path moves forward by at most one state a frame, or by two to skip a blank
/// between different labels. None when no path is possible (too few frames, or zero
/// probabilities in the way).
fn best_path(frames: &Frames, labels: &[usize]) -> Option<Vec<usize>> {
    if frames.len() < frames_needed(labels) {
        return None; // also keeps garbage from sizing the table below
    }
    let states = 2 * labels.len() + 1;
    let class = |state: usize| {
        if is_blank_state(state) {
            BLANK
        } else {
            labels[state / 2]
        }
    };
    let mut score = vec![f32::NEG_INFINITY; states];
    score[0] = frames.log_prob(0, BLANK);
    score[1] = frames.log_prob(0, labels[0]);
    let mut previous = score.clone();
    // How many states back each state's best predecessor was, per frame: 0, 1 or 2.
    let mut steps = vec![0u8; frames.len() * states];
    for frame in 1..frames.len() {
        std::mem::swap(&mut score, &mut previous);
        for state in 0..states {
            let skippable =
                state >= 2 && !is_blank_state(state) && class(state) != class(state - 2);
            let reachable = if skippable { 2 } else { state.min(1) };
            let (step, best) = (0..=reachable)
                .map(|step| (step, previous[state - step]))
                .fold((0, f32::NEG_INFINITY), |best, next| {
                    if next.1 > best.1 { next } else { best }
                });
            score[state] = best + frames.log_prob(frame, class(state));
            steps[frame * states + state] = step as u8;
        }
    }
    let last = states - 1;
    let mut state = if score[last - 1] > score[last] {
        last - 1
    } else {
        last
    };
    if score[state] == f32::NEG_INFINITY {
        return None;
    }
    let mut path = vec![0; frames.len()];
    for frame in (0..frames.len()).rev() {
        path[frame] = state;
        state -= usize::from(steps[frame * states + state]);
    }
    Some(path)
}

fn is_blank_state(state: usize) -> bool {
    state.is_multiple_of(2)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{alphabet, output, peaked};
    use super::*;

    /// What every alignment must be: one span per symbol, in order, not overlapping, not
    /// empty, inside the frames.
    fn assert_well_formed(symbols: &[ReadSymbol], text: &str, frames: usize) {
        assert_eq!(symbols.len(), text.chars().count());
        assert!(symbols.iter().map(|read| read.symbol).eq(text.chars()));
        for read in symbols {
            assert!(
                read.frames.start < read.frames.end && read.frames.end <= frames,
                "{read:?}"
            );
        }
        for pair in symbols.windows(2) {
            assert!(pair[0].frames.end <= pair[1].frames.start, "{pair:?}");
        }
    }

    #[test]
    fn places_each_symbol_on_its_own_frames() {
        let alphabet = alphabet();
        let log_probs = peaked(&alphabet, "_hh_e_ll_l_oo_");
        let symbols = align(&log_probs, &alphabet, "hello").unwrap();
        assert_well_formed(&symbols, "hello", 14);
        let spans: Vec<_> = symbols.iter().map(|read| read.frames.clone()).collect();
        assert_eq!(spans, [1..3, 4..5, 6..8, 9..10, 11..13]);
    }

    #[test]
    fn aligns_any_possible_text_even_against_the_network() {
        let alphabet = alphabet();
        for (path, text) in [
            ("_hh_e_ll_l_oo_", "hello 42"),
            ("abcdefghij", "hello"),
            ("x", "x"),
        ] {
            let log_probs = peaked(&alphabet, path);
            let symbols = align(&log_probs, &alphabet, text).unwrap();
            assert_well_formed(&symbols, text, path.len());
        }
        let uniform = vec![-(alphabet.len() as f32 + 1.0).ln(); 9 * (alphabet.len() + 1)];
        assert_well_formed(&align(&uniform, &alphabet, "ll ll").unwrap(), "ll ll", 9);
    }

    #[test]
    fn confidence_is_the_peak_and_alternatives_come_from_there() {
        let alphabet = alphabet();
        let log_probs = output(
            &alphabet,
            &[
                &[('a', 0.5)],
                &[('a', 0.8), ('o', 0.15)],
                &[('a', 0.6), ('e', 0.3)],
            ],
        );
        let a = &align(&log_probs, &alphabet, "a").unwrap()[0];
        assert_eq!(a.frames, 0..3);
        assert!((a.confidence - 0.8).abs() < 1e-5, "{a:?}");
        assert_eq!(a.alternatives[0].0, 'o');
    }

    #[test]
    fn double_letters_need_a_blank_between() {
        let alphabet = alphabet();
        assert_eq!(
            align(&peaked(&alphabet, "ll"), &alphabet, "ll"),
            Err(DecodeError::Unalignable)
        );
        let symbols = align(&peaked(&alphabet, "l_l"), &alphabet, "ll").unwrap();
        assert_eq!(symbols[0].frames, 0..1);
        assert_eq!(symbols[1].frames, 2..3);
    }

    #[test]
    fn impossible_or_malformed_requests_are_errors() {
        let alphabet = alphabet();
        let log_probs = peaked(&alphabet, "hi");
        assert_eq!(
            align(&log_probs, &alphabet, "hé"),
            Err(DecodeError::UnknownSymbol('é'))
        );
        assert_eq!(
            align(&log_probs, &alphabet, "hid"),
            Err(DecodeError::Unalignable)
        );
        assert_eq!(align(&[], &alphabet, "h"), Err(DecodeError::Unalignable));
        assert_eq!(align(&[], &alphabet, ""), Ok(Vec::new()));
        assert_eq!(align(&log_probs, &alphabet, ""), Ok(Vec::new()));
        assert!(matches!(
            align(&[0.0; 3], &alphabet, "h"),
            Err(DecodeError::Shape { .. })
        ));
        let nan = vec![f32::NAN; log_probs.len()];
        assert_eq!(align(&nan, &alphabet, "hi"), Err(DecodeError::Unalignable));
    }
}
