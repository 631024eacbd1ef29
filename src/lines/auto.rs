//! "Auto": which reading the page shows when both models read the same strokes. The characters
//! model reads print best and takes its case from the line; the line model reads joined-up
//! writing, which the characters model cannot cut into letters, and may be sure of a wrong
//! cut (a joined-up "son" as a sure "m"). So the line model judges: it scores the characters
//! model's reading over its own frames, and that reading stands unless the line model finds
//! its own clearly likelier.

use super::reader::Decoding;
use crate::ctc::{self, DecodeError, Decoded};

/// How much likelier (natural log) the line model must find its own reading than the
/// characters model's, case and spaces aside, to show its own: e² ≈ 7 times. Chosen on
/// validation writers' printed and cursive words, never the test writers' (`cargo run -p
/// training --release -- auto-margin`; docs/results-lines.md has the table).
pub const LETTERS_MARGIN: f32 = 2.0;

/// Where both models read one character, how much more the line model's own reading must
/// overcome (natural log, on top of the margin): the line model learnt from words and lines,
/// and reads a character alone less well than the characters model (the validation writers'
/// lone letters: 69.9% by the characters model, 69.1% overruled by the line model at the
/// margin alone).
const ONE_CHARACTER_EXTRA: f32 = 1.0;

/// How much likelier a digit read alone is than the line model's frames make it: the
/// line model learnt from words, where a digit is rare, and people write a number alone as
/// readily as a letter (as [`crate::context`] favours a lone digit for the characters model).
/// With [`ONE_CHARACTER_EXTRA`], chosen on the validation writers' lone characters read in
/// *Auto* (600 digits, 521 capitals, 979 small letters), as the setting that reads more of
/// each than before: digits 91.0% → 91.3%, capitals 62.8% → 63.3%, small letters 72.5% →
/// 73.4% (with no favour: 90.5%, 63.3%, 74.5%; a favour of 3: 91.7%, 62.8%, 72.2%; a favour
/// of 2 and no extra margin: 92.7%, 62.8%, 70.7%).
const ONE_DIGIT_FAVOUR: f32 = 2.0;

/// The line model's reading of `log_probs` (its frames) where it overrules the characters
/// model's reading `letters` of the same strokes (see [`letters_stand`]), else none.
pub fn overruling_reading(
    letters: &str,
    log_probs: &[f32],
    alphabet: &[char],
    decoding: &Decoding,
    margin: f32,
) -> Result<Option<Decoded>, DecodeError> {
    let line = decoding.decode(log_probs, alphabet)?;
    let stands = letters_stand(letters, &line.text, log_probs, alphabet, decoding, margin)?;
    Ok((!stands).then_some(line))
}

