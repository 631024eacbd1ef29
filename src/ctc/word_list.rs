//! The words a beam search expects, as a user's file gives them.

use std::fmt;

use thiserror::Error;

/// Longer lines are no words: most likely the wrong file.
const MAX_WORD_CHARS: usize = 64;
/// Enough for any language's word list, few enough to keep a page's memory in bounds (at most
/// 64 MB of letters, which also keeps every offset within a `u32`).
const MAX_WORDS: usize = 1_000_000;
/// Characters that join the words of one written word ("don't", "well-known"). The decoder
/// reads them as punctuation, between words, so a list entry is read as the words they join.
const JOINERS: [char; 3] = ['\'', '’', '-'];

/// The words a beam search holds unsure letters to.
///
/// Case is matched as spelling checkers match it: a word listed in lower case may be read in
/// lower case, capitalised or in capitals ("the": the, The, THE, never tHe); a word listed with
/// capitals only as listed or in capitals ("Susan": Susan, SUSAN; "iPhone": iPhone, IPHONE).
/// A word is a run of ASCII letters, as the decoder reads one. Entries made of letters,
/// apostrophes and hyphens count as the words these join ("don't" lists "don" and "t", as the
/// decoder reads the apostrophe as punctuation between two words); entries with anything
/// else (digits, spaces, accented letters) can never match a word read, and are skipped and
/// counted (see [`WordList::skipped`]).
#[derive(Clone)]
pub struct WordList {
    /// Every word, concatenated: one allocation for up to a million words.
    letters: Vec<u8>,
    /// Each word's bytes in `letters`, lower-cased, sorted by word, no word twice. Sorted
    /// words that start alike are neighbours, which is what lets a search follow a word
    /// letter by letter.
    words: Vec<(u32, u32)>,
    /// For each word, its range of `capitals`: empty for a word listed in lower case, which
    /// may be read capitalised or in capitals too.
    spellings: Vec<(u32, u32)>,
    /// The capital letters of words listed with some: a bit per letter, bit 0 the first.
    capitals: Vec<u64>,
    skipped: usize,
}

/// Why a word list cannot be used, worded for the person who chose the file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WordListError {
    #[error("the word list is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error(
        "line {line} of the word list is longer than {} characters",
        MAX_WORD_CHARS
    )]
    LineTooLong { line: usize },
    #[error("too many words: {}, at most {}", thousands(*count), thousands(MAX_WORDS))]
    TooManyWords { count: usize },
    #[error("the word list has no words")]
    Empty,
    #[error(
        "none of the word list's {skipped} words can be used: only ASCII letters, apostrophes \
         and hyphens can"
    )]
    NoUsableWords { skipped: usize },
}

/// The words of `text` as the decoder reads them: its runs of ASCII letters (digits,
/// punctuation and spaces only separate them).
pub fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|word| !word.is_empty())
}

/// Where a word being read stands in a [`WordList`]: the listed words that start with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct WordPrefix {
    /// The range of those words in the sorted list.
    start: usize,
    end: usize,
    /// Its length in letters.
    len: usize,
}

impl WordPrefix {
    /// How many letters it has.
    pub(super) fn letters(self) -> usize {
        self.len
    }
}

