//! A character n-gram model of the texts people write, which the beam search weighs against
//! the network where the network is unsure: "tbe" and "the" may look alike, but one is far
//! likelier text.
//!
//! Counts of which symbol follows which few symbols, learnt from texts, mixed across context
//! lengths by Witten-Bell interpolation: a context seen often with few different followers is
//! trusted, one seen rarely or followed by many leans on the shorter context. A text's start
//! and end count as a space, so words are modelled from their first letter to their last.
//!
//! Case is modelled apart: the n-grams fold it, so that "The" and "the" share their counts,
//! and a small model gives each letter's case from the case of the word's letters before it.
//! The network sees a letter's shape, which often leaves case open (c C, o O, s S, a joined-up
//! capital); the case model knows that "geNeral" and "DEVELoPMENT" are not how people write.
//!
//! A model may carry a lexicon, the words people are likely to write: with no word list of the
//! user's, the search holds words to it as to a word list, at a small cost per word it lacks
//! ([`LanguageModelWeights::unknown_word`]) rather than the list's large one. The n-grams
//! favour likely spellings letter by letter; the lexicon knows which spellings are words, so a
//! reading "thal" loses to "that" even where "al" is a likely ending.

use std::collections::HashMap;

use thiserror::Error;

use super::lexicon;
use super::word_list::{WordList, WordListError};

/// The longest history a model may use (symbols before the predicted one): four fit a `u32`.
const MAX_HISTORY: usize = 4;
/// What a file starts with.
const MAGIC: &[u8; 4] = b"HWLM";
const VERSION: u8 = 4;
/// Bounds a file's memory: a model learnt from a large corpus has a few hundred thousand.
const MAX_CONTEXTS: usize = 2_000_000;
/// A table of one value per folded symbol, indexed by its byte: printable ASCII, letters
/// lower-cased.
pub(super) const SYMBOLS: usize = 128;
/// How many symbols a model tells apart: the 95 printable ASCII characters less the 26
/// capitals.
const FOLDED_SYMBOLS: usize = 95 - 26;

/// A symbol's probability after each history (see the module's documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageModel {
    /// Symbols of history used, at most [`MAX_HISTORY`].
    history: usize,
    /// How much it counts in a search.
    pub weights: LanguageModelWeights,
    /// The followers of each history seen, by [`Recent`] key.
    contexts: HashMap<u32, Followers>,
    /// How often a letter was lower-case and upper-case, by [`CaseContext`].
    cases: [[u32; 2]; CaseContext::COUNT],
    /// The words a search expects when the user set no word list, if any.
    lexicon: Option<WordList>,
}

/// The symbols seen after one history, with their counts.
#[derive(Debug, Clone, PartialEq)]
struct Followers {
    total: u32,
    /// (folded symbol, count), sorted by symbol.
    counts: Vec<(u8, u32)>,
}

/// What the model knows of a text read so far: its last few symbols, folded, and where its
/// last word stands for the case model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct History {
    recent: Recent,
    case: CaseContext,
}

/// The last few symbols of a text, folded, most recent in the lowest byte: each byte is a
/// printable symbol, so a history's length is its count of nonzero bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Recent(u32);

/// What a letter's case depends on: the case of the one or two letters before it in its word,
/// or for a word's first letter, whether the word before ended in two capitals. A run of ASCII
/// letters is a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CaseContext(u8);

/// Why a language model file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LanguageModelError {
    #[error("not a language model file (it does not start with \"HWLM\")")]
    NotALanguageModel,
    #[error("language model format version {0} is not supported (this build reads version 4)")]
    UnsupportedVersion(u8),
    #[error("the language model file is cut short")]
    Truncated,
    #[error("the language model file is damaged: {0}")]
    Damaged(&'static str),
}

