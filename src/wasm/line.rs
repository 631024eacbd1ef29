//! `LineRecognizer`: the line model as JavaScript sees it. It reads a whole line, joined-up or
//! printed, and answers in the shape of `Recognizer.read`, so the page shows both alike.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::{
    Alternative, Backend, Character, Reading, Timings, fetch_bytes, now_ms, parse_strokes,
    serde_bytes_like, to_js,
};
use crate::ctc::{BeamOptions, LanguageModel, WordList};
use crate::lines::{
    Decoding, LETTERS_MARGIN, LineImage, LineReader, LineReading, PEN_WIDTH, line_from_strokes,
    overruling_reading,
};
use crate::preprocess::{PreprocessError, Stroke};
use crate::segment::Bounds;

/// Below this confidence a symbol of a line is marked unsure. Not calibrated on held-out
/// writers as the character models' thresholds are: CTC's per-symbol peaks are sharp, and
/// half is where the reading is as likely wrong as right.
const SURE_CONFIDENCE: f32 = 0.5;

#[wasm_bindgen]
pub struct LineRecognizer {
    inner: LineReader,
    backend: Backend,
    word_list: RefCell<Option<WordList>>,
    language_model: RefCell<Option<LanguageModel>>,
}

#[wasm_bindgen]
impl LineRecognizer {
    /// Fetches the line model's weights at `url` and loads them on `backend`, as
    /// `Recognizer.load` does.
    pub async fn load(url: String, backend: String) -> Result<LineRecognizer, JsError> {
        let bytes = fetch_bytes(&url).await?;
        Self::from_bytes(&bytes, url, backend).await
    }

    /// Loads weights already in memory; `origin` names them in error messages.
    #[wasm_bindgen(js_name = fromBytes)]
    pub async fn from_bytes(
        bytes: &[u8],
        origin: String,
        backend: String,
    ) -> Result<LineRecognizer, JsError> {
        let backend = Backend::parse(&backend)?;
        let device = backend.device().await?;
        let inner = LineReader::from_bytes(bytes, &origin, &device)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let recognizer = LineRecognizer {
            inner,
            backend,
            word_list: RefCell::new(None),
            language_model: RefCell::new(None),
        };
        // Burn initialises parameters on the first pass: pay for it now, not on a stroke.
        let sample = [Stroke {
            points: vec![
                crate::Point { x: 0.0, y: 0.0 },
                crate::Point { x: 60.0, y: 20.0 },
            ],
            width: 4.0,
        }];
        recognizer.read_strokes(&sample).await?;
        Ok(recognizer)
    }