impl WordList {
    /// Reads a word list file: UTF-8, one word per line, blank lines and lines starting with
    /// '#' ignored, surrounding whitespace trimmed.
    pub fn parse(bytes: &[u8]) -> Result<WordList, WordListError> {
        let text = std::str::from_utf8(bytes).map_err(|error| WordListError::NotUtf8 {
            offset: error.valid_up_to(),
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text); // editors' byte order mark
        let mut list = WordList {
            letters: Vec::new(),
            words: Vec::new(),
            spellings: Vec::new(),
            capitals: Vec::new(),
            skipped: 0,
        };
        let mut entries = 0;
        for (index, line) in text.lines().enumerate() {
            let entry = line.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            if entry.chars().count() > MAX_WORD_CHARS {
                return Err(WordListError::LineTooLong { line: index + 1 });
            }
            entries += 1;
            if entries <= MAX_WORDS {
                list.add(entry); // past the limit only counted, for the message
            }
        }
        if entries > MAX_WORDS {
            return Err(WordListError::TooManyWords { count: entries });
        }
        list.sort();
        match (list.words.len(), list.skipped) {
            (0, 0) => Err(WordListError::Empty),
            (0, skipped) => Err(WordListError::NoUsableWords { skipped }),
            _ => Ok(list),
        }
    }

    /// How many different words a search can match.
    #[expect(clippy::len_without_is_empty, reason = "a parsed list is never empty")]
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// How many entries were skipped for characters no word read can have, to tell the user.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Whether every word of `text` (see [`words_of`]) is listed.
    pub fn lists_all(&self, text: &str) -> bool {
        words_of(text).all(|word| self.contains(word))
    }

    /// Whether a word is listed, in a case its entry allows (only letters: "don't" is two
    /// words).
    pub fn contains(&self, word: &str) -> bool {
        let folded = word.to_ascii_lowercase();
        self.words
            .binary_search_by(|&span| self.word(span).cmp(folded.as_bytes()))
            .is_ok_and(|index| self.allows(index, word.len(), capitals_of(word)))
    }

    /// Each different word, lower-cased, in order.
    pub(super) fn words(&self) -> impl Iterator<Item = &[u8]> {
        self.words.iter().map(|&span| self.word(span))
    }

    /// The empty word, which every listed word starts with.
    pub(super) fn root(&self) -> WordPrefix {
        WordPrefix {
            start: 0,
            end: self.words.len(),
            len: 0,
        }
    }

    /// Whether the letters of `prefix` are a listed word by themselves.
    pub(super) fn is_word(&self, prefix: WordPrefix) -> bool {
        prefix.start < prefix.end && self.word(self.words[prefix.start]).len() == prefix.len
    }

    /// Whether the letters of `prefix`, with capitals where `capitals` has bits (bit 0 the
    /// first letter), are a listed word in a case its entry allows.
    pub(super) fn is_word_written(&self, prefix: WordPrefix, capitals: u64) -> bool {
        self.is_word(prefix) && self.allows(prefix.start, prefix.len, capitals)
    }

    /// Whether the `index`th word, `len` letters, may be read with `capitals`.
    fn allows(&self, index: usize, len: usize, capitals: u64) -> bool {
        let all = u64::MAX >> (64 - len.clamp(1, 64));
        let (start, end) = self.spellings[index];
        capitals == all
            || if start == end {
                capitals == 0 || capitals == 1
            } else {
                self.capitals[start as usize..end as usize].contains(&capitals)
            }
    }

    /// Each lower-case letter that continues `prefix` into a listed word's beginning, in order,
    /// with where it leads: one binary search per letter found, none for the rest.
    pub(super) fn continuations(
        &self,
        prefix: WordPrefix,
    ) -> impl Iterator<Item = (u8, WordPrefix)> + '_ {
        // The word itself, if listed, sorts before its continuations.
        let mut start = prefix.start + usize::from(self.is_word(prefix));
        std::iter::from_fn(move || {
            if start >= prefix.end {
                return None;
            }
            let letter = self.word(self.words[start])[prefix.len];
            let same = self.words[start..prefix.end]
                .partition_point(|&span| self.word(span)[prefix.len] == letter);
            let next = WordPrefix {
                start,
                end: start + same,
                len: prefix.len + 1,
            };
            start = next.end;
            Some((letter, next))
        })
    }

    /// Adds the words of one entry (their capitals in `capitals` for now), or counts it as
    /// skipped.
    fn add(&mut self, entry: &str) {
        if !entry
            .chars()
            .all(|c| c.is_ascii_alphabetic() || JOINERS.contains(&c))
        {
            self.skipped += 1;
            return;
        }
        for word in entry.split(JOINERS).filter(|word| !word.is_empty()) {
            let start = self.letters.len() as u32;
            self.letters
                .extend(word.bytes().map(|byte| byte.to_ascii_lowercase()));
            self.words.push((start, self.letters.len() as u32));
            self.capitals.push(capitals_of(word));
        }
    }