impl LanguageModel {
    /// Learns a model of `texts` with `history` symbols of context (clamped to 1–4), to be
    /// weighed in a search as `weights` say.
    pub fn learn<'t>(
        texts: impl IntoIterator<Item = &'t str>,
        history: usize,
        weights: LanguageModelWeights,
    ) -> Self {
        let history = history.clamp(1, MAX_HISTORY);
        let mut counts: HashMap<u32, HashMap<u8, u32>> = HashMap::new();
        let mut cases = [[0; 2]; CaseContext::COUNT];
        for text in texts {
            let mut seen = Recent::start();
            let mut case = CaseContext::START;
            for symbol in text.chars() {
                if symbol.is_ascii_alphabetic() {
                    cases[case.index()][usize::from(symbol.is_ascii_uppercase())] += 1;
                }
                case = case.then(symbol);
            }
            for symbol in text.chars().map(fold).chain([b' ']) {
                for length in 0..=history.min(seen.len()) {
                    *counts
                        .entry(seen.last(length).0)
                        .or_default()
                        .entry(symbol)
                        .or_default() += 1;
                }
                seen = seen.then(symbol, history);
            }
        }
        let contexts = counts
            .into_iter()
            .map(|(key, followers)| {
                let mut counts: Vec<(u8, u32)> = followers.into_iter().collect();
                counts.sort_unstable();
                (key, Followers::new(counts))
            })
            .collect();
        Self {
            history,
            weights,
            contexts,
            cases,
            lexicon: None,
        }
    }

    /// The model with `words` as its lexicon, lower-cased (so that a search allows each in
    /// lower case, capitalised or in capitals); entries that no word read can be (digits,
    /// accented letters) are left out.
    pub fn with_lexicon<'w>(
        self,
        words: impl IntoIterator<Item = &'w str>,
    ) -> Result<Self, WordListError> {
        let mut lines = String::new();
        for word in words {
            lines.push_str(&word.to_ascii_lowercase());
            lines.push('\n');
        }
        Ok(Self {
            lexicon: Some(WordList::parse(lines.as_bytes())?),
            ..self
        })
    }

    /// The words a search expects when the user set no word list.
    pub fn lexicon(&self) -> Option<&WordList> {
        self.lexicon.as_ref()
    }

    /// How many symbols of context it uses.
    pub fn history(&self) -> usize {
        self.history
    }

    /// `history` with `symbol` read after it.
    pub(super) fn then(&self, history: History, symbol: char) -> History {
        History {
            recent: history.recent.then(fold(symbol), self.history),
            case: history.case.then(symbol),
        }
    }

    /// The probability of each folded symbol (indexed by its byte) after `history`; entries
    /// for bytes that are no symbol are meaningless. Not logarithms: a search takes the
    /// logarithm only of the symbols it reads.
    pub(super) fn next_probabilities(&self, history: History) -> [f32; SYMBOLS] {
        let recent = history.recent;
        let mut probabilities = [1.0 / FOLDED_SYMBOLS as f32; SYMBOLS];
        for length in 0..=self.history.min(recent.len()) {
            // A history seen implies its shorter ends were, so the first unseen ends the walk.
            let Some(followers) = self.contexts.get(&recent.last(length).0) else {
                break;
            };
            let distinct = followers.counts.len() as f32;
            let denominator = followers.total as f32 + distinct;
            let backoff = distinct / denominator;
            probabilities.iter_mut().for_each(|p| *p *= backoff);
            for &(symbol, count) in &followers.counts {
                probabilities[usize::from(symbol)] += count as f32 / denominator;
            }
        }
        probabilities
    }

    /// The log-probability of `symbol` after `history` (`probabilities` are
    /// [`LanguageModel::next_probabilities`] of `history`), weighted, with the symbol's bonus
    /// and, for a letter, its case's weighted log-probability: what reading it adds to a
    /// reading's score, the n-grams counting `ngram` (see [`LanguageModelWeights::ngram_for`]).
    pub(super) fn symbol_score(
        &self,
        ngram: f32,
        history: History,
        probabilities: &[f32; SYMBOLS],
        symbol: char,
    ) -> f32 {
        let case = if symbol.is_ascii_alphabetic() {
            let [lower, upper] = self.cases[history.case.index()];
            let this = if symbol.is_ascii_uppercase() {
                upper
            } else {
                lower
            };
            // Add-one smoothing: a case never seen in a context stays possible.
            let probability = (this as f32 + 1.0) / (lower as f32 + upper as f32 + 2.0);
            self.weights.case * probability.ln()
        } else {
            0.0
        };
        let probability = probabilities[usize::from(fold(symbol))];
        ngram * probability.ln() + self.weights.symbol_bonus + case
    }

    /// What ending the text after `history` adds to its score: ending a word unless it ended.
    pub(super) fn end_score(&self, ngram: f32, history: History) -> f32 {
        if history.recent.0 & 0xff == u32::from(b' ') {
            return 0.0;
        }
        ngram * self.next_probabilities(history)[usize::from(b' ')].ln()
    }

    /// What the model adds to the score of `text` read whole, as a search with a word list or
    /// without one reckons it: to weigh a text read elsewhere as a search would have weighed it.
    pub fn score(&self, text: &str, with_word_list: bool) -> f32 {
        let ngram = self.weights.ngram_for(with_word_list);
        let mut history = History::start();
        let mut score = 0.0;
        for symbol in text.chars() {
            score += self.symbol_score(ngram, history, &self.next_probabilities(history), symbol);
            history = self.then(history, symbol);
        }
        score + self.end_score(ngram, history)
    }

    /// The model as a file: "HWLM", version, history, the five weights, the case counts
    /// (LEB128), each context's key and followers (counts as LEB128), contexts in key order so
    /// that a model has one file, then the lexicon's length in bytes (0 for none) and the
    /// lexicon (see [`lexicon::encode`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.push(VERSION);
        bytes.push(self.history as u8);
        let LanguageModelWeights {
            ngram,
            ngram_with_word_list,
            symbol_bonus,
            case,
            unknown_word,
        } = self.weights;
        for weight in [
            ngram,
            ngram_with_word_list,
            symbol_bonus,
            case,
            unknown_word,
        ] {
            bytes.extend_from_slice(&weight.to_le_bytes());
        }
        for &count in self.cases.as_flattened() {
            write_leb128(&mut bytes, count);
        }
        bytes.extend_from_slice(&(self.contexts.len() as u32).to_le_bytes());
        let mut keys: Vec<&u32> = self.contexts.keys().collect();
        keys.sort_unstable();
        for key in keys {
            let followers = &self.contexts[key];
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.push(followers.counts.len() as u8);
            for &(symbol, count) in &followers.counts {
                bytes.push(symbol);
                write_leb128(&mut bytes, count);
            }
        }
        let lexicon = self
            .lexicon
            .as_ref()
            .map_or_else(Vec::new, |list| lexicon::encode(list.words()));
        bytes.extend_from_slice(&(lexicon.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&lexicon);
        bytes
    }

    /// Reads a file written by [`LanguageModel::to_bytes`], checking every field: a damaged or
    /// foreign file is refused, never half-read.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LanguageModelError> {
        let mut reader = Reader { bytes };
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(LanguageModelError::NotALanguageModel);
        }
        let version = reader.byte()?;
        if version != VERSION {
            return Err(LanguageModelError::UnsupportedVersion(version));
        }
        let history = usize::from(reader.byte()?);
        if !(1..=MAX_HISTORY).contains(&history) {
            return Err(LanguageModelError::Damaged("history length out of range"));
        }
        let weights = LanguageModelWeights {
            ngram: reader.f32()?,
            ngram_with_word_list: reader.f32()?,
            symbol_bonus: reader.f32()?,
            case: reader.f32()?,
            unknown_word: reader.f32()?,
        };
        if let Some(problem) = weights.problem() {
            return Err(LanguageModelError::Damaged(problem));
        }
        let mut cases = [[0; 2]; CaseContext::COUNT];
        for count in cases.as_flattened_mut() {
            *count = reader.leb128()?;
        }
        let count = reader.u32()? as usize;
        if count > MAX_CONTEXTS {
            return Err(LanguageModelError::Damaged("too many contexts"));
        }
        let mut contexts = HashMap::with_capacity(count.min(bytes.len() / 6));
        for _ in 0..count {
            let key = reader.u32()?;
            if !Recent(key).is_valid(history) {
                return Err(LanguageModelError::Damaged("a context is no history"));
            }
            let mut counts = Vec::new();
            for _ in 0..reader.byte()? {
                let symbol = reader.byte()?;
                let count = reader.leb128()?;
                if !is_folded_symbol(symbol) || count == 0 {
                    return Err(LanguageModelError::Damaged("a follower is no symbol"));
                }
                if counts.last().is_some_and(|&(last, _)| last >= symbol) {
                    return Err(LanguageModelError::Damaged("followers out of order"));
                }
                counts.push((symbol, count));
            }
            if counts.is_empty() || contexts.insert(key, Followers::new(counts)).is_some() {
                return Err(LanguageModelError::Damaged(
                    "a context listed twice or empty",
                ));
            }
        }
        let length = reader.u32()? as usize;
        let lexicon = match reader.take(length)? {
            [] => None,
            words => Some(lexicon::decode(words).map_err(LanguageModelError::Damaged)?),
        };
        if !reader.bytes.is_empty() {
            return Err(LanguageModelError::Damaged("bytes after the lexicon"));
        }
        Ok(Self {
            history,
            weights,
            contexts,
            cases,
            lexicon,
        })
    }
}

