//! A reader for UNIPEN's original text format: real handwriting recorded as pen strokes.
//!
//! A data file under `data/<category>/<contributor>/…` names its stroke file with `.INCLUDE`
//! (relative to `include/`) and lists labelled `.SEGMENT`s, each a delineation of the stroke
//! file's components (its `.PEN_DOWN`/`.PEN_UP` blocks that hold points). Whatever cannot be
//! read (a missing stroke file, a delineation past the end, a malformed line) is skipped and
//! counted by reason; reading never panics and never stops at one bad file.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use handwriting::{Point, Stroke};

/// What a segment holds, as its `.SEGMENT` line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    Character,
    Word,
    Text,
}

impl SegmentKind {
    fn parse(word: &str) -> Option<Self> {
        match word {
            "CHARACTER" => Some(Self::Character),
            "WORD" => Some(Self::Word),
            "TEXT" => Some(Self::Text),
            _ => None,
        }
    }
}

/// One labelled piece of handwriting.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub kind: SegmentKind,
    /// The transcription, escapes resolved and ligature marks dropped (see
    /// [`LIGATURE_MARKING_CONTRIBUTORS`]).
    pub label: String,
    /// The data category it was listed under (`1a`, `6`, …).
    pub category: String,
    /// Who wrote it: `contributor/WRITER_ID`, or `contributor/stroke file` where the file
    /// names no writer. Writer IDs are only unique within a contributor.
    pub writer: String,
    /// The pen-down traces in canvas orientation (y down), in tablet units. Pen width is 1:
    /// the library's stroke path scales the pen to the drawing.
    pub strokes: Vec<Stroke>,
}

/// Why a segment or a line was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// The stroke file named by `.INCLUDE` is missing or unreadable.
    MissingStrokeFile,
    /// A `.SEGMENT` before any `.INCLUDE`.
    NoStrokeFile,
    /// A `.SEGMENT` line that does not parse (no label, unknown kind, bad delineation).
    MalformedSegment,
    /// The delineation names components or points past the end of the stroke file.
    OutOfRange,
    /// The delineation selects only pen-up points: nothing was written.
    NoInk,
    /// A data or stroke file that is not UTF-8 text.
    NotText,
    /// A point line in a stroke file that is not two numbers.
    MalformedPoint,
    /// Labelled a ligature, a delayed stroke or noise: no character was written.
    NotWriting,
    /// Labelled with a placeholder that says nothing of what was written (see
    /// [`PLACEHOLDER_LABELS`]).
    Untranscribed,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingStrokeFile => "stroke file missing",
            Self::NoStrokeFile => "segment before any .INCLUDE",
            Self::MalformedSegment => "malformed .SEGMENT line",
            Self::OutOfRange => "delineation out of range",
            Self::NoInk => "only pen-up points",
            Self::NotText => "file not UTF-8 text",
            Self::MalformedPoint => "malformed point line (line skipped)",
            Self::NotWriting => "labelled a ligature or noise",
            Self::Untranscribed => "labelled with a placeholder, not a transcription",
        })
    }
}

/// What a read found: the segments, and how many of what were skipped and why.
#[derive(Debug, Default)]
pub struct Corpus {
    pub segments: Vec<Segment>,
    pub skipped: BTreeMap<SkipReason, usize>,
}

impl Corpus {
    fn skip(&mut self, reason: SkipReason) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    /// One line per count: what was read, what was skipped and why.
    pub fn summary(&self) -> String {
        let mut text = format!("UNIPEN: {} segments read", self.segments.len());
        for (reason, count) in &self.skipped {
            text.push_str(&format!("; skipped {count} ({reason})"));
        }
        text
    }
}

/// Contributors whose labels write `\@` for a ligature, a delayed stroke or noise, not for an
/// at sign: their alphabet is the letters and `\@`, and `include/kai/kai1.doc` says "all
/// delayed strokes are labeled as '\@' (ligature)". Their words read `m\@a\@n\@` for "man",
/// and 1,585 of their isolated "characters" are such marks: read as written, a network would
/// learn to write `@` between joined letters and to call a stray stroke an at sign.
pub const LIGATURE_MARKING_CONTRIBUTORS: [&str; 1] = ["kai"];

