//! The JavaScript surface: a `Recognizer` class the page creates from a weights URL, and a
//! `LineRecognizer` for the line model (see [`line`]).
//!
//! Only compiled for `wasm32`. Everything that can fail returns a rejected promise with a
//! readable message; nothing here panics on bad input.

use std::cell::RefCell;

use burn::tensor::Device;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::glyph::{GLYPH_PIXELS, Glyph};
use crate::preprocess::{PixelFormat, PreprocessError, Raster, Stroke};
use crate::reading::{Layout, ReadCharacter};
use crate::recognizer::Prediction;
use crate::segment::Bounds;
use crate::{CpuBackend, glyph_from_raster, glyph_from_strokes};

mod line;

/// Sends any panic to the browser console with its message, so that a bug is diagnosable.
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A loaded network on one backend, as JavaScript sees it.
#[wasm_bindgen]
pub struct Recognizer {
    inner: crate::Recognizer,
    backend: Backend,
    /// Whether the backend's first forward pass (which initialises it) has run.
    warmed_up: RefCell<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Backend {
    Cpu(CpuBackend),
    #[cfg(feature = "webgpu")]
    WebGpu,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Self::Cpu(_) => "cpu",
            #[cfg(feature = "webgpu")]
            Self::WebGpu => "webgpu",
        }
    }

    /// Brings up the backend's device; only WebGPU can fail (no adapter, device refused).
    async fn device(self) -> Result<Device, JsError> {
        match self {
            Self::Cpu(cpu) => Ok(cpu.device()),
            #[cfg(feature = "webgpu")]
            Self::WebGpu => webgpu_device().await,
        }
    }

    fn parse(name: &str) -> Result<Self, JsError> {
        match name {
            "cpu" => Ok(Self::Cpu(CpuBackend::preferred())),
            #[cfg(feature = "webgpu")]
            "webgpu" | "auto" => Ok(Self::WebGpu),
            #[cfg(not(feature = "webgpu"))]
            "auto" => Ok(Self::Cpu(CpuBackend::preferred())),
            #[cfg(not(feature = "webgpu"))]
            "webgpu" => Err(JsError::new(
                "this build has no WebGPU backend: load the module built with the `webgpu` feature",
            )),
            other => Err(JsError::new(&format!(
                "unknown backend \"{other}\": use \"auto\", \"webgpu\" or \"cpu\""
            ))),
        }
    }
}

#[cfg(feature = "webgpu")]
thread_local! {
    /// Burn's WebGPU runtime can be set up once per page; later recognizers share it.
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

#[cfg(feature = "webgpu")]
async fn webgpu_device() -> Result<Device, JsError> {
    use burn::tensor::wgpu::WgpuBackend;
    if let Some(device) = WEBGPU.with_borrow(Option::clone) {
        return Ok(device);
    }
    let device = Device::wgpu_options()
        .graphics_api(WgpuBackend::WebGpu)
        .init_async()
        .await
        .map_err(|e| JsError::new(&format!("WebGPU is not available: {e}")))?;
    WEBGPU.set(Some(device.clone()));
    Ok(device)
}

/// What `recognize` resolves to; `label` is null when nothing was drawn.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Recognition {
    label: Option<String>,
    confidence: f32,
    top: Vec<Alternative>,
    /// The 28×28 input the network saw, 0 = paper, 255 = ink (empty when nothing was drawn).
    preview: serde_bytes_like::Bytes,
    timings: Timings,
    backend: &'static str,
}

#[derive(Serialize)]
struct Alternative {
    label: String,
    probability: f32,
}

/// The three likeliest labels of a prediction.
fn alternatives(prediction: &Prediction) -> Vec<Alternative> {
    prediction
        .top_k(3)
        .iter()
        .map(|c| Alternative {
            label: c.label.clone(),
            probability: c.probability,
        })
        .collect()
}

/// What `read` resolves to.
#[derive(Serialize)]
struct Reading {
    /// The characters' texts joined, words separated by spaces, `?` for what is no character.
    text: String,
    characters: Vec<Character>,
    timings: Timings,
    backend: &'static str,
}

#[derive(Serialize)]
struct Character {
    /// Its likeliest label (context included), or `?` when it is no character at all.
    text: String,
    /// Whether the model stands by it; the page marks the others as unsure.
    sure: bool,
    /// Whether a word gap comes before it: the page shows a space there.
    #[serde(rename = "spaceBefore")]
    space_before: bool,
    confidence: f32,
    top: Vec<Alternative>,
    /// Where it was drawn, in canvas coordinates.
    bounds: Bounds,
    /// The 28×28 input the network saw, 0 = paper, 255 = ink.
    preview: serde_bytes_like::Bytes,
}