impl Followers {
    fn new(counts: Vec<(u8, u32)>) -> Self {
        let total = counts
            .iter()
            .fold(0u32, |total, &(_, count)| total.saturating_add(count));
        Self { total, counts }
    }
}

impl History {
    /// The history of a text not begun: as after a space.
    pub(super) fn start() -> Self {
        Self {
            recent: Recent::start(),
            case: CaseContext::START,
        }
    }
}

impl Recent {
    fn start() -> Self {
        Self(u32::from(b' '))
    }

    fn len(self) -> usize {
        (4 - self.0.leading_zeros() as usize / 8).min(MAX_HISTORY)
    }

    /// Its last `length` symbols (none: the empty history, key 0).
    fn last(self, length: usize) -> Self {
        match length {
            0 => Self(0),
            4.. => self,
            _ => Self(self.0 & ((1 << (8 * length)) - 1)),
        }
    }

    fn then(self, symbol: u8, history: usize) -> Self {
        Self((self.0 << 8 | u32::from(symbol)) & mask(history))
    }

    /// Whether it is a history of at most `history` folded symbols, without gaps.
    fn is_valid(self, history: usize) -> bool {
        let bytes = self.0.to_le_bytes();
        let length = bytes.iter().take_while(|&&b| b != 0).count();
        length <= history
            && bytes[length..].iter().all(|&b| b == 0)
            && bytes[..length].iter().all(|&b| is_folded_symbol(b))
    }
}