/// Labels that stand for no transcription, by contributor. apd (Apple's Newton recordings)
/// lists 20 pages of free writing, four lines of joined-up words each, under the label
/// "Word!", once as a word (category 7) and once as text (8): read as labelled, they would
/// teach a line model four lines as five symbols and count as misreads in its test.
pub const PLACEHOLDER_LABELS: [(&str, &str); 1] = [("apd", "Word!")];

/// What `contributor` wrote under the resolved `label`: the label without ligature marks where
/// the contributor uses them, or why the label tells nothing that was written.
fn transcription(contributor: &str, label: String) -> Result<String, SkipReason> {
    if PLACEHOLDER_LABELS.contains(&(contributor, label.as_str())) {
        return Err(SkipReason::Untranscribed);
    }
    if !LIGATURE_MARKING_CONTRIBUTORS.contains(&contributor) {
        return Ok(label);
    }
    let written = label.replace('@', "");
    if written.is_empty() {
        Err(SkipReason::NotWriting)
    } else {
        Ok(written)
    }
}

/// A `.SEGMENT` line before its strokes are looked up.
#[derive(Debug, Clone, PartialEq)]
struct Listing {
    kind: SegmentKind,
    delineation: Vec<Range>,
    label: String,
}

/// An inclusive span of a stroke file: from a component (and optionally a point in it) to a
/// component (and optionally a point).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Range {
    from: (usize, Option<usize>),
    to: (usize, Option<usize>),
}

/// A stroke file's components, in file order.
#[derive(Debug, Default)]
struct StrokeFile {
    writer: Option<String>,
    components: Vec<Component>,
}

#[derive(Debug)]
struct Component {
    pen_down: bool,
    points: Vec<Point>,
}

/// Reads every segment of the given categories (`1a`, `1b`, …) under `root`, the folder that
/// holds `data/` and `include/`. Fails only when `root` has no `data/` folder to read.
pub fn read(root: &Path, categories: &[&str]) -> std::io::Result<Corpus> {
    let data = root.join("data");
    if !data.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} has no data/ folder of UNIPEN segments", root.display()),
        ));
    }
    let mut corpus = Corpus::default();
    let mut cache: HashMap<PathBuf, Option<StrokeFile>> = HashMap::new();
    for category in categories {
        for file in files_under(&data.join(category)) {
            let Some(contributor) = file
                .strip_prefix(data.join(category))
                .ok()
                .and_then(|relative| relative.components().next())
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
            else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(&file) else {
                corpus.skip(SkipReason::NotText);
                continue;
            };
            read_data_file(&text, root, category, &contributor, &mut cache, &mut corpus);
        }
    }
    Ok(corpus)
}

/// Reads one data file's segments, looking stroke files up in (and adding them to) `cache`.
fn read_data_file(
    text: &str,
    root: &Path,
    category: &str,
    contributor: &str,
    cache: &mut HashMap<PathBuf, Option<StrokeFile>>,
    corpus: &mut Corpus,
) {
    let mut include: Option<(String, PathBuf)> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(path) = keyword_argument(line, ".INCLUDE") {
            include = Some((path.to_string(), root.join("include").join(path)));
            continue;
        }
        let Some(rest) = keyword_argument(line, ".SEGMENT") else {
            continue;
        };
        let Some(mut listing) = parse_segment_line(rest) else {
            corpus.skip(SkipReason::MalformedSegment);
            continue;
        };
        match transcription(contributor, listing.label) {
            Ok(label) => listing.label = label,
            Err(reason) => {
                corpus.skip(reason);
                continue;
            }
        }
        let Some((name, path)) = &include else {
            corpus.skip(SkipReason::NoStrokeFile);
            continue;
        };
        let stroke_file = cache.entry(path.clone()).or_insert_with(|| {
            let bytes = std::fs::read(path).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            let (file, malformed) = parse_stroke_file(&text);
            for _ in 0..malformed {
                corpus.skip(SkipReason::MalformedPoint);
            }
            Some(file)
        });
        let Some(stroke_file) = stroke_file else {
            corpus.skip(SkipReason::MissingStrokeFile);
            continue;
        };
        match select(stroke_file, &listing.delineation) {
            Ok(strokes) => corpus.segments.push(Segment {
                kind: listing.kind,
                label: listing.label,
                category: category.to_string(),
                writer: format!(
                    "{contributor}/{}",
                    stroke_file.writer.as_deref().unwrap_or(name)
                ),
                strokes,
            }),
            Err(reason) => corpus.skip(reason),
        }
    }
}

