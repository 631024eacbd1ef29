// The page: a drawing pad, live recognition, and the backend switch-over.
//
// The recognizer runs in a worker (worker.js), so that drawing never waits for it. The small
// CPU build answers first; where the browser has WebGPU, the larger WebGPU build loads in the
// background and takes over once it works. Any WebGPU failure falls back to the CPU
// recognizer, which stays loaded, and the drawing is kept. The line model, which reads
// joined-up words whole, loads after the first answer, in the background; without it the page
// reads letter by letter.

const MANIFEST_URL = new URL("models/manifest.json", import.meta.url).href;
/** Where the chosen model and reading mode are remembered between visits. */
const MODEL_KEY = "handwriting.model";
const READING_KEY = "handwriting.reading";
/** The line model's weights: not in the manifest, which lists the character models. */
const LINES_URL = new URL("models/lines.bpk", import.meta.url).href;
const LANGUAGE_MODEL_URL = new URL("models/lines.lm", import.meta.url).href;
/** Larger files are refused before they are read: no word list is this big, and a wrong
 * choice (a video, a disk image) must not take the tab's memory. */
const MAX_WORD_LIST_BYTES = 64 * 2 ** 20;
/** The CPU build's wasm: compiled here, from the request the page preloads, then handed to the worker. */
const CPU_WASM_URL = new URL("../pkg/handwriting_bg.wasm", import.meta.url).href;
/** Live recognition while drawing runs at most this often. */
const LIVE_INTERVAL_MS = 120;
/** Pen width as a fraction of the pad's height. */
const PEN_WIDTH = 0.05;

const $ = (selector) => document.querySelector(selector);
const pad = $("#pad");
const ctx = pad.getContext("2d");

const strokes = [];
let current = null;
/** The worker's CPU module, compiled and handed over at once so that it overlaps the weights' download. */
let cpuModuleReady = null;
/** Whether the worker holds a model that can read. */
let ready = false;
let generation = 0;
let inFlight = false;
let queued = false;
let liveTimer = 0;
/** Counts model loads, so that a slow load for a model no longer chosen is dropped. */
let modelGeneration = 0;
/** The latest reading, the character whose details are shown, and the user's corrections. */
let reading = null;
let selected = -1;
const picks = new Map();
/**
 * How many words the language model's lexicon holds (0 until it loads): the words joined-up
 * reading expects while the user has chosen no word list.
 */
let builtInWords = 0;

document.body.classList.add("started");

function setState(state, message) {
  document.body.dataset.state = state;
  if (message !== undefined) $("#status").textContent = message;
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

// ---- drawing ------------------------------------------------------------------------------

function resizePad() {
  const { width, height } = pad.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  pad.width = Math.round(width * ratio);
  pad.height = Math.round(height * ratio);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  redraw();
}

function penWidth(event) {
  const base = PEN_WIDTH * pad.getBoundingClientRect().height;
  // Pens report pressure; mice report a constant 0.5 and touch often 0 or 1.
  return event.pointerType === "pen" && event.pressure > 0 ? base * (0.5 + event.pressure) : base;
}

function pointOf(event) {
  const rect = pad.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}

function drawStroke(stroke) {
  const points = stroke.points;
  ctx.lineWidth = stroke.width;
  ctx.beginPath();
  ctx.moveTo(points[0].x, points[0].y);
  if (points.length === 1) {
    ctx.lineTo(points[0].x + 0.01, points[0].y);
  }
  // Quadratic curves through the midpoints: smooth strokes from jagged pointer samples.
  for (let i = 1; i < points.length - 1; i++) {
    const mid = { x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2 };
    ctx.quadraticCurveTo(points[i].x, points[i].y, mid.x, mid.y);
  }
  if (points.length > 1) {
    const last = points[points.length - 1];
    ctx.lineTo(last.x, last.y);
  }
  ctx.stroke();
}

function redraw() {
  const { width, height } = pad.getBoundingClientRect();
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = getComputedStyle(document.body).color;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const stroke of strokes) drawStroke(stroke);
  document.body.classList.toggle("has-ink", strokes.length > 0);
  $("#undo").disabled = strokes.length === 0;
  $("#clear").disabled = strokes.length === 0;
}