/// Whether the characters model's reading `letters` stands against the line model's own,
/// `line`, read from `log_probs` with `decoding`: it does unless the line model finds `line`
/// more than `margin` (natural log) likelier, case and spaces aside (the characters model sets
/// both from the line's geometry, see [`ctc::log_likelihood_ignoring_case_and_spaces`]), each
/// with what the decoding's word list and language model, if any, make of it (see
/// [`ctc::BeamOptions::prior`]: a word list the user chose holds for both readings, and
/// likely text is likely whichever model read it). A reading with a symbol the line model
/// cannot write does not stand. Nor does the line model's reading of nothing overrule one of
/// something: drawn ink is some character, and the line model may read a lone stroke (some
/// writers' 0, 1, 6 or 8) as no symbol at all, where the characters model has one with its
/// alternatives. One character against another, the line model must clear a wider margin
/// ([`ONE_CHARACTER_EXTRA`]), and a digit counts [`ONE_DIGIT_FAVOUR`] times likelier.
pub fn letters_stand(
    letters: &str,
    line: &str,
    log_probs: &[f32],
    alphabet: &[char],
    decoding: &Decoding,
    margin: f32,
) -> Result<bool, DecodeError> {
    let loosely = |text: &str| -> String {
        text.chars()
            .filter(|&c| c != ' ')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (letters_loosely, line_loosely) = (loosely(letters), loosely(line));
    if line_loosely.is_empty() || letters_loosely == line_loosely {
        return Ok(true);
    }
    let theirs = match ctc::log_likelihood_ignoring_case_and_spaces(log_probs, alphabet, letters) {
        Err(DecodeError::UnknownSymbol(_)) => return Ok(false),
        other => other? + decoding.prior(letters),
    };
    let ours = ctc::log_likelihood_ignoring_case_and_spaces(log_probs, alphabet, line)?
        + decoding.prior(line);
    let one_character = |text: &str| text.chars().count() == 1;
    if !(one_character(&letters_loosely) && one_character(&line_loosely)) {
        return Ok(theirs >= ours - margin);
    }
    let favour = |text: &str| {
        if text.chars().all(|c| c.is_ascii_digit()) {
            ONE_DIGIT_FAVOUR.ln()
        } else {
            0.0
        }
    };
    let (theirs, ours) = (
        theirs + favour(&letters_loosely),
        ours + favour(&line_loosely),
    );
    Ok(theirs >= ours - margin - ONE_CHARACTER_EXTRA)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctc::{BeamOptions, WordList};

    /// A line model's output over "_", "a", "b", "B" (in that order), one frame per row of
    /// probabilities.
    fn frames(rows: &[[f32; 4]]) -> Vec<f32> {
        rows.iter().flatten().map(|p| p.ln()).collect()
    }

    const ALPHABET: [char; 3] = ['a', 'b', 'B'];

    fn stand(letters: &str, line: &str, log_probs: &[f32], margin: f32) -> bool {
        letters_stand(
            letters,
            line,
            log_probs,
            &ALPHABET,
            &Decoding::Greedy,
            margin,
        )
        .unwrap()
    }

    #[test]
    fn the_line_model_overrules_only_by_the_margin() {
        // "ab" is 0.7 × 0.8 (its "b" in either case) = 0.56; "a" is 0.15 ("aa", "a_", "_a"):
        // ln(0.56 / 0.15) ≈ 1.3 apart.
        let log_probs = frames(&[[0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1]]);
        assert!(!stand("a", "ab", &log_probs, 0.0));
        assert!(stand("a", "ab", &log_probs, 10.0));
        assert!(stand("ab", "a", &log_probs, 0.0));
        let greedy = Decoding::Greedy;
        let overruling = overruling_reading("a", &log_probs, &ALPHABET, &greedy, 0.0).unwrap();
        assert_eq!(overruling.map(|line| line.text), Some("ab".to_string()));
        let none = overruling_reading("ab", &log_probs, &ALPHABET, &greedy, 0.0).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn a_word_list_holds_for_both_readings() {
        // As above, "a" stands with a margin of 10 (1.3 apart); with a list of "ab" alone, it
        // also pays for being unlisted, and does not.
        let log_probs = frames(&[[0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1]]);
        let list = WordList::parse(b"ab").unwrap();
        let listed = Decoding::Beam(BeamOptions {
            word_list: Some(&list),
            ..BeamOptions::default()
        });
        let stands = |decoding| letters_stand("a", "ab", &log_probs, &ALPHABET, decoding, 10.0);
        assert!(stands(&Decoding::Greedy).unwrap());
        assert!(!stands(&listed).unwrap());
        assert_eq!(listed.prior("a b ab"), -20.0);
    }

    #[test]
    fn case_is_the_characters_model_s_to_decide() {
        // "aB" is 0.7 × 0.6 (b and B) = 0.42 against the line model's "a", 0.315; by its own
        // case alone it would be 0.7 × 0.3 = 0.21, and lose.
        let log_probs = frames(&[[0.1, 0.7, 0.1, 0.1], [0.05, 0.35, 0.3, 0.3]]);
        assert!(stand("aB", "a", &log_probs, 0.0));
    }

    #[test]
    fn word_gaps_are_the_characters_model_s_to_decide() {
        // The line model reads "ab" (this one cannot even write a space): "a B" is the same.
        let log_probs = frames(&[[0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1]]);
        assert!(stand("a B", "ab", &log_probs, 0.0));
    }

    #[test]
    fn reading_nothing_never_overrules_a_character() {
        // Blank everywhere: the line model reads nothing, far likelier than its "a".
        let log_probs = frames(&[[0.97, 0.01, 0.01, 0.01], [0.97, 0.01, 0.01, 0.01]]);
        assert!(stand("a", "", &log_probs, 0.0));
        assert!(stand("a", " ", &log_probs, 0.0));
        let greedy = Decoding::Greedy;
        let overruling = overruling_reading("a", &log_probs, &ALPHABET, &greedy, 0.0).unwrap();
        assert_eq!(overruling, None);
    }

    #[test]
    fn one_character_against_another_needs_a_wider_margin() {
        // "a" is 0.06 against "b" in either case, 0.89: ln(0.89 / 0.06) ≈ 2.7 apart, past the
        // margin of 2 but not past it and the extra 1 that one character against one gets.
        let log_probs = frames(&[[0.05, 0.06, 0.8, 0.09]]);
        assert!(stand("a", "b", &log_probs, 2.0));
        assert!(!stand("a", "b", &log_probs, 1.5));
        // Against two characters the margin alone counts: "ab" is 0.9 × 0.9 = 0.81, "a"
        // 0.0925, ln(0.81 / 0.0925) ≈ 2.2 apart.
        let two = frames(&[[0.05, 0.9, 0.03, 0.02], [0.05, 0.05, 0.8, 0.1]]);
        assert!(!stand("a", "ab", &two, 2.0));
    }

    #[test]
    fn a_digit_alone_is_favoured() {
        // Over "_", "a", "1", "B": "1" and "B" are 0.03 each against "a" at 0.8, ln(0.8 /
        // 0.03) ≈ 3.3 apart: past the margin and extra of 3, within them and the digit's
        // favour.
        let log_probs = frames(&[[0.14, 0.8, 0.03, 0.03]]);
        let alphabet = ['a', '1', 'B'];
        let stands = |letters| {
            letters_stand(letters, "a", &log_probs, &alphabet, &Decoding::Greedy, 2.0).unwrap()
        };
        assert!(stands("1"));
        assert!(!stands("B"));
    }

    #[test]
    fn a_symbol_the_line_model_cannot_write_does_not_stand() {
        let log_probs = frames(&[[0.1, 0.7, 0.1, 0.1]]);
        assert!(!stand("?", "a", &log_probs, 100.0));
    }
}