/// Every file below `dir`, in a stable (sorted) order; none when it does not exist.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(path),
                Ok(kind) if kind.is_file() => files.push(path),
                _ => {}
            }
        }
    }
    files.sort();
    files
}

/// The rest of `line` after `keyword` and white space, if the line starts with that keyword.
fn keyword_argument<'a>(line: &'a str, keyword: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(keyword)?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

/// `KIND delineation quality "label"` (the part after `.SEGMENT`); some files leave the
/// quality out.
fn parse_segment_line(rest: &str) -> Option<Listing> {
    let (kind, rest) = next_token(rest)?;
    let (delineation, rest) = next_token(rest)?;
    // The quality (GOOD, OK, BAD, ?) is not used: the network should meet sloppy writing too.
    let rest = rest.trim_start();
    let label = match next_token(rest)? {
        (quality, after) if !quality.starts_with('"') => after.trim(),
        _ => rest.trim(),
    };
    Some(Listing {
        kind: SegmentKind::parse(kind)?,
        delineation: parse_delineation(delineation)?,
        label: parse_label(label)?,
    })
}

/// The first white-space separated word of `text` and what follows it.
fn next_token(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (end > 0).then(|| text.split_at(end))
}

/// A quoted label with UNIPEN's backslash escapes (`\"`, `\@`, `\\`) resolved.
fn parse_label(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    let mut label = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        label.push(if c == '\\' { chars.next()? } else { c });
    }
    (!label.is_empty()).then_some(label)
}

/// `3`, `3-5`, `3,5`, `3:10-5:7` and their combinations.
fn parse_delineation(text: &str) -> Option<Vec<Range>> {
    text.split(',')
        .map(|part| {
            let (from, to) = part.split_once('-').unwrap_or((part, part));
            let from = parse_position(from)?;
            let mut to = parse_position(to)?;
            // A lone `c:p` is that one point, not the rest of the component.
            if !part.contains('-') {
                to = from;
            }
            Some(Range { from, to })
        })
        .collect()
}

fn parse_position(text: &str) -> Option<(usize, Option<usize>)> {
    match text.split_once(':') {
        Some((component, point)) => Some((component.parse().ok()?, Some(point.parse().ok()?))),
        None => Some((text.parse().ok()?, None)),
    }
}

