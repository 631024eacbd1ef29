//! What the line tells about each character that its glyph alone cannot.
//!
//! Normalised to 28×28, many characters are one shape: o O 0, c C, s S, x X, l I 1, a dot and
//! a blob. Their size and height against the rest of the line tell them apart: a lower-case
//! "o" rises to the x-height, an "O" to the cap height; a "." is a speck on the baseline, a
//! "'" one up high. Digits and letters keep company: a "0" among digits, an "O" among
//! letters. This module re-weighs each character's prediction by that context, and finds the
//! gaps wide enough to be spaces between words.

use crate::recognizer::Prediction;
use crate::segment::Bounds;

/// Letters that rise to the x-height only.
pub(crate) const SMALL_LETTERS: &str = "acegmnopqrsuvwxyz";
/// Characters that rise to the cap height (letters with ascenders, capitals, digits).
const TALL_CHARACTERS: &str = "bdfhklt0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ?!%#@&/()";
/// Of those, the ones whose shape has a twin of the other height: their own height is no
/// evidence of the line's proportions.
const TWINS: &str = "cosuvwxzCOSUVWXZ0kKpPyYlI1";
/// Punctuation small enough to be a speck.
const SPECKS: &str = ".,'\"";
/// Punctuation at home inside a word of letters ("don't", "well-known", "e.g.").
const IN_WORD_PUNCTUATION: &str = "'-.,";
/// Punctuation that may open or close a word of letters, though not sit inside one.
const WORD_EDGE_PUNCTUATION: &str = "!?:;\"()";
/// Specks that sit high on the line; the others sit on or below the baseline, or mid-line.
const HIGH_SPECKS: &str = "'\"";

/// A character at most this fraction of the cap height on both sides is a speck.
const SPECK_SIZE: f32 = 0.35;
/// A character rising less than this fraction of the cap height is small (x-height).
const SMALL_RISE: f32 = 0.78;
/// How much less likely a class becomes when the character's size or company contradicts it.
const CONTRADICTED: f32 = 0.15;
/// The same for a letter of the wrong height for the line: the network cannot tell an "s"
/// from an "S" (both are drawn to the same 28×28), so its preference between twins is noise
/// that the measured height must overrule.
const WRONG_SIZE: f32 = 0.02;
/// The same for a speck read as a full character or the reverse: a dot drawn as big as a
/// letter becomes a blob the network may call "o" or "@" with confidence.
const WRONG_SHAPE: f32 = 0.001;
/// A gap wider than this fraction of the x-height separates words.
const WORD_GAP: f32 = 0.9;
/// How much likelier a digit becomes when it is the only character on the line. Alone, with
/// no line to tell `0` from `o` or `1` from `l`, the network prefers the letter: it learnt
/// from four times more lower-case letters than digits. A number is at least as likely to be
/// written alone as a letter, so the digit is favoured. Chosen on the validation writers' lone
/// characters (6,666) read in *Auto*, for the mean of the digits', capitals' and small
/// letters' shares read exactly: 73.6% at 1 (digits 83.7%), 74.4% at 2, **75.2%** at 3
/// (digits 90.7%, capitals 62.0% → 61.5%, small letters 74.9% → 73.3%), 74.9% at 4 to 8.
const DIGIT_ALONE: f32 = 3.0;

/// The line's proportions, measured from the characters the network is confident about.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Proportions {
    /// Canvas y of the line's baseline (y grows downwards).
    baseline: f32,
    /// Height of capitals and digits above the baseline.
    cap: f32,
    /// Height of lower-case letters without ascenders above the baseline.
    x_height: f32,
}

/// Re-weighs each prediction by the line's context and says which characters start a word
/// (after the first). `characters` are the line's, left to right; `labels` the model's classes.
pub fn apply(characters: &[(Bounds, Prediction)], labels: &[String]) -> Vec<(Prediction, bool)> {
    let proportions = Proportions::of(characters);
    let spaces = word_starts(characters, proportions);
    let words = word_ids(&spaces);
    characters
        .iter()
        .enumerate()
        .map(|(i, (bounds, prediction))| {
            let word = Word::around(characters, &words, i);
            let placement = proportions.map(|line| Placement::of(bounds, line));
            let weights: Vec<f32> = labels
                .iter()
                .map(|label| weight(label, placement, word))
                .collect();
            (prediction.reweighed(&weights, labels), spaces[i])
        })
        .collect()
}

/// What the rest of a character's word says about it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Word {
    company: Company,
    /// Characters of the same word stand on both sides of it.
    inside: bool,
    /// The character before it, in the same word, reads as a lower-case letter (and the
    /// word is not one of capitals, where that reading is itself the likely slip).
    after_lower: bool,
    /// The word's other letters are capitals, at least two of them and all but a few (the
    /// second "l" of "SMllE" must not keep the first one lower-case).
    among_capitals: bool,
    /// It is the line's only character.
    alone: bool,
}