impl From<&ReadCharacter> for Character {
    fn from(character: &ReadCharacter) -> Self {
        Self {
            text: character.text().to_string(),
            sure: character.sure,
            space_before: character.space_before,
            confidence: character.prediction.best().probability,
            top: alternatives(&character.prediction),
            bounds: character.bounds,
            preview: serde_bytes_like::Bytes(character.glyph.to_bytes().to_vec()),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Timings {
    preprocess_ms: f64,
    inference_ms: f64,
}

/// Serialises bytes as a JavaScript `Uint8Array` rather than an array of numbers.
mod serde_bytes_like {
    pub struct Bytes(pub Vec<u8>);

    impl serde::Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&self.0)
        }
    }
}

#[wasm_bindgen]
impl Recognizer {
    /// Fetches the weights at `url` and loads them on `backend` (`"auto"`, `"webgpu"` or
    /// `"cpu"`). Rejects with a readable message on a network error, an HTTP error, a corrupt
    /// file or an unavailable backend.
    pub async fn load(url: String, backend: String) -> Result<Recognizer, JsError> {
        let bytes = fetch_bytes(&url).await?;
        Self::from_bytes(&bytes, url, backend).await
    }

    /// Loads weights already in memory; `origin` names them in error messages.
    #[wasm_bindgen(js_name = fromBytes)]
    pub async fn from_bytes(
        bytes: &[u8],
        origin: String,
        backend: String,
    ) -> Result<Recognizer, JsError> {
        let backend = Backend::parse(&backend)?;
        let device = backend.device().await?;
        let inner = crate::Recognizer::from_bytes(bytes, &origin, &device)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let recognizer = Recognizer {
            inner,
            backend,
            warmed_up: RefCell::new(false),
        };
        recognizer.warm_up().await?;
        Ok(recognizer)
    }

    /// `"cpu"` or `"webgpu"`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.name().to_string()
    }

    /// The text of each class, in output order.
    #[wasm_bindgen(getter)]
    pub fn labels(&self) -> Vec<String> {
        self.inner.metadata().labels.clone()
    }

    /// Recognises a drawing given as strokes:
    /// `[{ points: [{ x, y }, …], width }, …]` in canvas coordinates.
    #[wasm_bindgen(js_name = recognizeStrokes)]
    pub async fn recognize_strokes(&self, strokes: JsValue) -> Result<JsValue, JsError> {
        let started = now_ms();
        let strokes = parse_strokes(strokes)?;
        self.recognize_glyph(glyph_from_strokes(&strokes), started)
            .await
    }

    /// Reads a line of handwriting given as strokes (as for `recognizeStrokes`): its text and
    /// its characters left to right, each with its box, top 3 and whether the network is sure
    /// of it. The groups go through the network in one batch, the split readings of the wide
    /// groups and the ovals of the slashed ones that need them in a second.
    pub async fn read(&self, strokes: JsValue) -> Result<JsValue, JsError> {
        let started = now_ms();
        let mut layout = Layout::of(&parse_strokes(strokes)?);
        let mut preprocessing = now_ms() - started;
        let mut predictions = self.predict(layout.glyphs()).await?;
        let drawing_second = now_ms();
        let second = layout.add_second_batch(&predictions);
        preprocessing += now_ms() - drawing_second;
        if !second.is_empty() {
            let second = self.predict(second).await?;
            predictions.extend(second);
        }
        let reading = layout.read(&predictions, self.inner.metadata());
        to_js(&Reading {
            text: reading.text(),
            characters: reading.characters.iter().map(Character::from).collect(),
            timings: Timings {
                preprocess_ms: preprocessing,
                inference_ms: now_ms() - started - preprocessing,
            },
            backend: self.backend.name(),
        })
    }

    /// Recognises a canvas's pixels (`ctx.getImageData(...)`).
    #[wasm_bindgen(js_name = recognizeImage)]
    pub async fn recognize_image(&self, image: web_sys::ImageData) -> Result<JsValue, JsError> {
        let started = now_ms();
        let data = image.data();
        let raster = Raster::new(
            image.width() as usize,
            image.height() as usize,
            PixelFormat::Rgba8,
            &data,
        )
        .map_err(|e| JsError::new(&e.to_string()))?;
        self.recognize_glyph(glyph_from_raster(&raster), started)
            .await
    }

    /// Class probabilities for glyphs already in the network's 28×28 convention, skipping the
    /// preprocessing: `glyphs` holds `n × 784` row-major ink intensities (0 paper, 1 ink), the
    /// result `n × labels.length` probabilities, in one forward pass. It exists so that a
    /// benchmark can feed this network and another runtime exactly the same input (MNIST
    /// images, say); the page itself goes through `read` or `recognizeStrokes`.
    #[wasm_bindgen(js_name = classifyGlyphs)]
    pub async fn classify_glyphs(&self, glyphs: Vec<f32>) -> Result<js_sys::Float32Array, JsError> {
        if glyphs.is_empty() || !glyphs.len().is_multiple_of(GLYPH_PIXELS) {
            return Err(JsError::new(&format!(
                "glyphs must hold a positive multiple of {GLYPH_PIXELS} values, not {}",
                glyphs.len()
            )));
        }
        let glyphs: Vec<Glyph> = glyphs
            .chunks_exact(GLYPH_PIXELS)
            .map(|pixels| Glyph::from_intensities(pixels.try_into().expect("chunk of 784")))
            .collect();
        let data = self
            .inner
            .probabilities(&glyphs)
            .into_data_async()
            .await
            .map_err(|e| {
                JsError::new(&format!(
                    "the {} backend failed: {e:?}",
                    self.backend.name()
                ))
            })?;
        let values = data
            .try_to_vec::<f32>()
            .map_err(|e| JsError::new(&format!("unexpected output: {e:?}")))?;
        Ok(js_sys::Float32Array::from(values.as_slice()))
    }
}