/// The components and writer of a stroke file, and how many point lines were malformed.
fn parse_stroke_file(text: &str) -> (StrokeFile, usize) {
    let mut file = StrokeFile::default();
    let mut malformed = 0;
    let mut current: Option<Component> = None;
    let finish = |component: Option<Component>, file: &mut StrokeFile| {
        if let Some(component) = component.filter(|c| !c.points.is_empty()) {
            file.components.push(component);
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('.') {
            let keyword = line.split_whitespace().next().unwrap_or_default();
            let pen = match keyword {
                ".PEN_DOWN" => Some(true),
                ".PEN_UP" => Some(false),
                _ => None,
            };
            if pen.is_some() || current.is_some() {
                finish(current.take(), &mut file);
            }
            if let Some(pen_down) = pen {
                current = Some(Component {
                    pen_down,
                    points: Vec::new(),
                });
            } else if keyword == ".WRITER_ID" {
                file.writer = keyword_argument(line, ".WRITER_ID")
                    .filter(|id| !id.is_empty())
                    .map(str::to_string);
            }
            continue;
        }
        let Some(component) = &mut current else {
            continue;
        };
        let mut numbers = line.split_whitespace().map(str::parse::<f32>);
        match (numbers.next(), numbers.next()) {
            (Some(Ok(x)), Some(Ok(y))) if x.is_finite() && y.is_finite() => {
                // UNIPEN's y axis points up; a canvas's points down.
                component.points.push(Point { x, y: -y });
            }
            _ => malformed += 1,
        }
    }
    finish(current, &mut file);
    (file, malformed)
}

/// The pen-down traces a delineation selects.
fn select(file: &StrokeFile, delineation: &[Range]) -> Result<Vec<Stroke>, SkipReason> {
    let mut strokes = Vec::new();
    for range in delineation {
        let (first, last) = (range.from.0, range.to.0);
        if first > last || last >= file.components.len() {
            return Err(SkipReason::OutOfRange);
        }
        for index in first..=last {
            let component = &file.components[index];
            let start = if index == first {
                range.from.1.unwrap_or(0)
            } else {
                0
            };
            let end = if index == last {
                range.to.1.unwrap_or(component.points.len() - 1)
            } else {
                component.points.len() - 1
            };
            if start > end || end >= component.points.len() {
                return Err(SkipReason::OutOfRange);
            }
            if component.pen_down {
                strokes.push(Stroke {
                    points: component.points[start..=end].to_vec(),
                    width: 1.0,
                });
            }
        }
    }
    if strokes.is_empty() {
        return Err(SkipReason::NoInk);
    }
    Ok(strokes)
}

/// Reads one data file's text against stroke files given as text, as [`read`] does on disk:
/// for the fuzzing and the tests of the format, without a file tree.
pub fn read_texts(data: &str, stroke_files: &[(&str, &str)]) -> Corpus {
    let mut corpus = Corpus::default();
    let mut cache: HashMap<PathBuf, Option<StrokeFile>> = HashMap::new();
    for (name, text) in stroke_files {
        let (file, malformed) = parse_stroke_file(text);
        *corpus
            .skipped
            .entry(SkipReason::MalformedPoint)
            .or_default() += malformed;
        cache.insert(Path::new("include").join(name), Some(file));
    }
    corpus.skipped.retain(|_, count| *count > 0);
    // Names not given read as missing files, as on disk, without touching the disk.
    for line in data.lines() {
        if let Some(name) = keyword_argument(line.trim(), ".INCLUDE") {
            cache.entry(Path::new("include").join(name)).or_insert(None);
        }
    }
    read_data_file(
        data,
        Path::new(""),
        "test",
        "fixture",
        &mut cache,
        &mut corpus,
    );
    corpus
}

#[cfg(test)]
mod tests {
    use super::*;

    const STROKES: &str = "\
.VERSION 1.0
.WRITER_ID 42
.COORD X Y T
.PEN_UP
  0 0 0
.PEN_DOWN
  10 100 1
  20 90 2
  30 80 3
.PEN_UP
  30 80 4
  50 80 5
.PEN_DOWN
  60 100 6
  70 100 7
.PEN_DOWN
  80 100
  bogus line
  90 110
";

    fn read_one(segments: &str) -> Corpus {
        let data = format!(".VERSION 1.0\n.INCLUDE w/one.dat\n{segments}");
        read_texts(&data, &[("w/one.dat", STROKES)])
    }

    #[test]
    fn components_are_counted_from_zero_and_pen_up_blocks_count_too() {
        let corpus = read_one(".SEGMENT CHARACTER 1 GOOD \"a\"\n.SEGMENT WORD 3-4 OK \"bc\"\n");
        // The one malformed point line is counted and skipped, its neighbours kept.
        assert_eq!(corpus.skipped.len(), 1, "{:?}", corpus.skipped);
        assert_eq!(corpus.skipped.get(&SkipReason::MalformedPoint), Some(&1));
        let [a, bc] = &corpus.segments[..] else {
            panic!("{:?}", corpus.segments)
        };
        assert_eq!(a.kind, SegmentKind::Character);
        assert_eq!(a.label, "a");
        assert_eq!(a.writer, "fixture/42");
        assert_eq!(a.strokes.len(), 1);
        // y flipped: up in the file is down on a canvas.
        assert_eq!(a.strokes[0].points[0], Point { x: 10.0, y: -100.0 });
        assert_eq!(bc.kind, SegmentKind::Word);
        assert_eq!(bc.strokes.len(), 2);
        assert_eq!(bc.strokes[1].points.len(), 2);
    }

    #[test]
    fn lists_partial_components_and_pen_up_spans() {
        let corpus = read_one(
            ".SEGMENT CHARACTER 1:1-3:0 ? \"x\"\n.SEGMENT CHARACTER 1,4 ? \"y\"\n.SEGMENT CHARACTER 1:2 ? \"z\"\n",
        );
        let [x, y, z] = &corpus.segments[..] else {
            panic!("{:?}", corpus)
        };
        // From point 1 of component 1 to point 0 of component 3; the pen-up 2 adds no ink.
        assert_eq!(x.strokes.len(), 2);
        assert_eq!(x.strokes[0].points.len(), 2);
        assert_eq!(x.strokes[1].points, [Point { x: 60.0, y: -100.0 }]);
        assert_eq!(y.strokes.len(), 2);
        assert_eq!(z.strokes[0].points, [Point { x: 30.0, y: -80.0 }]);
    }

    #[test]
    fn escapes_in_labels_are_resolved() {
        let corpus = read_one(
            ".SEGMENT CHARACTER 1 ? \"\\\"\"\n.SEGMENT CHARACTER 1 ? \"\\@\"\n.SEGMENT WORD 1 ? \"it's\"\n",
        );
        let labels: Vec<&str> = corpus.segments.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["\"", "@", "it's"]);
    }

    #[test]
    fn ligature_marks_and_placeholders_are_left_out_where_the_contributor_uses_them() {
        let read = |contributor, label: &str| transcription(contributor, label.to_string());
        assert_eq!(read("kai", "m@a@n@").as_deref(), Ok("man"));
        assert_eq!(read("kai", "@"), Err(SkipReason::NotWriting));
        assert_eq!(read("apa", "Pay @ 4:56").as_deref(), Ok("Pay @ 4:56"));
        assert_eq!(read("apa", "@").as_deref(), Ok("@"));
        assert_eq!(read("apd", "Word!"), Err(SkipReason::Untranscribed));
        assert_eq!(read("apd", "Word").as_deref(), Ok("Word"));
        assert_eq!(read("kai", "Word!").as_deref(), Ok("Word!"));
    }

    #[test]
    fn what_cannot_be_read_is_skipped_and_counted_by_reason() {
        let corpus = read_one(
            ".SEGMENT CHARACTER 9 ? \"a\"\n\
             .SEGMENT CHARACTER 0 ? \"b\"\n\
             .SEGMENT CHARACTER 1:7 ? \"c\"\n\
             .SEGMENT CHARACTER x-y ? \"d\"\n\
             .SEGMENT CHARACTER 1 ?\n\
             .SEGMENT BLOB 1 ? \"e\"\n\
             .SEGMENT CHARACTER 3-1 ? \"f\"\n\
             .INCLUDE w/absent.dat\n\
             .SEGMENT CHARACTER 1 ? \"g\"\n",
        );
        assert!(corpus.segments.is_empty(), "{:?}", corpus.segments);
        let count = |reason| corpus.skipped.get(&reason).copied().unwrap_or(0);
        assert_eq!(count(SkipReason::OutOfRange), 3);
        assert_eq!(count(SkipReason::NoInk), 1);
        assert_eq!(count(SkipReason::MalformedSegment), 3);
        assert_eq!(count(SkipReason::MissingStrokeFile), 1);
        let summary = corpus.summary();
        assert!(summary.contains("0 segments read"), "{summary}");
        assert!(
            summary.contains("3 (delineation out of range)"),
            "{summary}"
        );
    }

    #[test]
    fn a_segment_before_any_include_is_counted() {
        let corpus = read_texts(".SEGMENT CHARACTER 1 ? \"a\"\n", &[]);
        assert_eq!(corpus.skipped.get(&SkipReason::NoStrokeFile), Some(&1));
    }

    #[test]
    fn a_file_without_writer_id_is_its_own_writer() {
        let strokes = STROKES.replace(".WRITER_ID 42\n", "");
        let data = ".INCLUDE w/anon.dat\n.SEGMENT CHARACTER 1 ? \"a\"\n";
        let corpus = read_texts(data, &[("w/anon.dat", &strokes)]);
        assert_eq!(corpus.segments[0].writer, "fixture/w/anon.dat");
    }

    #[test]
    fn reads_a_tree_on_disk_and_refuses_a_folder_without_data() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("data/1c/abc/set0")).unwrap();
        std::fs::create_dir_all(root.join("include/abc/data")).unwrap();
        std::fs::write(root.join("include/abc/data/s.dat"), STROKES).unwrap();
        std::fs::write(
            root.join("data/1c/abc/set0/s.dat"),
            ".INCLUDE abc/data/s.dat\n.SEGMENT CHARACTER 1 ? \"a\"\n",
        )
        .unwrap();
        // Not UTF-8: counted, the rest still read.
        std::fs::write(root.join("data/1c/abc/set0/t.dat"), [0xff, 0xfe, 0x00]).unwrap();
        let corpus = read(root, &["1c", "1d"]).unwrap();
        assert_eq!(corpus.segments.len(), 1);
        assert_eq!(corpus.segments[0].writer, "abc/42");
        assert_eq!(corpus.segments[0].category, "1c");
        assert_eq!(corpus.skipped.get(&SkipReason::NotText), Some(&1));
        assert!(read(&root.join("include"), &["1c"]).is_err());
    }
}