pad.addEventListener("pointerdown", (event) => {
  if (event.button !== 0) return;
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  current = { points: [pointOf(event)], width: penWidth(event), pointerId: event.pointerId };
  strokes.push(current);
  redraw();
});

pad.addEventListener("pointermove", (event) => {
  if (!current || event.pointerId !== current.pointerId) return;
  const samples = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const sample of samples.length ? samples : [event]) current.points.push(pointOf(sample));
  redraw();
  scheduleLive();
});

function endStroke(event) {
  if (!current || event.pointerId !== current.pointerId) return;
  delete current.pointerId;
  current = null;
  recognizeNow();
}
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);

function undo() {
  if (!strokes.length) return;
  strokes.pop();
  current = null;
  redraw();
  recognizeNow();
}

function clear() {
  strokes.length = 0;
  picks.clear();
  current = null;
  redraw();
  recognizeNow();
}

$("#undo").addEventListener("click", undo);
$("#clear").addEventListener("click", clear);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    clear();
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    event.preventDefault();
    undo();
  }
});
new ResizeObserver(resizePad).observe(pad);

// ---- recognition --------------------------------------------------------------------------

function scheduleLive() {
  if (liveTimer) return;
  liveTimer = setTimeout(() => {
    liveTimer = 0;
    recognizeNow();
  }, LIVE_INTERVAL_MS);
}

/** Recognises the current drawing; one request in flight, the latest drawing wins. */
async function recognizeNow() {
  if (!ready) return;
  if (inFlight) {
    queued = true;
    return;
  }
  inFlight = true;
  const request = ++generation;
  const drawing = strokes.map(({ points, width }) => ({ points, width }));
  try {
    const result = await recognizer.call("read", { drawing, mode: $("#reading-mode").value });
    if (request === generation) show(result);
  } catch (error) {
    setState("error", `Recognition failed: ${describe(error)}`);
  } finally {
    inFlight = false;
    if (queued) {
      queued = false;
      recognizeNow();
    }
  }
}

// ---- the worker ---------------------------------------------------------------------------

/** The recognizer's worker: `call(type, arguments)` resolves to its reply (see worker.js). */
class RecognizerWorker {
  constructor(url) {
    this.pending = new Map();
    this.nextId = 0;
    this.worker = new Worker(url, { type: "module" });
    this.worker.addEventListener("message", ({ data }) => {
      if (data.type === "backend") {
        showBackend(data.backend, data.label);
        return;
      }
      const reply = this.pending.get(data.id);
      if (!reply) return;
      this.pending.delete(data.id);
      if ("error" in data) reply.reject(new Error(data.error));
      else reply.resolve(data.value);
    });
    // A worker that cannot start (its script or the module missing) says little more.
    this.worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.failed = new Error(
        `the recognizer's worker stopped (${event.message || `cannot load ${url} or ../pkg/handwriting.js`})`,
      );
      for (const { reject } of this.pending.values()) reject(this.failed);
      this.pending.clear();
    });
  }

  call(type, message = {}, transfer = []) {
    if (this.failed) return Promise.reject(this.failed);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, type, id }, transfer);
    });
  }
}

const recognizer = new RecognizerWorker(new URL("worker.js", import.meta.url));

// ---- the reading --------------------------------------------------------------------------

/** A character's identity across readings: its box. Redrawing it drops the user's pick. */
function keyOf(character) {
  const { x, y, width, height } = character.bounds;
  return [x, y, width, height].map(Math.round).join(",");
}

function textOf(character) {
  return picks.get(keyOf(character)) ?? character.text;
}

function currentText() {
  // A word gap before a character reads as a space.
  return reading ? reading.characters.map((c) => (c.spaceBefore ? " " : "") + textOf(c)).join("") : "";
}

function show(result) {
  reading = result;
  const count = result.characters.length;
  if (selected >= count || selected < 0) selected = count - 1;
  render();
  const ms = result.timings.preprocessMs + result.timings.inferenceMs;
  $("#timing").textContent = count ? `${ms.toFixed(1)} ms, ${readerNote(result.reader)}` : "–";
  document.body.dataset.reader = result.reader;
}