impl Word {
    fn around(characters: &[(Bounds, Prediction)], words: &[usize], i: usize) -> Self {
        let same_word = |j: usize| words.get(j) == Some(&words[i]);
        let best_char = |j: usize| single_char(&characters[j].1.best().label);
        let others: Vec<char> = (0..characters.len())
            .filter(|&j| j != i && same_word(j))
            .filter_map(best_char)
            .filter(char::is_ascii_alphabetic)
            .collect();
        let capitals = others.iter().filter(|c| c.is_ascii_uppercase()).count();
        let among_capitals = capitals >= 2 && capitals > 2 * (others.len() - capitals);
        Self {
            company: company(characters, words, i),
            inside: i > 0 && same_word(i - 1) && same_word(i + 1),
            after_lower: i > 0
                && same_word(i - 1)
                && best_char(i - 1).is_some_and(|c| c.is_ascii_lowercase())
                && !among_capitals,
            among_capitals,
            alone: characters.len() == 1,
        }
    }
}

/// Whether the other characters of a character's word are mostly digits or mostly letters.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Company {
    Digits,
    Letters,
    Unknown,
}

fn company(characters: &[(Bounds, Prediction)], words: &[usize], i: usize) -> Company {
    let (mut digits, mut letters) = (0.0f32, 0.0f32);
    for (j, (_, prediction)) in characters.iter().enumerate() {
        if j == i || words[j] != words[i] {
            continue;
        }
        let best = prediction.best();
        match best.label.chars().next() {
            Some(c) if c.is_ascii_digit() => digits += best.probability,
            Some(c) if c.is_alphabetic() => letters += best.probability,
            _ => {}
        }
    }
    if digits > letters {
        Company::Digits
    } else if letters > digits {
        Company::Letters
    } else {
        Company::Unknown
    }
}

/// How much the context supports `label` for a character placed on the line as `placement`
/// (`None` when the line's proportions are unknown; 1 = no opinion).
fn weight(label: &str, placement: Option<Placement>, word: Word) -> f32 {
    let Some(c) = single_char(label) else {
        return 1.0;
    };
    let mut weight = if word.alone && c.is_ascii_digit() {
        DIGIT_ALONE
    } else {
        1.0
    };
    match word.company {
        Company::Digits if c.is_alphabetic() => weight *= CONTRADICTED,
        Company::Letters if c.is_ascii_digit() => weight *= CONTRADICTED,
        // A "t" read as "+", an "l" as "(": symbols rarely touch letters, and then only at
        // a word's edge ("(yes)", "Hi!").
        Company::Letters
            if !c.is_alphanumeric()
                && !IN_WORD_PUNCTUATION.contains(c)
                && (word.inside || !WORD_EDGE_PUNCTUATION.contains(c)) =>
        {
            weight *= CONTRADICTED
        }
        _ => {}
    }
    // Capitals follow capitals or start words: after a lower-case letter, a capital is almost
    // always a misread twin (the second "l" of "Hello" as an "I"), and among capitals a
    // lower-case letter is (the "I" of "TRAIN" as an "l").
    if (word.after_lower && c.is_ascii_uppercase())
        || (word.among_capitals && c.is_ascii_lowercase())
    {
        weight *= CONTRADICTED;
    }
    let Some(Placement { shape, high, small }) = placement else {
        return weight;
    };
    weight *= match (Shape::expected(c), shape) {
        (expected, shape) if expected == shape => 1.0,
        // A short dash, or a long comma: possible, not likely.
        (Shape::Flat, Shape::Speck) | (Shape::Speck, Shape::Flat) => CONTRADICTED,
        _ => WRONG_SHAPE,
    };
    match shape {
        Shape::Speck if high != HIGH_SPECKS.contains(c) => weight *= CONTRADICTED,
        Shape::Full
            if (small && TALL_CHARACTERS.contains(c)) || (!small && SMALL_LETTERS.contains(c)) =>
        {
            weight *= WRONG_SIZE
        }
        _ => {}
    }
    weight
}

/// Where a character sits on the line, measured once for all the classes it is weighed for.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Placement {
    shape: Shape,
    /// Its centre is above the middle of the x-height band: where a "'" sits, not a ".".
    high: bool,
    /// It rises less far above the baseline than a capital does.
    small: bool,
}

impl Placement {
    fn of(bounds: &Bounds, line: Proportions) -> Self {
        let centre = bounds.y + bounds.height / 2.0;
        Self {
            shape: Shape::of(bounds, line.cap),
            high: centre < line.baseline - line.x_height * 0.6,
            small: line.baseline - bounds.y < SMALL_RISE * line.cap,
        }
    }
}

/// The outline of a character against the line: a speck (".", "'"), a flat stroke ("-"), or
/// a full character.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Speck,
    Flat,
    Full,
}