impl CaseContext {
    const COUNT: usize = 8;
    /// A word's first letter, and a text's.
    const START: Self = Self(0);
    /// A word's first letter after a word that ended in two capitals ("WITH A QUALM").
    const AFTER_CAPITALS: Self = Self(1);
    /// Within a word: `IN_WORD + last + 2 × before`, `last` 1 for a capital, `before` 0 for
    /// none, 1 lower-case, 2 a capital.
    const IN_WORD: u8 = 2;

    fn index(self) -> usize {
        usize::from(self.0)
    }

    fn then(self, symbol: char) -> Self {
        let in_word = self.0 >= Self::IN_WORD;
        if symbol.is_ascii_alphabetic() {
            let before = if in_word {
                1 + (self.0 - Self::IN_WORD) % 2
            } else {
                0
            };
            Self(Self::IN_WORD + u8::from(symbol.is_ascii_uppercase()) + 2 * before)
        } else if !in_word {
            self
        } else if self.0 == Self::IN_WORD + 1 + 2 * 2 {
            Self::AFTER_CAPITALS
        } else {
            Self::START
        }
    }
}

/// How much a language model counts against the network in a search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageModelWeights {
    /// How much the n-grams' log-probabilities count.
    pub ngram: f32,
    /// How much they count in a search held to the user's word list: less, as the list
    /// already settles which spellings are words, and the n-grams, learnt from other texts,
    /// would talk the search out of a listed word they find unusual.
    pub ngram_with_word_list: f32,
    /// What each symbol read gains (natural log): makes up for the n-grams' cost of every
    /// symbol, which would otherwise favour readings that drop symbols.
    pub symbol_bonus: f32,
    /// How much the case model's log-probabilities count.
    pub case: f32,
    /// What a word the lexicon lacks costs (natural log, at most 0), once per word, where the
    /// model has a lexicon and the search no word list: enough to settle a letter the network
    /// is unsure of, little enough that a name or a rare word it reads clearly stands.
    pub unknown_word: f32,
}

