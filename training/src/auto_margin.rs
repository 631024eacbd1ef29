//! Chooses the margin of the page's "auto" reading ([`handwriting::lines::LETTERS_MARGIN`]) on
//! validation writers, never the test writers the tests measure it on: each word is read once
//! by both models, then every margin is tried on those readings. The line model reads as in
//! the page: beam search with its language model (the `.lm` file beside its weights).

use std::path::Path;

use anyhow::{Context, Result};
use handwriting::ctc::BeamOptions;
use handwriting::lines::{Decoding, LineReader, PEN_WIDTH, letters_stand, line_from_strokes};
use handwriting::{CpuBackend, Recognizer};

use crate::config::repository_root;
use crate::fixtures::Drawing;
use crate::lines::language;

/// The margins tried, natural log.
const MARGINS: [f32; 8] = [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0];

/// One word as both models read it.
struct Readings {
    truth: String,
    letters: String,
    all_sure: bool,
    line: String,
    frames: Vec<f32>,
}

impl Readings {
    fn of(
        drawing: &Drawing,
        characters: &Recognizer,
        lines: &LineReader,
        decoding: &Decoding,
    ) -> Result<Self> {
        let reading = characters.read(&drawing.strokes)?;
        let image = line_from_strokes(&drawing.strokes, PEN_WIDTH)?;
        let frames = lines.frames_of(std::slice::from_ref(&image))?.remove(0);
        let line = decoding.decode(&frames, lines.alphabet())?;
        Ok(Self {
            truth: drawing.text.clone(),
            letters: reading.text(),
            all_sure: reading.characters.iter().all(|c| c.sure),
            line: line.text,
            frames,
        })
    }

    /// What "auto" reads with this margin; `trust_sure`: whether a reading sure of every
    /// character stands without asking the line model (how "auto" was first built; the
    /// table shows what asking always gains).
    fn auto(
        &self,
        alphabet: &[char],
        decoding: &Decoding,
        margin: f32,
        trust_sure: bool,
    ) -> Result<&str> {
        let stands = (trust_sure && self.all_sure)
            || letters_stand(
                &self.letters,
                &self.line,
                &self.frames,
                alphabet,
                decoding,
                margin,
            )?;
        Ok(if stands { &self.letters } else { &self.line })
    }
}

/// Reads `words.json` (printed) and `cursive.json` in `fixtures` with both models and prints,
/// for each margin, the share of each read exactly right, and each model's alone.
pub fn sweep(fixtures: &Path, characters: &Path, lines: &Path) -> Result<()> {
    let root = repository_root();
    let device = CpuBackend::preferred().device();
    let load = |path: &Path| -> Result<Vec<u8>> {
        let path = root.join(path);
        std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let origin = |path: &Path| path.display().to_string();
    let characters_model =
        Recognizer::from_bytes(&load(characters)?, &origin(characters), &device)?;
    let line_model = LineReader::from_bytes(&load(lines)?, &origin(lines), &device)?;
    let language_model = language::read(&language::path_beside(&root.join(lines)))?;
    let decoding = Decoding::Beam(BeamOptions {
        language_model: Some(&language_model),
        ..BeamOptions::default()
    });
    let alphabet = line_model.alphabet();
    let mut sets = Vec::new();
    for (name, file) in [("printed", "words.json"), ("cursive", "cursive.json")] {
        let text = load(&fixtures.join(file))?;
        let drawings: Vec<Drawing> = serde_json::from_slice(&text)
            .with_context(|| format!("{} is no fixture file", fixtures.join(file).display()))?;
        let readings = drawings
            .iter()
            .map(|drawing| Readings::of(drawing, &characters_model, &line_model, &decoding))
            .collect::<Result<Vec<_>>>()?;
        sets.push((name, readings));
    }
    let share = |readings: &[Readings], read: &dyn Fn(&Readings) -> Result<bool>| -> Result<f64> {
        let right = readings.iter().map(read).collect::<Result<Vec<bool>>>()?;
        let count = right.iter().filter(|&&r| r).count();
        Ok(100.0 * count as f64 / readings.len().max(1) as f64)
    };
    println!("| | {} | mean |", header(&sets));
    println!("|---|{}---|", "---|".repeat(sets.len()));
    let mut rows: Vec<(String, Vec<f64>)> = Vec::new();
    rows.push((
        "characters model alone".into(),
        sets.iter()
            .map(|(_, r)| share(r, &|r| Ok(r.letters == r.truth)))
            .collect::<Result<_>>()?,
    ));
    rows.push((
        "line model alone".into(),
        sets.iter()
            .map(|(_, r)| share(r, &|r| Ok(r.line == r.truth)))
            .collect::<Result<_>>()?,
    ));
    // The most any choice between the two readings could reach.
    rows.push((
        "either model right".into(),
        sets.iter()
            .map(|(_, r)| share(r, &|r| Ok(r.letters == r.truth || r.line == r.truth)))
            .collect::<Result<_>>()?,
    ));
    for trust_sure in [true, false] {
        for margin in MARGINS {
            let shares = sets
                .iter()
                .map(|(_, r)| {
                    share(r, &|r| {
                        Ok(r.auto(alphabet, &decoding, margin, trust_sure)? == r.truth)
                    })
                })
                .collect::<Result<_>>()?;
            let asked = if trust_sure { "where unsure" } else { "always" };
            rows.push((
                format!("auto, margin {margin}, line model asked {asked}"),
                shares,
            ));
        }
    }
    for (label, shares) in rows {
        let mean = shares.iter().sum::<f64>() / shares.len() as f64;
        let cells: Vec<String> = shares.iter().map(|s| format!("{s:.1}%")).collect();
        println!("| {label} | {} | {mean:.1}% |", cells.join(" | "));
    }
    Ok(())
}

fn header(sets: &[(&str, Vec<Readings>)]) -> String {
    sets.iter()
        .map(|(name, readings)| format!("{name} ({} words)", readings.len()))
        .collect::<Vec<_>>()
        .join(" | ")
}
