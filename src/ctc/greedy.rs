//! Best-path decoding: the cheapest reading, right wherever one path dominates its text.

use super::{BLANK, DecodeError, Decoded, Frames, ReadSymbol, runs};

/// Reads the likeliest class of each frame, merging repeats and dropping blanks. It costs one
/// pass over the output, but misses texts whose probability is spread over many paths (see
/// [`beam_search`](super::beam_search)) and knows no words. Each symbol's frames are its own run
/// of the path, which is the text's best alignment, as [`align`](super::align) would find.
pub fn greedy(log_probs: &[f32], alphabet: &[char]) -> Result<Decoded, DecodeError> {
    let frames = Frames::new(log_probs, alphabet)?;
    let path: Vec<usize> = (0..frames.len())
        .map(|frame| frames.best_class(frame))
        .collect();
    let log_probability = path
        .iter()
        .enumerate()
        .map(|(frame, &class)| frames.log_prob(frame, class))
        .sum();
    let symbols: Vec<ReadSymbol> = runs(&path)
        .filter(|&(class, _)| class != BLANK)
        .map(|(class, span)| frames.read_symbol(alphabet, class, span))
        .collect();
    Ok(Decoded {
        text: symbols.iter().map(|read| read.symbol).collect(),
        symbols,
        log_probability,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{alphabet, output, peaked};
    use super::*;

    fn text(log_probs: &[f32]) -> String {
        greedy(log_probs, &alphabet()).unwrap().text
    }

    #[test]
    fn merges_repeats_and_needs_a_blank_between_double_letters() {
        let alphabet = alphabet();
        assert_eq!(text(&peaked(&alphabet, "hhe_ll_lo")), "hello");
        assert_eq!(text(&peaked(&alphabet, "_hhello__")), "helo");
    }

    #[test]
    fn symbols_carry_their_run_peak_and_alternatives() {
        let alphabet = alphabet();
        let log_probs = output(
            &alphabet,
            &[
                &[('_', 0.9)],
                &[('c', 0.5), ('e', 0.3), ('o', 0.1)],
                &[('c', 0.7), ('e', 0.2)],
                &[('_', 0.9)],
                &[('4', 0.95)],
            ],
        );
        let decoded = greedy(&log_probs, &alphabet).unwrap();
        assert_eq!(decoded.text, "c4");
        let c = &decoded.symbols[0];
        assert_eq!(c.frames, 1..3);
        assert!((c.confidence - 0.7).abs() < 1e-5, "{c:?}");
        assert_eq!(c.alternatives.len(), 3, "{c:?}");
        assert_eq!(c.alternatives[0].0, 'e');
        assert!((c.alternatives[0].1 - 0.2).abs() < 1e-5);
        assert_eq!(decoded.symbols[1].frames, 4..5);
        let expected = [0.9f32, 0.5, 0.7, 0.9, 0.95]
            .iter()
            .map(|p| p.ln())
            .sum::<f32>();
        assert!((decoded.log_probability - expected).abs() < 1e-4);
    }

    #[test]
    fn alternatives_are_the_three_likeliest_other_symbols() {
        let alphabet = alphabet();
        let log_probs = output(
            &alphabet,
            &[&[('a', 0.4), ('b', 0.1), ('c', 0.2), ('d', 0.15), ('_', 0.14)]],
        );
        let a = &greedy(&log_probs, &alphabet).unwrap().symbols[0];
        let symbols: Vec<char> = a.alternatives.iter().map(|&(symbol, _)| symbol).collect();
        assert_eq!(symbols, ['c', 'd', 'b']);
    }

    #[test]
    fn garbage_reads_as_little_as_it_says_without_panicking() {
        let alphabet = alphabet();
        let classes = alphabet.len() + 1;
        assert_eq!(text(&vec![f32::NAN; 5 * classes]), "");
        let empty = greedy(&[], &alphabet).unwrap();
        assert_eq!((empty.text.as_str(), empty.log_probability), ("", 0.0));
        assert!(matches!(
            greedy(&[0.0; 7], &alphabet),
            Err(DecodeError::Shape { values: 7, .. })
        ));

        let mut log_probs = peaked(&alphabet, "hi");
        log_probs[classes + 3] = f32::NAN; // a NaN among the 'i' frame's classes
        log_probs[8] = f32::INFINITY; // 'h' (class 8) beyond certain
        let decoded = greedy(&log_probs, &alphabet).unwrap();
        assert_eq!(decoded.text, "hi");
        assert!(decoded.symbols.iter().all(|read| read.confidence <= 1.0));
    }
}