function readerNote(reader) {
  if (reader === "joined") return "read joined-up";
  // Asked for joined-up reading, which has not loaded (yet) or read no character.
  if ($("#reading-mode").value === "joined") {
    const why = document.body.dataset.lines === "ready" ? "joined-up reading saw no character" : "joined-up reading is not loaded";
    return `read letter by letter: ${why}`;
  }
  return "read letter by letter";
}

function render() {
  const characters = reading ? reading.characters : [];
  const prediction = $("#prediction");
  prediction.replaceChildren();
  if (!characters.length) prediction.textContent = "–";
  characters.forEach((character, index) => {
    const button = document.createElement("button");
    const picked = picks.has(keyOf(character));
    const text = textOf(character);
    const percent = Math.round(character.confidence * 100);
    button.type = "button";
    button.className = `char ${picked ? "picked" : confidenceClass(character)}`;
    button.textContent = text;
    button.setAttribute("aria-pressed", String(index === selected));
    // The name holds the visible text, as speech control needs ("click 7").
    const state = picked ? "your choice" : character.sure ? `${percent} percent sure` : "unsure";
    button.setAttribute("aria-label", `Character ${index + 1}: ${text}, ${state}`);
    button.addEventListener("click", () => {
      selected = index;
      render();
    });
    if (character.spaceBefore) {
      // A flex container drops bare white space: the gap between words is an element.
      const space = document.createElement("span");
      space.className = "space";
      space.textContent = " ";
      prediction.append(space);
    }
    prediction.append(button);
  });
  $("#copy").disabled = !characters.length;
  showDetails(characters[selected]);
}

function confidenceClass(character) {
  if (!character.sure) return "unsure";
  return character.confidence >= 0.9 ? "sure" : "fair";
}

/** The selected character's alternatives (each a button that picks it) and its preview. */
function showDetails(character) {
  const list = $("#alternatives");
  list.replaceChildren();
  $("#details-title").textContent = character
    ? `Character ${selected + 1}: pick another reading`
    : "Alternatives";
  // The line model reads whole words: its characters have no image of their own.
  const preview = character?.preview;
  $(".preview").hidden = preview?.length === 0;
  drawPreview(preview?.length ? preview : null);
  if (!character) return;
  for (const { label, probability } of character.top) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    const percent = Math.round(probability * 100);
    button.type = "button";
    // Named by its visible text, "7 98%".
    button.innerHTML = `<span class="label"></span> <span class="bar" aria-hidden="true"><span></span></span> <span class="percent"></span>`;
    button.children[0].textContent = label;
    button.children[1].firstChild.style.width = `${Math.max(percent, 1)}%`;
    button.children[2].textContent = `${percent}%`;
    button.setAttribute("aria-pressed", String(textOf(character) === label));
    button.addEventListener("click", () => {
      picks.set(keyOf(character), label);
      render();
    });
    item.append(button);
    list.append(item);
  }
}

async function copyText() {
  const text = currentText();
  try {
    await navigator.clipboard.writeText(text);
    flash(`Copied “${text}”.`);
  } catch (error) {
    flash(`Copying failed (${describe(error)}): select the text and copy it.`);
  }
}

/** Shows `message` in the status line for a few seconds, then what was there before. */
function flash(message) {
  const status = $("#status");
  const before = status.textContent;
  status.textContent = message;
  setTimeout(() => {
    if (status.textContent === message) status.textContent = before;
  }, 3000);
}
$("#copy").addEventListener("click", copyText);

function drawPreview(pixels) {
  const preview = $("#preview").getContext("2d");
  const image = preview.createImageData(28, 28);
  for (let i = 0; i < 28 * 28; i++) {
    const value = pixels ? pixels[i] : 0;
    image.data.set([value, value, value, 255], i * 4);
  }
  preview.putImageData(image, 0, 0);
}

function showBackend(backend, label) {
  if (label) $("#backend").textContent = label;
  document.body.dataset.backend = backend;
}

// ---- start-up -----------------------------------------------------------------------------

function requestedBackend() {
  const backend = new URLSearchParams(location.search).get("backend") ?? "auto";
  return ["auto", "cpu", "webgpu"].includes(backend) ? backend : "auto";
}