impl Recognizer {
    async fn recognize_glyph(
        &self,
        glyph: Result<Glyph, PreprocessError>,
        started: f64,
    ) -> Result<JsValue, JsError> {
        let preprocessed = now_ms();
        let glyph = match glyph {
            Ok(glyph) => glyph,
            Err(PreprocessError::NothingDrawn) => {
                return self.to_js(None, Vec::new(), started, preprocessed);
            }
            Err(other) => return Err(JsError::new(&other.to_string())),
        };
        let prediction = self.predict(std::slice::from_ref(&glyph)).await?.remove(0);
        self.to_js(
            Some(prediction),
            glyph.to_bytes().to_vec(),
            started,
            preprocessed,
        )
    }

    /// Classifies a batch in one forward pass.
    async fn predict(&self, glyphs: &[Glyph]) -> Result<Vec<Prediction>, JsError> {
        if glyphs.is_empty() {
            return Ok(Vec::new());
        }
        let probabilities = self.inner.probabilities(glyphs);
        // GPU results can only be read back asynchronously; CPU results either way.
        let data = probabilities.into_data_async().await.map_err(|e| {
            JsError::new(&format!(
                "the {} backend failed: {e:?}",
                self.backend.name()
            ))
        })?;
        self.inner
            .predictions(data)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Burn initialises parameters lazily: run one pass at load time so that the user's first
    /// stroke does not pay for it.
    async fn warm_up(&self) -> Result<(), JsError> {
        if !self.warmed_up.replace(true) {
            self.predict(&[Glyph::from_intensities([0.0; GLYPH_PIXELS])])
                .await?;
        }
        Ok(())
    }

    fn to_js(
        &self,
        prediction: Option<Prediction>,
        preview: Vec<u8>,
        started: f64,
        preprocessed: f64,
    ) -> Result<JsValue, JsError> {
        let top = prediction.as_ref().map(alternatives).unwrap_or_default();
        let recognition = Recognition {
            label: prediction.as_ref().map(|p| p.best().label.clone()),
            confidence: prediction.as_ref().map_or(0.0, |p| p.best().probability),
            top,
            preview: serde_bytes_like::Bytes(preview),
            timings: Timings {
                preprocess_ms: preprocessed - started,
                inference_ms: now_ms() - preprocessed,
            },
            backend: self.backend.name(),
        };
        to_js(&recognition)
    }
}

fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    // `null`, not `undefined`, for a missing label: what JSON and the page expect.
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Strokes from JavaScript: `[{ points: [{ x, y }, …], width }, …]`.
fn parse_strokes(strokes: JsValue) -> Result<Vec<Stroke>, JsError> {
    serde_wasm_bindgen::from_value(strokes).map_err(|e| {
        JsError::new(&format!(
            "strokes must be [{{points: [{{x, y}}], width}}]: {e}"
        ))
    })
}

/// GETs `url` relative to the page and returns the body; HTTP errors become messages.
async fn fetch_bytes(url: &str) -> Result<Vec<u8>, JsError> {
    let failure = |what: &str| JsError::new(&format!("cannot load the weights from {url}: {what}"));
    let global = js_sys::global();
    let fetch = js_sys::Reflect::get(&global, &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| failure("this environment has no fetch()"))?;
    let promise = fetch
        .call1(&global, &url.into())
        .map_err(|e| failure(&describe(&e)))?;
    let response: web_sys::Response = JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map_err(|e| failure(&describe(&e)))?
        .dyn_into()
        .map_err(|_| failure("fetch() did not return a Response"))?;
    if !response.ok() {
        return Err(failure(&format!(
            "HTTP {} {}",
            response.status(),
            response.status_text()
        )));
    }
    let buffer = response
        .array_buffer()
        .map_err(|e| failure(&describe(&e)))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|e| failure(&describe(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}

/// Milliseconds from the page's clock (`performance.now()`), in a window or a worker.
fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or_else(js_sys::Date::now, |p| p.now())
}