impl Shape {
    fn of(bounds: &Bounds, cap: f32) -> Self {
        let limit = SPECK_SIZE * cap;
        if bounds.width.max(bounds.height) <= limit {
            Self::Speck
        } else if bounds.height <= limit {
            Self::Flat
        } else {
            Self::Full
        }
    }

    fn expected(c: char) -> Self {
        match c {
            '-' => Self::Flat,
            c if SPECKS.contains(c) => Self::Speck,
            _ => Self::Full,
        }
    }
}

fn single_char(label: &str) -> Option<char> {
    let mut chars = label.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

impl Proportions {
    /// Measured from the characters whose best class is confident and says its own height;
    /// `None` when the line holds none (a lone "o" keeps the network's own reading).
    fn of(characters: &[(Bounds, Prediction)]) -> Option<Self> {
        let bottoms: Vec<f32> = characters
            .iter()
            .filter(|(_, p)| !p.best().label.chars().any(|c| "gjpqy,".contains(c)))
            .map(|(b, _)| b.y + b.height)
            .collect();
        let baseline = median(bottoms)?;
        let rises = |set: &str| {
            median(
                characters
                    .iter()
                    .filter(|(_, p)| {
                        let label = &p.best().label;
                        single_char(label).is_some_and(|c| set.contains(c) && !TWINS.contains(c))
                            && p.best().probability >= 0.5
                    })
                    .map(|(b, _)| baseline - b.y)
                    .collect(),
            )
        };
        let (cap, x_height) = match (rises(TALL_CHARACTERS), rises(SMALL_LETTERS)) {
            (Some(cap), Some(x)) => (cap, x),
            (Some(cap), None) => (cap, 0.6 * cap),
            (None, Some(x)) => (x / 0.6, x),
            (None, None) => return None,
        };
        (cap > 0.0 && x_height > 0.0).then_some(Self {
            baseline,
            cap,
            x_height,
        })
    }
}

/// Which characters start a new word: the gap before them (from the right edge of all the ink
/// to their left) is wider than a word gap. The first character never does.
fn word_starts(characters: &[(Bounds, Prediction)], proportions: Option<Proportions>) -> Vec<bool> {
    let x_height = proportions
        .map(|p| p.x_height)
        .or_else(|| median(characters.iter().map(|(b, _)| 0.6 * b.height).collect()));
    let mut right_edge: Option<f32> = None;
    characters
        .iter()
        .map(|(bounds, _)| {
            let start = match (right_edge, x_height) {
                (Some(edge), Some(x)) => bounds.x - edge > WORD_GAP * x,
                _ => false,
            };
            let right = bounds.x + bounds.width;
            right_edge = Some(right_edge.map_or(right, |edge| edge.max(right)));
            start
        })
        .collect()
}

/// Each character's word number.
fn word_ids(starts: &[bool]) -> Vec<usize> {
    starts
        .iter()
        .scan(0, |word, &start| {
            *word += usize::from(start);
            Some(*word)
        })
        .collect()
}

fn median(mut values: Vec<f32>) -> Option<f32> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    let middle = values.len() / 2;
    Some(*values.select_nth_unstable_by(middle, f32::total_cmp).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,'\"-+!";

    fn labels() -> Vec<String> {
        LABELS.chars().map(String::from).collect()
    }

    /// A character in `bounds` the network reads as `readings` (label, probability), the
    /// rest of its belief spread evenly.
    fn seen(
        x: f32,
        top: f32,
        width: f32,
        bottom: f32,
        readings: &[(&str, f32)],
    ) -> (Bounds, Prediction) {
        let labels = labels();
        let named: f32 = readings.iter().map(|r| r.1).sum();
        let rest = (1.0 - named) / (labels.len() - readings.len()) as f32;
        let probabilities = labels
            .iter()
            .map(|l| readings.iter().find(|r| r.0 == l).map_or(rest, |r| r.1))
            .collect();
        let bounds = Bounds {
            x,
            y: top,
            width,
            height: bottom - top,
        };
        (bounds, Prediction::new(probabilities, &labels))
    }

    fn read(line: &[(Bounds, Prediction)]) -> String {
        apply(line, &labels())
            .iter()
            .map(|(p, space)| format!("{}{}", if *space { " " } else { "" }, p.best().label))
            .collect()
    }

    /// An "H" then a round letter the network finds equally O, o or 0, at a given top.
    fn h_then_round(top: f32) -> Vec<(Bounds, Prediction)> {
        vec![
            seen(0.0, 0.0, 60.0, 100.0, &[("H", 0.9)]),
            seen(
                70.0,
                top,
                50.0,
                100.0,
                &[("O", 0.3), ("o", 0.3), ("0", 0.3)],
            ),
        ]
    }

    #[test]
    fn the_height_on_the_line_decides_case() {
        assert_eq!(read(&h_then_round(40.0)), "Ho");
        assert_eq!(read(&h_then_round(0.0)), "HO");
    }

    #[test]
    fn digits_keep_company_with_digits() {
        let line = [
            seen(0.0, 0.0, 60.0, 100.0, &[("2", 0.9)]),
            seen(
                70.0,
                0.0,
                60.0,
                100.0,
                &[("O", 0.4), ("0", 0.35), ("o", 0.2)],
            ),
            seen(140.0, 0.0, 60.0, 100.0, &[("2", 0.9)]),
        ];
        assert_eq!(read(&line), "202");
    }

    #[test]
    fn wide_gaps_are_spaces_and_narrow_ones_are_not() {
        let line = [
            seen(0.0, 0.0, 50.0, 100.0, &[("A", 0.9)]),
            seen(60.0, 0.0, 50.0, 100.0, &[("B", 0.9)]),
            seen(200.0, 0.0, 50.0, 100.0, &[("C", 0.9)]),
        ];
        assert_eq!(read(&line), "AB C");
    }

    #[test]
    fn a_speck_on_the_baseline_is_a_full_stop_and_up_high_an_apostrophe() {
        let speck = |top: f32| {
            vec![
                seen(0.0, 0.0, 60.0, 100.0, &[("H", 0.9)]),
                seen(70.0, 40.0, 50.0, 100.0, &[("e", 0.9)]),
                seen(
                    130.0,
                    top,
                    12.0,
                    top + 12.0,
                    &[("o", 0.4), ("0", 0.2), (".", 0.1), ("'", 0.1)],
                ),
            ]
        };
        assert_eq!(read(&speck(88.0)), "He.");
        assert_eq!(read(&speck(0.0)), "He'");
    }

    #[test]
    fn after_a_small_letter_a_tall_twin_is_lower_case() {
        let line = [
            seen(0.0, 0.0, 60.0, 100.0, &[("H", 0.9)]),
            seen(70.0, 40.0, 50.0, 100.0, &[("e", 0.9)]),
            seen(130.0, 0.0, 12.0, 100.0, &[("I", 0.5), ("l", 0.4)]),
        ];
        assert_eq!(read(&line), "Hel");
    }

    /// Tall characters side by side, the network reading the i-th as `readings[i]`.
    fn word(readings: &[&[(&str, f32)]]) -> Vec<(Bounds, Prediction)> {
        readings
            .iter()
            .enumerate()
            .map(|(i, r)| seen(70.0 * i as f32, 0.0, 60.0, 100.0, r))
            .collect()
    }

    #[test]
    fn among_letters_a_symbol_is_the_letter_it_resembles() {
        let t = [("+", 0.6), ("t", 0.3)];
        let letter = |l: &'static str| [(l, 0.9)];
        let (h, l) = (letter("H"), letter("l"));
        assert_eq!(read(&word(&[&h, &l, &t, &l])), "Hltl");
        // At a word's edge, punctuation that closes a word stands; a "+" does not.
        let bang = [("!", 0.6), ("l", 0.3)];
        assert_eq!(read(&word(&[&h, &l, &bang])), "Hl!");
        assert_eq!(read(&word(&[&h, &l, &t])), "Hlt");
    }

    #[test]
    fn among_capitals_a_bar_is_a_capital() {
        let capital = |l: &'static str| [(l, 0.9)];
        let bar = [("l", 0.6), ("I", 0.3)];
        let (t, r, n) = (capital("T"), capital("R"), capital("N"));
        assert_eq!(read(&word(&[&t, &r, &bar, &n])), "TRIN");
        // Two bars side by side do not keep each other lower-case.
        assert_eq!(read(&word(&[&t, &r, &bar, &bar, &n])), "TRIIN");
        // One capital is no company: "Al" stays.
        assert_eq!(read(&word(&[&capital("A"), &bar])), "Al");
    }

    #[test]
    fn a_lone_character_keeps_the_networks_reading_unless_a_digit_is_close() {
        let lone = |readings: &[(&str, f32)]| read(&[seen(0.0, 0.0, 50.0, 50.0, readings)]);
        assert_eq!(lone(&[("O", 0.5), ("o", 0.4)]), "O");
        assert_eq!(lone(&[("o", 0.5), ("0", 0.3)]), "0");
        assert_eq!(lone(&[("o", 0.8), ("0", 0.1)]), "o");
        assert!(apply(&[], &labels()).is_empty());
        // Beside another character, even one that says nothing of digits, it gets no favour.
        let line = [
            seen(0.0, 20.0, 20.0, 25.0, &[("-", 0.9)]),
            seen(22.0, 0.0, 50.0, 50.0, &[("o", 0.5), ("0", 0.3)]),
        ];
        assert_eq!(read(&line), "-o");
    }
}