// ---- models -------------------------------------------------------------------------------

async function loadManifest() {
  const response = await fetch(MANIFEST_URL);
  if (!response.ok) throw new Error(`cannot load the model list ${MANIFEST_URL}: HTTP ${response.status}`);
  const { models } = await response.json();
  if (!models?.length) throw new Error(`the model list ${MANIFEST_URL} is empty`);
  return models;
}

/**
 * The model named by the address (`?model=digits.bpk`, for links and tests), else the one
 * chosen on an earlier visit if it is still offered, else the first.
 */
function rememberedModel(models) {
  const asked = new URLSearchParams(location.search).get("model");
  const linked = models.find((model) => model.file === asked);
  if (linked) return linked;
  const saved = recall(MODEL_KEY);
  return models.find((model) => model.file === saved) ?? models[0];
}

/** What was saved under `key` on an earlier visit, or null. */
function recall(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: every visit starts with the defaults
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage disabled: the choice lasts for this visit only.
  }
}

function offerModels(models, chosen) {
  const select = $("#model");
  select.replaceChildren(
    ...models.map((model) => {
      const accuracy = model.test_accuracy ? ` · ${(model.test_accuracy * 100).toFixed(2)}%` : "";
      return new Option(`${model.name}${accuracy}`, model.file, false, model === chosen);
    }),
  );
  select.closest(".model-choice").hidden = models.length < 2;
  select.addEventListener("change", () => {
    const model = models.find((m) => m.file === select.value);
    remember(MODEL_KEY, model.file);
    loadModel(model);
  });
}

