//! Any text as a UNIPEN data file and the stroke file it includes (the input split at its
//! first NUL byte): the reader returns segments and counts what it skipped, never panics.
#![no_main]

use formats::unipen::read_texts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let text = String::from_utf8_lossy(input);
    let (data, strokes) = text.split_once('\0').unwrap_or((text.as_ref(), ""));
    let corpus = read_texts(data, &[("s.dat", strokes)]);
    for segment in &corpus.segments {
        assert!(!segment.label.is_empty());
        assert!(!segment.strokes.is_empty());
        assert!(segment.strokes.iter().all(|s| !s.points.is_empty()));
    }
});