impl LanguageModelWeights {
    /// Why these weights cannot weigh a search, if they cannot: a negative weight would favour
    /// the texts the model finds unlikely, and one that is not a number decides nothing. (A
    /// negative bonus only favours shorter readings.)
    pub fn problem(&self) -> Option<&'static str> {
        if ![
            self.ngram,
            self.ngram_with_word_list,
            self.symbol_bonus,
            self.case,
            self.unknown_word,
        ]
        .iter()
        .all(|weight| weight.is_finite())
        {
            Some("weights not finite")
        } else if self.ngram < 0.0 || self.ngram_with_word_list < 0.0 || self.case < 0.0 {
            Some("a weight is negative")
        } else if self.unknown_word > 0.0 {
            Some("an unknown word's cost is above 0: it would reward misreadings")
        } else {
            None
        }
    }

    /// How much the n-grams count in a search with a word list or without one.
    pub fn ngram_for(&self, with_word_list: bool) -> f32 {
        if with_word_list {
            self.ngram_with_word_list
        } else {
            self.ngram
        }
    }
}

fn mask(history: usize) -> u32 {
    match history {
        4.. => u32::MAX,
        _ => (1 << (8 * history)) - 1,
    }
}

/// A symbol as the model sees it: lower-case ASCII; anything else a network cannot write
/// reads as '~', the rarest printable symbol, rather than being dropped.
fn fold(symbol: char) -> u8 {
    match u8::try_from(symbol) {
        Ok(byte @ b' '..=b'~') => byte.to_ascii_lowercase(),
        _ => b'~',
    }
}

fn is_folded_symbol(byte: u8) -> bool {
    (b' '..=b'~').contains(&byte) && !byte.is_ascii_uppercase()
}

fn write_leb128(bytes: &mut Vec<u8>, mut value: u32) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(low);
            return;
        }
        bytes.push(low | 0x80);
    }
}