/** The bytes of a weights file; errors name the file. */
async function fetchWeights(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`cannot load the weights from ${url}: ${describe(error)}`);
  }
  if (!response.ok) throw new Error(`cannot load the weights from ${url}: HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Compiles the CPU build; the worker instantiates it. */
async function compileCpuModule() {
  const response = await fetch(CPU_WASM_URL);
  if (!response.ok) {
    throw new Error(`cannot load ${CPU_WASM_URL}: HTTP ${response.status} (build it: scripts/build-page)`);
  }
  if (response.headers.get("content-type")?.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Loads `model` on the CPU (answering at once), then tries WebGPU in the background. */
async function loadModel(model) {
  const loaded = ++modelGeneration;
  const weightsUrl = new URL(model.file, MANIFEST_URL).href; // files are relative to the list
  const backend = requestedBackend();
  setState("loading", `Loading ${model.name}…`);
  try {
    // The weights download while the module compiles, not after.
    const [bytes] = await Promise.all([fetchWeights(weightsUrl), cpuModuleReady]);
    performance.mark("handwriting:weights-and-module");
    if (loaded !== modelGeneration) return;
    await recognizer.call("load", { bytes: bytes.buffer, origin: weightsUrl, model: loaded }, [bytes.buffer]);
  } catch (error) {
    if (loaded === modelGeneration) setState("error", `The recognizer could not start: ${describe(error)}`);
    return;
  }
  if (loaded !== modelGeneration) return;
  ready = true;
  setState("ready", `Ready: write on the pad (${model.name}).`);
  performance.mark("handwriting:ready");
  recognizeNow();
  if (backend !== "cpu" && "gpu" in navigator) {
    recognizer.call("upgrade", { weightsUrl, mode: backend, model: loaded }).catch((error) => {
      console.info("Staying on the CPU:", describe(error));
      if (backend === "webgpu") $("#backend").textContent = `CPU (WebGPU unavailable: ${describe(error)})`;
    });
  }
}

// ---- joined-up reading -------------------------------------------------------------------

/** The reading mode chosen on an earlier visit; a change reads the drawing again. */
function offerReadingModes() {
  const select = $("#reading-mode");
  const saved = recall(READING_KEY);
  if ([...select.options].some((option) => option.value === saved)) select.value = saved;
  select.addEventListener("change", () => {
    remember(READING_KEY, select.value);
    recognizeNow();
  });
}

/**
 * Loads the line model in the background, once the character model answers. Where it cannot
 * (offline on a first visit, a missing or corrupt file), the page reads letter by letter and
 * says so in a note.
 */
async function loadLineModel() {
  document.body.dataset.lines = "loading";
  try {
    const bytes = await fetchWeights(LINES_URL);
    await recognizer.call("loadLines", { bytes: bytes.buffer, origin: LINES_URL }, [bytes.buffer]);
  } catch (error) {
    document.body.dataset.lines = "unavailable";
    const note = $("#joined-note");
    note.textContent = `Joined-up reading unavailable: ${describe(error)}`;
    note.hidden = false;
    return;
  }
  document.body.dataset.lines = "ready";
  performance.mark("handwriting:lines-ready");
  $("#word-list-choose").disabled = false;
  recognizeNow();
  loadLanguageModel();
}

/**
 * Loads the line model's language model, which settles letters it is unsure of by how likely
 * the text they make is. Without it (a missing or corrupt file) the line model reads as well
 * as the network alone: the console says why.
 */
async function loadLanguageModel() {
  try {
    const bytes = await fetchWeights(LANGUAGE_MODEL_URL);
    ({ words: builtInWords } = await recognizer.call("languageModel", { bytes: bytes.buffer }, [bytes.buffer]));
  } catch (error) {
    document.body.dataset.languageModel = "unavailable";
    console.info("Reading without the language model:", describe(error));
    return;
  }
  document.body.dataset.languageModel = "ready";
  document.dispatchEvent(new Event("languagemodelready"));
  recognizeNow();
}

/** Words the line model holds doubtful words to: a file the user chooses, for this visit. */
function offerWordList() {
  const input = $("#word-list-file");
  /** How many words the list in use holds; 0 for none. */
  let words = 0;
  const counted = (n) => `${n.toLocaleString("en")} word${n === 1 ? "" : "s"}`;
  const say = (text, refused = false) => {
    const status = $("#word-list-status");
    status.textContent = text;
    status.classList.toggle("refused", refused);
  };
  // The worker keeps the list it had.
  const refuse = (reason) => say(words ? `${reason} (still using the previous list: ${counted(words)})` : reason, true);
  const sayInUse = () =>
    say(words ? `word list: ${counted(words)}` : builtInWords ? `built-in English words: ${counted(builtInWords)}` : "no word list");
  document.addEventListener("languagemodelready", sayInUse);
  /** Hands `file`'s bytes to the worker; null drops the list. */
  const use = async (file) => {
    try {
      const bytes = file && (await file.arrayBuffer());
      ({ words } = await recognizer.call("wordList", { bytes }, bytes ? [bytes] : []));
    } catch (error) {
      refuse(describe(error));
      return;
    }
    sayInUse();
    $("#word-list-clear").disabled = !words;
    recognizeNow();
  };
  $("#word-list-choose").addEventListener("click", () => input.click());
  $("#word-list-clear").addEventListener("click", () => use(null));
  input.addEventListener("change", () => {
    const [file] = input.files;
    input.value = ""; // choosing the same file again is a change too
    if (!file) return;
    if (file.size > MAX_WORD_LIST_BYTES) {
      refuse(`${file.name} is too big for a word list (${(file.size / 2 ** 20).toFixed(0)} MiB)`);
      return;
    }
    say(`reading ${file.name}…`);
    use(file);
  });
}

async function start() {
  setState("loading", "Loading the recognizer…");
  resizePad();
  drawPreview(null);
  offerReadingModes();
  offerWordList();
  cpuModuleReady = compileCpuModule().then((module) => recognizer.call("init", { module }));
  cpuModuleReady.catch(() => {}); // reported by loadModel, which awaits it
  let models;
  try {
    models = await loadManifest();
  } catch (error) {
    setState("error", `The recognizer could not start: ${describe(error)}`);
    return;
  }
  const model = rememberedModel(models);
  offerModels(models, model);
  await loadModel(model);
  if (ready) await loadLineModel();
  registerServiceWorker();
}

/**
 * After the first visit, the page, the wasm and the weights come from the cache offline.
 * Registered once the page answers: the worker's install downloads the same files again, which
 * on a first visit would otherwise compete with the page's own downloads.
 */
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(new URL("sw.js", import.meta.url)).catch((error) => {
    console.info("Working online only:", describe(error));
  });
}

start();