    /// `"cpu"` or `"webgpu"`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.name().to_string()
    }

    /// Uses a word list (UTF-8 text, one word a line) to settle doubtful words; returns how
    /// many words it holds. A list that cannot be used is refused with a message and the
    /// previous one (or none) stays.
    #[wasm_bindgen(js_name = setWordList)]
    pub fn set_word_list(&self, bytes: &[u8]) -> Result<u32, JsError> {
        let list = WordList::parse(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        let words = u32::try_from(list.len()).unwrap_or(u32::MAX);
        self.word_list.replace(Some(list));
        Ok(words)
    }

    /// Uses a language model (a `.lm` file written by the training crate) to weigh unsure
    /// letters by how likely the text they make is; returns how many words its lexicon holds
    /// (the words expected while no word list is set; 0 for a model without one). A file that
    /// cannot be used is refused with a message and the previous model (or none) stays.
    #[wasm_bindgen(js_name = setLanguageModel)]
    pub fn set_language_model(&self, bytes: &[u8]) -> Result<u32, JsError> {
        let model = LanguageModel::from_bytes(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        let words = model.lexicon().map_or(0, WordList::len);
        self.language_model.replace(Some(model));
        Ok(u32::try_from(words).unwrap_or(u32::MAX))
    }

    /// Reads without a word list again.
    #[wasm_bindgen(js_name = clearWordList)]
    pub fn clear_word_list(&self) {
        self.word_list.replace(None);
    }

    /// Reads a line given as strokes (as for `Recognizer.read`): its text and its characters,
    /// each with confidence, alternatives and where it was written.
    pub async fn read(&self, strokes: JsValue) -> Result<JsValue, JsError> {
        let strokes = parse_strokes(strokes)?;
        to_js(&self.read_strokes(&strokes).await?)
    }

    /// The page's "auto": weighs the character model's reading of the same strokes,
    /// `letters` (the text `Recognizer.read` answered), against this model's own (see
    /// `lines::letters_stand`). Resolves to `null` where the character reading stands, else to
    /// this model's reading, shaped as `read`'s.
    #[wasm_bindgen(js_name = readAgainst)]
    pub async fn read_against(
        &self,
        strokes: JsValue,
        letters: String,
    ) -> Result<JsValue, JsError> {
        let strokes = parse_strokes(strokes)?;
        let started = now_ms();
        let Some(image) = Self::image(&strokes)? else {
            return Ok(JsValue::NULL);
        };
        let preprocessing = now_ms() - started;
        let frames = self.frames(&image).await?;
        let (word_list, language_model) = (self.word_list.borrow(), self.language_model.borrow());
        let decoding = beam(word_list.as_ref(), language_model.as_ref());
        let alphabet = self.inner.alphabet();
        let overruling = overruling_reading(&letters, &frames, alphabet, &decoding, LETTERS_MARGIN)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let Some(decoded) = overruling else {
            return Ok(JsValue::NULL);
        };
        let line = LineReading::new(decoded, &image);
        to_js(&self.reading(&line, &strokes, started, preprocessing))
    }
}

impl LineRecognizer {
    async fn read_strokes(&self, strokes: &[Stroke]) -> Result<Reading, JsError> {
        let started = now_ms();
        let Some(image) = Self::image(strokes)? else {
            return Ok(self.reading(&LineReading::default(), strokes, started, 0.0));
        };
        let preprocessing = now_ms() - started;
        let frames = self.frames(&image).await?;
        let (word_list, language_model) = (self.word_list.borrow(), self.language_model.borrow());
        let decoded = beam(word_list.as_ref(), language_model.as_ref())
            .decode(&frames, self.inner.alphabet())
            .map_err(|e| JsError::new(&e.to_string()))?;
        let line = LineReading::new(decoded, &image);
        Ok(self.reading(&line, strokes, started, preprocessing))
    }

    /// The strokes as the line model's input; none where nothing is drawn.
    fn image(strokes: &[Stroke]) -> Result<Option<LineImage>, JsError> {
        match line_from_strokes(strokes, PEN_WIDTH) {
            Ok(image) => Ok(Some(image)),
            Err(PreprocessError::NothingDrawn) => Ok(None),
            Err(other) => Err(JsError::new(&other.to_string())),
        }
    }

    /// The network's log-probabilities over the image's frames.
    async fn frames(&self, image: &LineImage) -> Result<Vec<f32>, JsError> {
        let images = std::slice::from_ref(image);
        // GPU results can only be read back asynchronously; CPU results either way.
        let data = self
            .inner
            .log_probabilities(images)
            .into_data_async()
            .await
            .map_err(|e| {
                JsError::new(&format!(
                    "the {} backend failed: {e:?}",
                    self.backend.name()
                ))
            })?;
        Ok(self
            .inner
            .split_lines(images, data)
            .map_err(|e| JsError::new(&e.to_string()))?
            .remove(0))
    }

    fn reading(
        &self,
        line: &LineReading,
        strokes: &[Stroke],
        started: f64,
        preprocessing: f64,
    ) -> Reading {
        Reading {
            text: line.text.clone(),
            characters: characters(line, strokes),
            timings: Timings {
                preprocess_ms: preprocessing,
                inference_ms: now_ms() - started - preprocessing,
            },
            backend: self.backend.name(),
        }
    }
}

/// Beam search, with the word list and language model that are set.
fn beam<'a>(
    word_list: Option<&'a WordList>,
    language_model: Option<&'a LanguageModel>,
) -> Decoding<'a> {
    Decoding::Beam(BeamOptions {
        word_list,
        language_model,
        ..BeamOptions::default()
    })
}

/// The line's symbols as the page's characters: spaces become a gap before the next one, and
/// each gets the box of the ink in its columns.
fn characters(line: &LineReading, strokes: &[Stroke]) -> Vec<Character> {
    let points: Vec<(f32, f32)> = strokes
        .iter()
        .flat_map(|stroke| stroke.points.iter())
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .map(|p| (p.x, p.y))
        .collect();
    let mut characters = Vec::new();
    let mut space_before = false;
    for symbol in &line.symbols {
        if symbol.symbol == ' ' {
            space_before = true;
            continue;
        }
        let mut top = vec![Alternative {
            label: symbol.symbol.to_string(),
            probability: symbol.confidence,
        }];
        top.extend(symbol.alternatives.iter().map(|&(c, p)| Alternative {
            label: c.to_string(),
            probability: p,
        }));
        top.truncate(3);
        characters.push(Character {
            text: symbol.symbol.to_string(),
            sure: symbol.confidence >= SURE_CONFIDENCE,
            space_before: std::mem::take(&mut space_before),
            confidence: symbol.confidence,
            top,
            bounds: ink_between(&points, symbol.left, symbol.right),
            preview: serde_bytes_like::Bytes(Vec::new()),
        });
    }
    characters
}

/// The box of the ink (`points`, finite) whose x lies in `left..=right`, or that column band
/// over the whole drawing's height where it holds no point.
fn ink_between(points: &[(f32, f32)], left: f32, right: f32) -> Bounds {
    let band: Vec<&(f32, f32)> = points
        .iter()
        .filter(|(x, _)| (left..=right).contains(x))
        .collect();
    let rows = if band.is_empty() {
        points.iter().collect()
    } else {
        band
    };
    let top = rows.iter().map(|p| p.1).fold(f32::INFINITY, f32::min);
    let bottom = rows.iter().map(|p| p.1).fold(f32::NEG_INFINITY, f32::max);
    let (top, bottom) = if top <= bottom {
        (top, bottom)
    } else {
        (0.0, 0.0)
    };
    Bounds {
        x: left,
        y: top,
        width: (right - left).max(0.0),
        height: bottom - top,
    }
}
