//! A language model's lexicon in its file: the words, lower-case and sorted, each written as
//! how many letters it shares with the word before and the letters that follow. Sorted words
//! share most of their beginnings, so this takes about half the bytes of the words one per
//! line, and the words cannot be out of order or listed twice.

use super::word_list::WordList;

/// The longest word a lexicon may hold, as a word list may (one byte per count).
const MAX_LETTERS: usize = 64;

/// `words` (lower-case ASCII letters, sorted, each once) front-coded.
pub(super) fn encode<'w>(words: impl IntoIterator<Item = &'w [u8]>) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut previous: &[u8] = &[];
    for word in words {
        let shared = previous
            .iter()
            .zip(word)
            .take_while(|(a, b)| a == b)
            .count();
        bytes.push(shared as u8);
        bytes.push((word.len() - shared) as u8);
        bytes.extend_from_slice(&word[shared..]);
        previous = word;
    }
    bytes
}

/// The word list that `bytes` (written by [`encode`]) front-code, checking every word: a
/// lexicon read back holds lower-case words in order, each once, or it is refused.
pub(super) fn decode(mut bytes: &[u8]) -> Result<WordList, &'static str> {
    const CUT_SHORT: &str = "the lexicon is cut short";
    let mut word: Vec<u8> = Vec::new();
    let mut lines: Vec<u8> = Vec::with_capacity(bytes.len() * 2);
    while let [shared, added, rest @ ..] = bytes {
        let (shared, added) = (usize::from(*shared), usize::from(*added));
        if shared > word.len() || added == 0 || shared + added > MAX_LETTERS {
            return Err("a lexicon word is out of bounds");
        }
        let suffix = rest.get(..added).ok_or(CUT_SHORT)?;
        if !suffix.iter().all(u8::is_ascii_lowercase) {
            return Err("a lexicon word is not lower-case letters");
        }
        let before = std::mem::take(&mut word);
        word.extend_from_slice(&before[..shared]);
        word.extend_from_slice(suffix);
        if !before.is_empty() && word <= before {
            return Err("lexicon words out of order");
        }
        lines.extend_from_slice(&word);
        lines.push(b'\n');
        bytes = &rest[added..];
    }
    if !bytes.is_empty() {
        return Err(CUT_SHORT);
    }
    WordList::parse(&lines).map_err(|_| "the lexicon has no words")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_back_as_written() {
        let words: [&[u8]; 4] = [b"the", b"then", b"there", b"to"];
        let bytes = encode(words);
        assert_eq!(bytes.len(), 2 + 3 + 2 + 1 + 2 + 2 + 2 + 1);
        let list = decode(&bytes).unwrap();
        assert_eq!(list.len(), 4);
        assert!(list.lists_all("The THEN there to"));
        assert!(!list.contains("th"));
    }

    #[test]
    fn damaged_lexicons_are_refused() {
        let bytes = encode([b"the".as_slice(), b"then"]);
        for cut in [1, 3, 6] {
            assert_eq!(decode(&bytes[..cut]), Err("the lexicon is cut short"));
        }
        assert_eq!(decode(&[]), Err("the lexicon has no words"));
        let twice = encode([b"the".as_slice(), b"the"]);
        assert_eq!(decode(&twice), Err("a lexicon word is out of bounds"));
        let backwards = encode([b"then".as_slice(), b"the"]);
        assert_eq!(decode(&backwards), Err("a lexicon word is out of bounds"));
        let unordered = encode([b"to".as_slice(), b"the"]);
        assert_eq!(decode(&unordered), Err("lexicon words out of order"));
        assert_eq!(
            decode(&[0, 2, b'T', b'o']),
            Err("a lexicon word is not lower-case letters")
        );
        assert_eq!(
            decode(&[1, 1, b'a']),
            Err("a lexicon word is out of bounds")
        );
    }
}
