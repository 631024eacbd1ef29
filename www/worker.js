// The recognizer, in a module worker: reading a long line with a big model takes the worker's
// time, never the page's, so strokes stay smooth while it reads.
//
// It holds the character recognizer on the CPU and, where the page asks for it and the browser
// has WebGPU, on WebGPU too; any WebGPU failure falls back to the CPU, which stays loaded.
// Beside it, once the page sends its weights, the line recognizer, which reads whole words
// (joined-up or printed) without cutting them into characters. It runs on the CPU only: WebGPU
// for the line model is not wired yet.
//
// Messages from the page: { id, type, ...arguments }; each gets one reply, { id, value } or
// { id, error } (a message: errors cross as text). Types:
//   init     { module }                   the CPU build's compiled WebAssembly.Module
//   load     { bytes, origin }            weights (an ArrayBuffer) onto the CPU; replaces the
//                                        model, frees the previous one
//   read     { drawing, mode }            reads the strokes: `Recognizer.read`'s object plus
//                                        `reader`, "letters" or "joined", which model answered.
//                                        `mode`: "letters" (the character model), "joined"
//                                        (the line model; until it is loaded, the character
//                                        model) or "auto" (the character model's reading
//                                        unless the line model finds its own clearly likelier)
//   loadLines { bytes, origin }          the line model's weights onto the CPU; replaces it
//   wordList { bytes }                   a word list for the line model (UTF-8, one word a
//                                        line) → { words }; `bytes: null` drops it
//   languageModel { bytes }              the line model's language model (a .lm file)
//                                        → { words }, how many its lexicon holds
//   upgrade  { weightsUrl, mode, model }  tries WebGPU ("auto": keep it only if faster here);
//                                        `model` is the page's count of model loads
// Unasked, { type: "backend", backend, label } whenever the recognizer in use changes.

import initCpu, { LineRecognizer, Recognizer as CpuRecognizer } from "../pkg/handwriting.js";

const WEBGPU_MODULE_URL = new URL("../pkg/webgpu/handwriting.js", import.meta.url).href;

let cpu = null;
let gpu = null;
let active = null;
/** The page's count of model loads when the current CPU model was loaded. */
let loadedModel = 0;
/** Whether the character model reads letters: "auto" never answers a digits model's doubt with letters. */
let readsLetters = false;
let lines = null;
/** The word list and language model in use, kept to hand to a line model that replaces this one. */
let wordList = null;
let languageModel = null;

/**
 * Loads, reads and swaps of the recognizer run one at a time, in order, so that no recognizer
 * is freed while it reads. A WebGPU upgrade downloads and compiles outside this queue.
 */
let queue = Promise.resolve();
function exclusive(task) {
  const result = queue.then(task);
  queue = result.catch(() => {});
  return result;
}