    /// Sorts the words added, each once, with the capitals it may be written with.
    fn sort(&mut self) {
        let letters = &self.letters;
        let word = |&(start, end): &(u32, u32)| &letters[start as usize..end as usize];
        let mut entries: Vec<((u32, u32), u64)> =
            self.words.drain(..).zip(self.capitals.drain(..)).collect();
        // Lower case (no capitals) first: then a word's first entry says whether any case goes.
        entries.sort_unstable_by(|a, b| word(&a.0).cmp(word(&b.0)).then(a.1.cmp(&b.1)));
        entries.dedup();
        let mut lower_case = false;
        for (span, capitals) in entries {
            if self
                .words
                .last()
                .is_none_or(|&last| word(&last) != word(&span))
            {
                let at = self.capitals.len() as u32;
                self.words.push(span);
                self.spellings.push((at, at));
                lower_case = capitals == 0;
            }
            if !lower_case {
                self.capitals.push(capitals);
                if let Some(spelling) = self.spellings.last_mut() {
                    spelling.1 += 1;
                }
            }
        }
    }

    fn word(&self, (start, end): (u32, u32)) -> &[u8] {
        &self.letters[start as usize..end as usize]
    }

    /// Each word's capitals as listed, in word order: none for a word listed in lower case.
    fn cases(&self) -> impl Iterator<Item = &[u64]> {
        self.spellings
            .iter()
            .map(|&(start, end)| &self.capitals[start as usize..end as usize])
    }
}

/// Two lists are equal when they match the same words in the same cases, however their files
/// listed them (in which order, how often, with how many entries skipped).
impl PartialEq for WordList {
    fn eq(&self, other: &Self) -> bool {
        self.words().eq(other.words()) && self.cases().eq(other.cases())
    }
}

/// Its size rather than its million letters.
impl fmt::Debug for WordList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WordList")
            .field("len", &self.len())
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// The capital letters of `word`, a bit per letter (bit 0 the first); letters past the 64th,
/// which no listed word has, are left out.
pub(super) fn capitals_of(word: &str) -> u64 {
    word.bytes()
        .take(64)
        .enumerate()
        .fold(0, |capitals, (index, byte)| {
            capitals | u64::from(byte.is_ascii_uppercase()) << index
        })
}

