// The page: a drawing pad, live recognition, and the backend switch-over.
//
// The small CPU build answers first; where the browser has WebGPU, the larger WebGPU build
// loads in the background and takes over once it works. Any WebGPU failure falls back to
// the CPU recognizer, which stays loaded, and the drawing is kept.

import initCpu, { Recognizer as CpuRecognizer } from "../pkg/handwriting.js";

const WEIGHTS_URL = new URL("models/digits.bpk", import.meta.url).href;
const WEBGPU_MODULE_URL = new URL("../pkg/webgpu/handwriting.js", import.meta.url).href;
/** Live recognition while drawing runs at most this often. */
const LIVE_INTERVAL_MS = 120;
/** Pen width in CSS pixels, relative to a 300-pixel pad. */
const PEN_WIDTH = 18 / 300;

const $ = (selector) => document.querySelector(selector);
const pad = $("#pad");
const ctx = pad.getContext("2d");

const strokes = [];
let current = null;
let cpu = null;
let active = null;
let generation = 0;
let inFlight = false;
let queued = false;
let liveTimer = 0;

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
  const base = PEN_WIDTH * pad.getBoundingClientRect().width;
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
  if (!active) return;
  if (inFlight) {
    queued = true;
    return;
  }
  inFlight = true;
  const request = ++generation;
  const drawing = strokes.map(({ points, width }) => ({ points, width }));
  try {
    const result = await recognizeWithFallback(drawing);
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

async function recognizeWithFallback(drawing) {
  try {
    return await active.recognizeStrokes(drawing);
  } catch (error) {
    if (active === cpu) throw error;
    console.warn("WebGPU failed; continuing on the CPU", error);
    useRecognizer(cpu, "CPU (WebGPU failed)");
    return cpu.recognizeStrokes(drawing);
  }
}

function show(result) {
  const prediction = $("#prediction");
  const list = $("#alternatives");
  list.replaceChildren();
  if (result.label === null || result.label === undefined) {
    prediction.textContent = "–";
    drawPreview(null);
    $("#timing").textContent = "–";
    return;
  }
  prediction.textContent = result.label;
  for (const { label, probability } of result.top) {
    const item = document.createElement("li");
    const percent = Math.round(probability * 100);
    item.innerHTML = `<span></span><span class="bar"><span></span></span><span class="percent"></span>`;
    item.children[0].textContent = label;
    item.children[1].firstChild.style.width = `${Math.max(percent, 1)}%`;
    item.children[2].textContent = `${percent}%`;
    item.setAttribute("aria-label", `${label}: ${percent} percent`);
    list.append(item);
  }
  drawPreview(result.preview);
  const ms = result.timings.preprocessMs + result.timings.inferenceMs;
  $("#timing").textContent = `${ms.toFixed(1)} ms`;
}

function drawPreview(pixels) {
  const preview = $("#preview").getContext("2d");
  const image = preview.createImageData(28, 28);
  for (let i = 0; i < 28 * 28; i++) {
    const value = pixels ? pixels[i] : 0;
    image.data.set([value, value, value, 255], i * 4);
  }
  preview.putImageData(image, 0, 0);
}

function useRecognizer(recognizer, label) {
  active = recognizer;
  $("#backend").textContent = label;
  document.body.dataset.backend = recognizer.backend;
}

// ---- start-up -----------------------------------------------------------------------------

function requestedBackend() {
  const backend = new URLSearchParams(location.search).get("backend") ?? "auto";
  return ["auto", "cpu", "webgpu"].includes(backend) ? backend : "auto";
}

/** Median time of a few recognitions of a sample drawing, in milliseconds. */
async function medianLatency(recognizer) {
  const sample = [{ points: [{ x: 10, y: 10 }, { x: 90, y: 10 }, { x: 40, y: 100 }], width: 8 }];
  const times = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    await recognizer.recognizeStrokes(sample);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[3];
}

/**
 * Loads the WebGPU build in the background. Asked for explicitly, it takes over once it
 * answers; in `auto` mode only if it is also faster than the CPU here (a software adapter, or
 * a GPU's dispatch overhead on a network this small, can make it slower).
 */
async function upgradeToWebGpu(backend) {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error("the browser offers no WebGPU adapter");
  const gpuModule = await import(WEBGPU_MODULE_URL);
  await gpuModule.default();
  const gpu = await gpuModule.Recognizer.load(WEIGHTS_URL, "webgpu");
  if (backend === "auto") {
    const [gpuMs, cpuMs] = [await medianLatency(gpu), await medianLatency(cpu)];
    if (gpuMs >= cpuMs) {
      $("#backend").textContent = `CPU (faster here than WebGPU: ${cpuMs.toFixed(1)} vs ${gpuMs.toFixed(1)} ms)`;
      return;
    }
  }
  useRecognizer(gpu, "WebGPU");
  recognizeNow();
}

async function start() {
  setState("loading", "Loading the recognizer…");
  resizePad();
  drawPreview(null);
  const backend = requestedBackend();
  try {
    await initCpu();
    cpu = await CpuRecognizer.load(WEIGHTS_URL, "cpu");
  } catch (error) {
    setState("error", `The recognizer could not start: ${describe(error)}`);
    return;
  }
  useRecognizer(cpu, "CPU");
  setState("ready", "Ready: draw a digit.");
  recognizeNow();
  if (backend !== "cpu" && "gpu" in navigator) {
    upgradeToWebGpu(backend).catch((error) => {
      console.info("Staying on the CPU:", describe(error));
      if (backend === "webgpu") $("#backend").textContent = `CPU (WebGPU unavailable: ${describe(error)})`;
    });
  }
}

start();