/// The unread rest of a file.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], LanguageModelError> {
        if self.bytes.len() < count {
            return Err(LanguageModelError::Truncated);
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8, LanguageModelError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, LanguageModelError> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn f32(&mut self) -> Result<f32, LanguageModelError> {
        Ok(f32::from_bits(self.u32()?))
    }

    fn leb128(&mut self) -> Result<u32, LanguageModelError> {
        let mut value: u32 = 0;
        for shift in (0..35).step_by(7) {
            let byte = self.byte()?;
            let bits = u32::from(byte & 0x7f);
            if shift == 28 && bits > 0x0f {
                return Err(LanguageModelError::Damaged("a count overflows"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(LanguageModelError::Damaged("a count overflows"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNWEIGHTED: LanguageModelWeights = LanguageModelWeights {
        ngram: 1.0,
        ngram_with_word_list: 1.0,
        symbol_bonus: 0.0,
        case: 0.0,
        unknown_word: 0.0,
    };

    fn model() -> LanguageModel {
        LanguageModel::learn(["the cat", "The hat", "then", "THEM"], 3, UNWEIGHTED)
            .with_lexicon(["the", "Cat", "hat", "then", "them", "42"])
            .unwrap()
    }

    fn probability(model: &LanguageModel, before: &str, symbol: char) -> f32 {
        let history = before
            .chars()
            .fold(History::start(), |history, c| model.then(history, c));
        model.next_probabilities(history)[usize::from(fold(symbol))]
    }

    #[test]
    fn probabilities_after_any_history_sum_to_one() {
        let folded = (0..=u8::MAX).filter(|&b| is_folded_symbol(b)).count();
        assert_eq!(folded, FOLDED_SYMBOLS);
        let model = model();
        for before in ["", "th", "THE", "x", "the c", "zzzz"] {
            let total: f32 = (0..=u8::MAX)
                .filter(|&b| is_folded_symbol(b))
                .map(|b| probability(&model, before, char::from(b)))
                .sum();
            assert!((total - 1.0).abs() < 1e-4, "{before:?}: {total}");
        }
    }

    #[test]
    fn likely_text_scores_above_unlikely_text_in_any_case() {
        let model = model();
        assert!(probability(&model, "t", 'h') > 0.5);
        assert!(probability(&model, "T", 'H') > 0.5);
        assert!(model.score("the", false) > model.score("tbe", false));
        assert!(model.score("the hat", false) > model.score("tha hat", false));
        // Ending mid-word is unlikely: "the" ends words, "th" never did.
        let th = model.then(model.then(History::start(), 't'), 'h');
        assert!(model.end_score(1.0, th) < -1.0);
    }

    #[test]
    fn the_case_model_keeps_a_word_in_one_case() {
        let model = LanguageModel {
            weights: LanguageModelWeights {
                case: 1.0,
                ..UNWEIGHTED
            },
            ..model()
        };
        assert!(model.score("then", false) > model.score("tHen", false));
        assert!(model.score("THEM", false) > model.score("THeM", false));
        assert!(model.score("The", false) > model.score("THe", false));
        // Without its weight the case model counts for nothing: folded n-grams alone.
        let unweighted = self::model();
        assert_eq!(
            unweighted.score("then", false),
            unweighted.score("tHen", false)
        );
        // After a word in capitals, the next word's first letter is likelier a capital.
        let after = |text: &str| text.chars().fold(CaseContext::START, CaseContext::then);
        assert_eq!(after("THE "), CaseContext::AFTER_CAPITALS);
        assert_eq!(after("THE, "), CaseContext::AFTER_CAPITALS);
        assert_eq!(after("The "), CaseContext::START);
        assert_eq!(after("A "), CaseContext::START);
        assert!(
            model.score("THE CAT", false) - model.score("THE", false)
                > model.score("the CAT", false) - model.score("the", false)
        );
    }

    #[test]
    fn the_bonus_pays_for_each_symbol_and_the_weights_scale() {
        let plain = model();
        let weighted = LanguageModel {
            weights: LanguageModelWeights {
                ngram: 0.5,
                ngram_with_word_list: 0.25,
                symbol_bonus: 2.0,
                case: 0.0,
                unknown_word: 0.0,
            },
            ..model()
        };
        for (with_word_list, ngram) in [(false, 0.5), (true, 0.25)] {
            let expected = ngram * plain.score("then", false) + 2.0 * 4.0;
            let score = weighted.score("then", with_word_list);
            assert!((score - expected).abs() < 1e-4, "{with_word_list}: {score}");
        }
    }

    #[test]
    fn a_file_reads_back_as_the_model() {
        let model = model();
        let bytes = model.to_bytes();
        assert_eq!(LanguageModel::from_bytes(&bytes), Ok(model.clone()));
        assert_eq!(model.to_bytes(), bytes, "one file per model");
    }

    #[test]
    fn the_lexicon_is_lower_case_and_optional() {
        let model = model();
        let lexicon = model.lexicon().unwrap();
        assert_eq!(lexicon.len(), 5, "\"42\" is no word");
        assert!(lexicon.lists_all("The CAT cat then"));
        let bare = LanguageModel::learn(["the cat"], 3, UNWEIGHTED);
        assert_eq!(bare.lexicon(), None);
        assert_eq!(LanguageModel::from_bytes(&bare.to_bytes()), Ok(bare));
    }

    #[test]
    fn damaged_and_foreign_files_are_refused() {
        let bytes = model().to_bytes();
        for cut in 0..bytes.len() {
            assert!(
                LanguageModel::from_bytes(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        assert_eq!(
            LanguageModel::from_bytes(b"PK\x03\x04 a zip file"),
            Err(LanguageModelError::NotALanguageModel)
        );
        let mut version = bytes.clone();
        version[4] = 9;
        assert_eq!(
            LanguageModel::from_bytes(&version),
            Err(LanguageModelError::UnsupportedVersion(9))
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(LanguageModel::from_bytes(&longer).is_err());
        let mut negative = bytes.clone();
        negative[10..14].copy_from_slice(&(-1.0f32).to_le_bytes());
        assert_eq!(
            LanguageModel::from_bytes(&negative),
            Err(LanguageModelError::Damaged("a weight is negative"))
        );
        let mut rewarding = bytes.clone();
        rewarding[22..26].copy_from_slice(&1.0f32.to_le_bytes());
        assert_eq!(
            LanguageModel::from_bytes(&rewarding),
            Err(LanguageModelError::Damaged(
                "an unknown word's cost is above 0: it would reward misreadings"
            ))
        );
        let mut capital = bytes.clone();
        let last = capital.len() - 1; // the last letter of the lexicon's last word, "them"
        capital[last] = b'M';
        assert_eq!(
            LanguageModel::from_bytes(&capital),
            Err(LanguageModelError::Damaged(
                "a lexicon word is not lower-case letters"
            ))
        );
        // Every single byte flipped: refused or read, never a panic.
        for index in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[index] ^= 0xff;
            let _ = LanguageModel::from_bytes(&flipped);
        }
    }
}