/// A count as people read it: 1,000,000.
fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<WordList, WordListError> {
        WordList::parse(text.as_bytes())
    }

    #[test]
    fn reads_one_word_a_line() {
        let list = parse("\u{feff}# greetings\n\nHello\n  world \r\nhello\n#hell\n").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list.skipped(), 0);
        for word in ["hello", "HELLO", "World"] {
            assert!(list.contains(word), "{word}");
        }
        for word in ["hell", "helloo", "", "# greetings", "#hell"] {
            assert!(!list.contains(word), "{word}");
        }
    }

    #[test]
    fn words_are_read_in_the_cases_their_entries_allow() {
        let list = parse("the\nSusan\niPhone\nIPhone\nnasa\nNASA\nI\n").unwrap();
        assert_eq!(list.len(), 5);
        for word in [
            "the", "The", "THE", "Susan", "SUSAN", "iPhone", "IPhone", "IPHONE",
        ] {
            assert!(list.contains(word), "{word}");
        }
        for word in ["tHe", "thE", "susan", "SuSan", "iphone", "Iphone", "i"] {
            assert!(!list.contains(word), "{word}");
        }
        // Listed in lower case as well as in capitals: any case a lower-case entry allows.
        for word in ["nasa", "Nasa", "NASA", "I"] {
            assert!(list.contains(word), "{word}");
        }
        assert_eq!(capitals_of("iPhONE"), 0b11_1010);
        assert_eq!(capitals_of(&"A".repeat(70)), u64::MAX);
    }

    #[test]
    fn a_text_is_listed_when_each_of_its_runs_of_letters_is() {
        let list = parse("room\ndon\nt\n").unwrap();
        assert_eq!(
            words_of("Room 42, don't!").collect::<Vec<_>>(),
            ["Room", "don", "t"]
        );
        assert!(list.lists_all("Room 42, don't!"));
        assert!(list.lists_all("42 ?"));
        assert!(!list.lists_all("Room 42, won't"));
    }

    #[test]
    fn joined_words_count_as_their_parts_and_other_entries_are_skipped() {
        let list = parse("don't\nwell-known\nrock’n’roll\ncafé\nmp3\nnew york\n").unwrap();
        for word in ["don", "t", "well", "known", "rock", "n", "roll"] {
            assert!(list.contains(word), "{word}");
        }
        assert!(!list.contains("don't"));
        assert_eq!(list.len(), 7);
        assert_eq!(list.skipped(), 3);
    }

    #[test]
    fn follows_words_letter_by_letter() {
        let list = parse("he\nhello\nhelp\nhi\nax\n").unwrap();
        let letters = |prefix| {
            list.continuations(prefix)
                .map(|(letter, _)| letter)
                .collect::<Vec<_>>()
        };
        let follow = |word: &str| {
            word.bytes().try_fold(list.root(), |prefix, letter| {
                list.continuations(prefix)
                    .find(|&(next, _)| next == letter)
                    .map(|(_, next)| next)
            })
        };
        assert_eq!(letters(list.root()), b"ah");
        assert_eq!(letters(follow("h").unwrap()), b"ei");
        assert_eq!(letters(follow("he").unwrap()), b"l");
        assert_eq!(letters(follow("hel").unwrap()), b"lp");
        assert_eq!(letters(follow("hello").unwrap()), b"");
        assert!(list.is_word(follow("he").unwrap()));
        assert!(!list.is_word(follow("hel").unwrap()));
        assert!(list.is_word(follow("help").unwrap()));
        assert_eq!(follow("hex"), None);
        assert_eq!(follow("helpe"), None);
    }

    #[test]
    fn a_list_without_words_is_an_error() {
        assert_eq!(parse("").unwrap_err(), WordListError::Empty);
        assert_eq!(
            parse("# nothing\n\n  \n-\n").unwrap_err(),
            WordListError::Empty
        );
        assert_eq!(
            parse("café\nnaïve\n").unwrap_err(),
            WordListError::NoUsableWords { skipped: 2 }
        );
        assert_eq!(
            WordListError::Empty.to_string(),
            "the word list has no words"
        );
    }

    #[test]
    fn text_that_is_not_utf8_is_an_error_naming_the_offset() {
        let error = WordList::parse(b"ok\nn\xffo\n").unwrap_err();
        assert_eq!(error, WordListError::NotUtf8 { offset: 4 });
        assert_eq!(
            error.to_string(),
            "the word list is not UTF-8 text (invalid byte at offset 4)"
        );
    }

    #[test]
    fn long_lines_are_an_error_naming_the_line() {
        let longest = "a".repeat(MAX_WORD_CHARS);
        assert!(parse(&format!("# {longest}{longest}\n{longest}\n")).is_ok());
        let error = parse(&format!("ok\n\n{longest}b\n")).unwrap_err();
        assert_eq!(error, WordListError::LineTooLong { line: 3 });
        assert_eq!(
            error.to_string(),
            "line 3 of the word list is longer than 64 characters"
        );
    }

    #[test]
    fn more_than_a_million_words_is_an_error() {
        let error = parse(&"a\n".repeat(MAX_WORDS + 1)).unwrap_err();
        assert_eq!(
            error,
            WordListError::TooManyWords {
                count: MAX_WORDS + 1
            }
        );
        assert_eq!(
            error.to_string(),
            "too many words: 1,000,001, at most 1,000,000"
        );
        assert!(parse(&"a\n".repeat(MAX_WORDS)).is_ok());
    }

    #[test]
    fn counts_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