function announce(recognizer, label) {
  active = recognizer;
  self.postMessage({ type: "backend", backend: recognizer.backend, label });
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

const handlers = {
  init: ({ module }) => exclusive(() => initCpu({ module_or_path: module }).then(() => undefined)),

  load: ({ bytes, origin, model }) =>
    exclusive(async () => {
      const next = await CpuRecognizer.fromBytes(new Uint8Array(bytes), origin, "cpu");
      if (gpu) gpu.free();
      if (cpu) cpu.free();
      gpu = null;
      cpu = next;
      loadedModel = model;
      readsLetters = cpu.labels.some((label) => /\p{L}/u.test(label));
      announce(cpu, "CPU");
      return { labels: cpu.labels };
    }),

  // "auto": the line model weighs the character reading against its own, which it replaces
  // only where it finds its own clearly likelier (`LineRecognizer.readAgainst`; measured in
  // tests/unipen_reading.rs).
  read: ({ drawing, mode = "auto" }) =>
    exclusive(async () => {
      if (lines && mode === "joined") return readJoined(drawing);
      const started = performance.now();
      const letters = { ...(await readLetters(drawing)), reader: "letters" };
      if (!(lines && mode === "auto" && readsLetters)) return letters;
      const joined = await lines.readAgainst(drawing, letters.text);
      return timedSince(started, joined === null ? letters : { ...joined, reader: "joined" });
    }),

  loadLines: async ({ bytes, origin }) => {
    const next = await LineRecognizer.fromBytes(new Uint8Array(bytes), origin, "cpu");
    return exclusive(() => {
      if (wordList) next.setWordList(wordList);
      if (languageModel) next.setLanguageModel(languageModel);
      if (lines) lines.free();
      lines = next;
      return {};
    });
  },

  wordList: ({ bytes }) =>
    exclusive(() => {
      if (!lines) throw new Error("joined-up reading is not loaded");
      if (bytes === null) {
        lines.clearWordList();
        wordList = null;
        return { words: 0 };
      }
      const list = new Uint8Array(bytes);
      const words = lines.setWordList(list); // a list it refuses throws, and the previous one stays
      wordList = list;
      return { words };
    }),

  languageModel: ({ bytes }) =>
    exclusive(() => {
      if (!lines) throw new Error("joined-up reading is not loaded");
      const model = new Uint8Array(bytes);
      const words = lines.setLanguageModel(model); // a file it refuses throws, and the previous model stays
      languageModel = model;
      return { words };
    }),

  upgrade: async ({ weightsUrl, mode, model }) => {
    if (!("gpu" in navigator)) throw new Error("this browser has no WebGPU");
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error("the browser offers no WebGPU adapter");
    const gpuModule = await import(WEBGPU_MODULE_URL);
    await gpuModule.default();
    const candidate = await gpuModule.Recognizer.load(weightsUrl, "webgpu");
    return exclusive(async () => {
      if (model !== loadedModel) {
        candidate.free(); // another model was loaded meanwhile
        return { backend: active?.backend, label: null };
      }
      if (mode === "auto") {
        const [gpuMs, cpuMs] = [await medianLatency(candidate), await medianLatency(cpu)];
        if (gpuMs >= cpuMs) {
          candidate.free();
          const label = `CPU (faster here than WebGPU: ${cpuMs.toFixed(1)} vs ${gpuMs.toFixed(1)} ms)`;
          announce(cpu, label);
          return { backend: "cpu", label };
        }
      }
      gpu = candidate;
      announce(gpu, "WebGPU");
      return { backend: "webgpu", label: "WebGPU" };
    });
  },
};

/** The character model's reading; a WebGPU failure reads again on the CPU, for good. */
async function readLetters(drawing) {
  if (!active) throw new Error("no model is loaded");
  try {
    return await active.read(drawing);
  } catch (error) {
    if (active === cpu) throw error;
    console.warn("WebGPU failed; continuing on the CPU", error);
    announce(cpu, "CPU (WebGPU failed)");
    return cpu.read(drawing);
  }
}

/**
 * The line model's reading; where it reads drawn ink as nothing (it may, for a lone stroke
 * such as a 0 or a 1), the character model's, as "auto" does.
 */
async function readJoined(drawing) {
  const started = performance.now();
  const joined = await lines.read(drawing);
  if (joined.text.trim() !== "") return { ...joined, reader: "joined" };
  return timedSince(started, { ...(await readLetters(drawing)), reader: "letters" });
}

/**
 * `answer`, timed from `started`: an answer that waited for both models shows their time
 * together, whichever model's reading it is.
 */
function timedSince(started, answer) {
  const { preprocessMs } = answer.timings;
  const inferenceMs = performance.now() - started - preprocessMs;
  return { ...answer, timings: { preprocessMs, inferenceMs } };
}

/** Median time of a few recognitions of a sample drawing, in milliseconds. */
async function medianLatency(recognizer) {
  const sample = [{ points: [{ x: 10, y: 10 }, { x: 90, y: 10 }, { x: 40, y: 100 }], width: 8 }];
  const times = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    await recognizer.read(sample);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[3];
}

self.addEventListener("message", async ({ data }) => {
  const { id, type } = data;
  const handler = handlers[type];
  try {
    if (!handler) throw new Error(`unknown request "${type}"`);
    self.postMessage({ id, value: await handler(data) });
  } catch (error) {
    self.postMessage({ id, error: describe(error) });
  }
});
