//! Words printed in training writers' hands. UNIPEN's words are mostly joined up, and the
//! page's users often print, one letter at a time and in capitals too: these teach the line
//! model print, composed of the characters a training writer wrote alone (as the printed
//! test words are, by other writers), spelling the training writers' own words in lower case,
//! capitalised or in capitals, and numbers.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::data::{LineSample, aspect, is_learnable};
use crate::characters::{self, Split};
use crate::printed::Hands;
use crate::unipen::{self, SegmentKind};

/// The category printed words are filed under (UNIPEN's own are numbers).
pub const PRINTED: &str = "printed";
/// UNIPEN's categories of characters written alone: digits, capitals, small letters.
const CHARACTERS: [&str; 3] = ["1a", "1b", "1c"];
/// One printed word in this many is a number.
const NUMBER_EVERY: u32 = 10;
/// The most digits a printed number has.
const MAX_NUMBER_DIGITS: u32 = 6;
/// Words of the vocabulary are this many letters long.
const WORD_LETTERS: std::ops::RangeInclusive<usize> = 2..=12;

/// `count` printed words, deterministically from `seed`: the words (letters only) of the
/// `train` samples, each in a training writer's characters. A word no training writer wrote
/// all the characters of is not made, so fewer may come back.
pub fn print(
    root: &Path,
    train: &[LineSample],
    count: usize,
    max_text_length: usize,
    seed: u64,
) -> Result<Vec<LineSample>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let vocabulary: Vec<&str> = train
        .iter()
        .filter(|s| s.category != "8" && WORD_LETTERS.contains(&s.text.len()))
        .filter(|s| s.text.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|s| s.text.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let corpus = unipen::read(root, &CHARACTERS)?;
    let written: Vec<_> = corpus
        .segments
        .into_iter()
        .filter(|s| {
            s.kind == SegmentKind::Character && characters::split_of(&s.writer) == Split::Train
        })
        .collect();
    let hands = Hands::of(&written);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut words = Vec::with_capacity(count);
    for _ in 0..count {
        let text = if rng.random_ratio(1, NUMBER_EVERY) {
            number(&mut rng)
        } else {
            let Some(word) = vocabulary.choose(&mut rng) else {
                break;
            };
            in_some_case(word, &mut rng)
        };
        let Some((writer, strokes)) = hands.print(&text, &mut rng) else {
            continue;
        };
        let Some(aspect) = aspect(&strokes) else {
            continue;
        };
        if is_learnable(&text, aspect, max_text_length) {
            words.push(LineSample {
                strokes: Arc::new(strokes),
                text,
                category: PRINTED.to_string(),
                writer: writer.to_string(),
                aspect,
            });
        }
    }
    Ok(words)
}

/// A number of one to [`MAX_NUMBER_DIGITS`] digits.
fn number(rng: &mut impl Rng) -> String {
    let digits = rng.random_range(1..=MAX_NUMBER_DIGITS);
    (0..digits)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// The word in lower case, capitalised or in capitals, one time in three each.
fn in_some_case(word: &str, rng: &mut impl Rng) -> String {
    let lower = word.to_ascii_lowercase();
    match rng.random_range(0..3) {
        0 => lower,
        1 => lower[..1].to_ascii_uppercase() + &lower[1..],
        _ => lower.to_ascii_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_come_in_three_cases() {
        let mut rng = StdRng::seed_from_u64(1);
        let forms: BTreeSet<String> = (0..50).map(|_| in_some_case("heLLo", &mut rng)).collect();
        assert_eq!(
            forms.into_iter().collect::<Vec<_>>(),
            ["HELLO", "Hello", "hello"]
        );
    }

    #[test]
    fn numbers_are_short_runs_of_digits() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..100 {
            let n = number(&mut rng);
            assert!((1..=MAX_NUMBER_DIGITS as usize).contains(&n.len()), "{n}");
            assert!(n.chars().all(|c| c.is_ascii_digit()), "{n}");
        }
    }
}
