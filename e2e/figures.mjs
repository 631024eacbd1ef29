// Prints the page's figures: module and weights sizes (raw and gzip), time from navigation to
// `ready`, and recognition latency (p50/p95 over 200 runs) on each backend, in headless
// Chromium on 127.0.0.1. A measurement script, not a test: `npm run figures`.

import { readFile, stat } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-vulkan=swiftshader", "--use-angle=swiftshader"];
const RUNS = 200;
/** The model measured: `npm run figures -- FILE`, else the page's default (the first listed). */
const MODELS = JSON.parse(await readFile(join(ROOT, "www", "models", "manifest.json"), "utf8")).models;
const MODEL = process.argv[2] ?? MODELS[0].file;

async function sizes() {
  const files = ["pkg/handwriting_bg.wasm", "pkg/handwriting.js", "pkg/webgpu/handwriting_bg.wasm", ...MODELS.map((m) => `www/models/${m.file}`)];
  for (const file of files) {
    const path = join(ROOT, file);
    try {
      await stat(path);
    } catch {
      console.log(`${file.padEnd(34)} (not built)`);
      continue;
    }
    const bytes = await readFile(path);
    const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(`${file.padEnd(34)} ${kib(bytes.length).padStart(9)} raw  ${kib(gzipSync(bytes, { level: 9 }).length).padStart(9)} gzip`);
  }
}

/** Latency of the page's own module API, in the page, on one backend. */
async function latency(page, backend) {
  return page.evaluate(async ({ backend, runs, model }) => {
    const url = backend === "webgpu" ? "/pkg/webgpu/handwriting.js" : "/pkg/handwriting.js";
    const module = await import(url);
    await module.default();
    const recognizer = await module.Recognizer.load(`/www/models/${model}`, backend);
    const seven = [{ points: [{ x: 40, y: 40 }, { x: 200, y: 40 }, { x: 100, y: 260 }], width: 18 }];
    for (let i = 0; i < 20; i++) await recognizer.recognizeStrokes(seven);
    const times = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await recognizer.recognizeStrokes(seven);
      times.push(performance.now() - start);
    }
    // A line of four characters read in one batch, as the page does.
    const line = [0, 1, 2, 3].map((i) => ({
      points: seven[0].points.map(({ x, y }) => ({ x: x + i * 220, y })),
      width: 18,
    }));
    const lineTimes = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await recognizer.read(line);
      lineTimes.push(performance.now() - start);
    }
    const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(runs * 0.5)], p95: times[Math.floor(runs * 0.95)], lineP50: median(lineTimes) };
  }, { backend, runs: RUNS, model: MODEL });
}

/** Time from navigation until the page runs on `name`, then that backend's latency. */
async function measure(server, name, args, query) {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: [...ARGS, ...args] });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/www/index.html${query}&model=${encodeURIComponent(MODEL)}`);
    await page.waitForFunction(() => document.body.dataset.state !== "loading", null, { timeout: 60_000 });
    if (name === "webgpu" && !(await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter())))) {
      console.log("webgpu  no adapter in this browser");
      return;
    }
    // The page switches to WebGPU by itself once that module answers.
    await page.waitForFunction((b) => document.body.dataset.backend === b, name, { timeout: 120_000 });
    const ready = await page.evaluate(() => performance.now());
    // The page's own marks (www/app.js): where the start-up time goes.
    const marks = await page.evaluate(() => performance.getEntriesByType("mark").map((m) => `${m.name} ${m.startTime.toFixed(0)} ms`));
    if (marks.length) console.log(`${name.padEnd(7)} start-up marks: ${marks.join(", ")}`);
    const { p50, p95, lineP50 } = await latency(page, name);
    console.log(`${name.padEnd(7)} navigation→answering ${ready.toFixed(0)} ms   latency p50 ${p50.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms  (${RUNS} runs)   4-character line p50 ${lineP50.toFixed(2)} ms`);
  } finally {
    await browser.close();
  }
}

const server = await serve(ROOT);
try {
  console.log(`figures of ${new Date().toISOString()}, model ${MODEL}, Chromium at /usr/bin/chromium, 127.0.0.1`);
  await sizes();
  await measure(server, "cpu", [], "?backend=cpu");
  await measure(server, "webgpu", WEBGPU_ARGS, "?backend=webgpu");
} finally {
  await server.close();
}
