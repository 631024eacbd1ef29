// The page as a user meets it: served on 127.0.0.1, digits drawn with real mouse strokes in
// Debian's Chromium, on the CPU backend and on WebGPU where the browser offers an adapter.
// The page opens on the digits model (`?model=digits.bpk`), whatever the default.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
import { writeWords } from "./words.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUTPUT = join(ROOT, "e2e", "output");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const BASE_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
/** The page, on the model whose strokes the tests draw. */
const PAGE = "/www/index.html?model=digits.bpk";
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
// A software Vulkan adapter (SwiftShader) gives headless Chromium a WebGPU adapter.
const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-vulkan=swiftshader", "--use-angle=swiftshader"];

/** Digits as strokes in a unit box, drawn the way people draw them, and a scribble that is no
 * digit (shared with the Rust tests). */
const { digits: DIGITS, scribble: SCRIBBLE } = JSON.parse(
  readFileSync(join(ROOT, "tests", "fixtures", "digit-strokes.json"), "utf8"),
);

let server;
before(async () => {
  server = await serve(ROOT);
  await mkdir(OUTPUT, { recursive: true });
});
after(() => server?.close());

/**
 * Opens the page at `path` in a browser started with `args`; `prepare(page)` runs before the
 * page loads (to route its requests).
 */
async function openPage({ args = [], path = PAGE, prepare, site = server } = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...args] });
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  if (prepare) await prepare(page);
  await page.goto(`${site.url}${path}`);
  return { browser, page, problems };
}

/** A `prepare` for `openPage` that serves the recognizer's worker with `prologue` before it. */
function prependToWorker(prologue) {
  return (page) =>
    page.route("**/www/worker.js", async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: prologue + (await response.text()) });
    });
}

async function waitForState(page, state) {
  await page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout: 30_000 });
}

/**
 * Waits until the line model has loaded ("ready", with its language model, which loads just
 * after, so that readings are the page's settled ones) or given up ("unavailable").
 */
async function waitForLines(page, state) {
  await page.waitForFunction((s) => document.body.dataset.lines === s, state, { timeout: 60_000 });
  if (state === "ready") {
    await page.waitForFunction(() => document.body.dataset.languageModel === "ready", null, { timeout: 60_000 });
  }
}

/** Waits until `selector`'s text matches `pattern`. */
async function waitForText(page, selector, pattern) {
  try {
    await page.waitForFunction(
      ([selector, source, flags]) => new RegExp(source, flags).test(document.querySelector(selector).textContent),
      [selector, pattern.source, pattern.flags],
      { timeout: 30_000 },
    );
  } catch {
    assert.fail(`expected ${selector} to match ${pattern}, it shows "${await page.locator(selector).textContent()}"`);
  }
}

/**
 * Draws `digit` with the mouse at (`left`, `top`), fractions of the pad's width and height,
 * `size` (a fraction of the pad's height) tall.
 */
async function draw(page, digit, placement = {}) {
  await drawStrokes(page, DIGITS[digit], placement);
}

async function drawStrokes(page, strokes, { left = 0.3, top = 0.15, size = 0.6 } = {}) {
  // Clicking lower on the page may have scrolled the pad partly out of view.
  await page.locator("#pad").evaluate((pad) => pad.scrollIntoView({ block: "center" }));
  const box = await page.locator("#pad").boundingBox();
  const at = ([x, y]) => [box.x + left * box.width + x * size * box.height, box.y + (top + y * size) * box.height];
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps: 6 });
    await page.mouse.up();
  }
}

/** Writes `text` left to right, each digit `advance` (a fraction of its height) after the last. */
async function write(page, text, { left = 0.05, top = 0.2, size = 0.55, advance = 0.8 } = {}) {
  const { width, height } = await page.locator("#pad").boundingBox();
  for (const [i, digit] of [...text].entries()) {
    await draw(page, digit, { left: left + (i * advance * size * height) / width, top, size });
  }
}

/** Waits until the page shows `label`, read by `reader` ("letters" or "joined") if given. */
async function expectPrediction(page, label, reader) {
  try {
    await page.waitForFunction(
      ([l, r]) => document.querySelector("#prediction").textContent === l && (!r || document.body.dataset.reader === r),
      [label, reader],
      { timeout: 5_000 },
    );
  } catch {
    const actual = await page.locator("#prediction").textContent();
    const by = await page.evaluate(() => document.body.dataset.reader);
    assert.fail(`expected "${label}"${reader ? ` read by ${reader}` : ""}, the page shows "${actual}" read by ${by}`);
  }
}

describe("on the CPU backend, in a browser without WebGPU", () => {
  let browser, page, problems;
  before(async () => {
    // Without --enable-unsafe-webgpu, headless Chromium offers no WebGPU adapter: the page
    // must choose the CPU by itself.
    ({ browser, page, problems } = await openPage());
    await waitForState(page, "ready");
  });
  after(() => browser?.close());

  test("reports the CPU backend", async () => {
    assert.match(await page.locator("#backend").textContent(), /^CPU/);
  });

  for (const [digit, placement] of [
    ["0", { left: 0.25, top: 0.2, size: 0.55 }],
    ["1", { left: 0.05, top: 0.05, size: 0.3 }],
    ["4", { left: 0.3, top: 0.25, size: 0.7 }],
    ["7", { left: 0.55, top: 0.5, size: 0.4 }],
  ]) {
    test(`reads a drawn ${digit}`, async () => {
      await page.keyboard.press("Escape");
      await draw(page, digit, placement);
      await expectPrediction(page, digit);
      const bars = await page.locator("#alternatives button").count();
      assert.equal(bars, 3);
    });
  }

  for (const [text, placement] of [
    ["2026", { left: 0.05, top: 0.2, size: 0.6, advance: 0.85 }],
    ["8675309", { left: 0.03, top: 0.3, size: 0.4, advance: 0.78 }],
  ]) {
    test(`reads ${text} written in one go`, async () => {
      await page.keyboard.press("Escape");
      await write(page, text, placement);
      await expectPrediction(page, text);
      assert.equal(await page.locator("#prediction .char").count(), text.length);
    });
  }

  test("a scribble reads as unsure", async () => {
    await page.keyboard.press("Escape");
    await drawStrokes(page, SCRIBBLE, { left: 0.35, top: 0.1, size: 0.8 });
    await expectPrediction(page, "?");
    assert.match(await page.locator("#prediction .char").getAttribute("class"), /unsure/);
  });

  test("a character's alternative can be picked, and Copy copies the text", async () => {
    await page.keyboard.press("Escape");
    await write(page, "17");
    await expectPrediction(page, "17");
    await page.locator("#prediction .char").first().click();
    const second = page.locator("#alternatives button").nth(1);
    const label = (await second.locator(".label").textContent()).trim();
    await second.click();
    await expectPrediction(page, `${label}7`);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.click("#copy");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${label}7`);
  });

  test("undo removes the last stroke and clear empties the pad", async () => {
    await page.keyboard.press("Escape");
    await draw(page, "4");
    await expectPrediction(page, "4");
    await page.click("#clear");
    await expectPrediction(page, "–");
    await draw(page, "1");
    await expectPrediction(page, "1");
    await draw(page, "0", { left: 0.5, top: 0.1, size: 0.45 });
    await page.click("#undo");
    await expectPrediction(page, "1");
    await page.keyboard.press("Control+z");
    await expectPrediction(page, "–");
    await draw(page, "7");
    await expectPrediction(page, "7");
    await page.screenshot({ path: join(OUTPUT, "page.png"), fullPage: true });
    await page.keyboard.press("Escape");
    await expectPrediction(page, "–");
    assert.deepEqual(problems, []);
  });
});

describe("on the default model, letter by letter and joined-up", () => {
  const CURSIVE_WORD = "mist";
  // The recognizer's worker, served with a prologue that counts the readings the line model
  // answers.
  const countJoinedReplies = `self.joinedReplies = 0;
{
  const post = self.postMessage.bind(self);
  self.postMessage = (message, ...rest) => {
    if (message?.value?.reader === "joined") self.joinedReplies++;
    post(message, ...rest);
  };
}
`;
  let browser, page, problems;
  const joinedReplies = () => page.workers().find((w) => w.url().endsWith("/www/worker.js")).evaluate(() => self.joinedReplies);
  before(async () => {
    ({ browser, page, problems } = await openPage({ path: "/www/index.html", prepare: prependToWorker(countJoinedReplies) }));
    await waitForState(page, "ready");
    assert.match(await page.locator("#model").inputValue(), /characters/);
  });
  after(() => browser?.close());

  test("the line model loads after the character model answers", async () => {
    await waitForLines(page, "ready");
    const { ready, requested } = await page.evaluate(() => ({
      ready: performance.getEntriesByName("handwriting:ready")[0].startTime,
      requested: performance.getEntriesByName(new URL("models/lines.bpk", location.href).href)[0].startTime,
    }));
    assert.ok(requested > ready, `lines.bpk requested at ${requested} ms, the page ready at ${ready} ms`);
    assert.equal(await page.locator("#word-list-choose").isEnabled(), true);
  });

  // Two words by UNIPEN writers the characters model never trained on, that the library reads
  // right (tests/unipen_reading.rs reads all 40 of the fixture), replayed with the mouse, a
  // word gap between them.
  test("letter by letter, it reads words in print, case and the space between them included, and never asks the line model", async () => {
    await page.selectOption("#reading-mode", "letters");
    await page.keyboard.press("Escape");
    await writeWords(page, ["world", "Table"]);
    await expectPrediction(page, "world Table", "letters");
    assert.equal(await joinedReplies(), 0);
    assert.match(await page.locator("#timing").textContent(), /read letter by letter$/);
  });

  // The same words in auto: the line model weighs them too, and the characters model's
  // reading, its capital and its word gap (which the line model reads poorly), stands.
  test("in auto, words in print keep the characters model's reading", async () => {
    await page.selectOption("#reading-mode", "auto");
    await page.keyboard.press("Escape");
    await writeWords(page, ["world", "Table"]);
    await expectPrediction(page, "world Table", "letters");
    assert.match(await page.locator("#timing").textContent(), /read letter by letter$/);
    await page.screenshot({ path: join(OUTPUT, "page-auto.png"), fullPage: true });
  });

  // A cursive word by a UNIPEN writer neither model trained on (tests/unipen_reading.rs reads
  // the whole fixture): letter by letter it falls apart, unsure, so auto hands it over.
  test("in auto, a joined-up word the characters model is unsure of is read by the line model", async () => {
    await page.selectOption("#reading-mode", "auto");
    await page.keyboard.press("Escape");
    await writeWords(page, [CURSIVE_WORD], { fixture: "cursive.json" });
    await expectPrediction(page, CURSIVE_WORD, "joined");
    assert.match(await page.locator("#timing").textContent(), /read joined-up$/);
  });

  test("joined-up, it reads a cursive word whole", async () => {
    await page.selectOption("#reading-mode", "joined");
    await page.keyboard.press("Escape");
    await writeWords(page, [CURSIVE_WORD], { fixture: "cursive.json" });
    await expectPrediction(page, CURSIVE_WORD, "joined");
    // Its characters have no image of their own: the preview is hidden, the alternatives shown.
    await page.locator("#prediction .char").first().click();
    assert.equal(await page.locator(".preview").isHidden(), true);
    assert.ok((await page.locator("#alternatives button").count()) > 0);
    await page.screenshot({ path: join(OUTPUT, "page-joined.png"), fullPage: true });
  });

  // The line model reads this lone "1" as nothing, as it may a lone stroke: in auto the
  // characters model's reading stands, and joined-up shows it and says why.
  test("a lone 1 is read as a character, never as nothing, in auto and joined-up", async () => {
    for (const mode of ["auto", "joined"]) {
      await page.selectOption("#reading-mode", mode);
      await page.keyboard.press("Escape");
      await draw(page, "1");
      await expectPrediction(page, "1", "letters");
    }
    assert.match(await page.locator("#timing").textContent(), /read letter by letter: joined-up reading saw no character$/);
  });

  test("the reading mode chosen is remembered", async () => {
    await page.reload();
    await waitForState(page, "ready");
    assert.equal(await page.locator("#reading-mode").inputValue(), "joined");
    assert.deepEqual(problems, []);
  });
});

test("the page draws while the recognizer is busy, then reads the latest drawing", async () => {
  // The recognizer's worker, served with a prologue that holds its first reading of ink on a
  // synchronous request until the test answers it: the worker is blocked, the page must not be.
  const holdFirstReading = `let held = false;
self.addEventListener("message", ({ data }) => {
  if (data.type !== "read" || held || !data.drawing.length) return;
  held = true;
  const request = new XMLHttpRequest();
  request.open("GET", "/hold-reading", false);
  request.send();
});
`;
  let holding;
  const held = new Promise((resolve) => (holding = resolve));
  let release;
  const released = new Promise((resolve) => (release = resolve));
  // Answered by the server, not a Playwright route: routes do not see a worker's synchronous
  // requests.
  const site = await serve(ROOT, {}, {
    "/hold-reading": async (request, response) => {
      holding();
      await released;
      response.writeHead(204).end();
    },
  });
  const { browser, page, problems } = await openPage({ prepare: prependToWorker(holdFirstReading), site });
  try {
    await waitForState(page, "ready");
    await draw(page, "1", { left: 0.05, top: 0.2, size: 0.55 });
    await Promise.race([held, page.waitForTimeout(30_000).then(() => assert.fail("the worker never asked"))]);
    // The worker is stuck in the reading of "1"; the page still takes and draws strokes. The
    // 7 follows at a character's advance, as in "17" (a wider gap would be a space).
    const { width, height } = await page.locator("#pad").boundingBox();
    const seven = 0.05 + (0.8 * 0.55 * height) / width;
    await draw(page, "7", { left: seven, top: 0.2, size: 0.55 });
    const inked = await page.evaluate((seven) => {
      const pad = document.querySelector("#pad");
      const { data } = pad.getContext("2d").getImageData(pad.width * (seven + 0.05), 0, pad.width * 0.2, pad.height);
      return data.some((value, i) => i % 4 === 3 && value > 0);
    }, seven);
    assert.ok(inked, "the 7 was not drawn while the recognizer was busy");
    assert.equal(await page.locator("#prediction").textContent(), "–");
    release();
    await expectPrediction(page, "17");
    assert.deepEqual(problems, []);
  } finally {
    release();
    await browser.close();
    await site.close();
  }
});

test("a missing or corrupt weights file shows why in the page", async () => {
  const weights = readFileSync(join(ROOT, "www", "models", "digits.bpk"));
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Buffer.from("JFIF\0 a photo")]);
  const cases = [
    { name: "a 404", reply: { status: 404, body: "gone" }, message: /404/ },
    { name: "a JPEG renamed", reply: { status: 200, body: jpeg }, message: /not a Burn weights/ },
    { name: "half a file", reply: { status: 200, body: weights.subarray(0, weights.length >> 1) }, message: /cannot load weights/ },
    { name: "an empty file", reply: { status: 200, body: Buffer.alloc(0) }, message: /empty/ },
  ];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS });
  try {
    for (const { name, reply, message } of cases) {
      // Requests a service worker makes would bypass the route below.
      const page = await browser.newPage({ serviceWorkers: "block" });
      await page.route("**/models/digits.bpk", (route) => route.fulfill(reply));
      await page.goto(`${server.url}${PAGE}`);
      await waitForState(page, "error");
      assert.match(await page.locator("#status").textContent(), message, name);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});

test("without the line model the page reads letter by letter and says why, calmly", async () => {
  const characterModel = readFileSync(join(ROOT, "www", "models", "digits.bpk"));
  const cases = [
    { name: "a 404", reply: { status: 404, body: "gone" }, message: /404/ },
    { name: "a character model", reply: { status: 200, body: characterModel }, message: /holds a character model/ },
  ];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS });
  try {
    for (const { name, reply, message } of cases) {
      // Requests a service worker makes would bypass the route below.
      const page = await browser.newPage({ serviceWorkers: "block" });
      await page.route("**/models/lines.bpk", (route) => route.fulfill(reply));
      await page.goto(`${server.url}${PAGE}`);
      await waitForState(page, "ready");
      await page.selectOption("#reading-mode", "joined");
      await waitForLines(page, "unavailable");
      await waitForText(page, "#joined-note", /^Joined-up reading unavailable: /);
      assert.match(await page.locator("#joined-note").textContent(), message, name);
      await write(page, "42");
      await expectPrediction(page, "42", "letters");
      assert.match(await page.locator("#timing").textContent(), /joined-up reading is not loaded/, name);
      assert.equal(await page.evaluate(() => document.body.dataset.state), "ready", name);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});

test("with a damaged language model the line model reads on without it", async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS });
  try {
    const page = await browser.newPage({ serviceWorkers: "block" });
    await page.route("**/models/lines.lm", (route) => route.fulfill({ status: 200, body: "HWLM\x01 cut short" }));
    await page.goto(`${server.url}${PAGE}`);
    await waitForState(page, "ready");
    await page.waitForFunction(() => document.body.dataset.languageModel === "unavailable", null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.lines), "ready");
    await page.selectOption("#reading-mode", "joined");
    await writeWords(page, ["mist"], { fixture: "cursive.json" });
    await expectPrediction(page, "mist", "joined");
    assert.equal(await page.evaluate(() => document.body.dataset.state), "ready");
    assert.equal(await page.locator("#joined-note").isHidden(), true);
  } finally {
    await browser.close();
  }
});

test("a word list the line model cannot use is refused with its reason, and the page reads on", async () => {
  const { browser, page, problems } = await openPage();
  try {
    await waitForState(page, "ready");
    await waitForLines(page, "ready");
    await waitForText(page, "#word-list-status", /^built-in English words: [\d,]+ words$/);
    const choose = (name, buffer) => page.setInputFiles("#word-list-file", { name, mimeType: "text/plain", buffer });
    await choose("empty.txt", Buffer.alloc(0));
    await waitForText(page, "#word-list-status", /^the word list has no words$/);
    await choose("words.txt", Buffer.from("hello\nworld\n"));
    await waitForText(page, "#word-list-status", /^word list: 2 words$/);
    assert.equal(await page.locator("#word-list-clear").isEnabled(), true);
    await choose("latin1.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await waitForText(page, "#word-list-status", /^the word list is not UTF-8 text .*\(still using the previous list: 2 words\)$/);
    await page.click("#word-list-clear");
    await waitForText(page, "#word-list-status", /^built-in English words: [\d,]+ words$/);
    await write(page, "42");
    await expectPrediction(page, "42");
    assert.equal(await page.evaluate(() => document.body.dataset.state), "ready");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("on WebGPU where the browser offers an adapter", async (t) => {
  // Asked for explicitly: in `auto` mode the page keeps the CPU when the (here software)
  // adapter is slower.
  const { browser, page } = await openPage({ args: WEBGPU_ARGS, path: `${PAGE}&backend=webgpu` });
  try {
    await waitForState(page, "ready");
    const adapter = await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter()));
    if (!adapter) {
      t.skip("this headless Chromium offers no WebGPU adapter");
      return;
    }
    await page.waitForFunction(() => document.body.dataset.backend === "webgpu", null, { timeout: 120_000 });
    assert.equal(await page.locator("#backend").textContent(), "WebGPU");
    await draw(page, "7");
    await expectPrediction(page, "7");
    await page.screenshot({ path: join(OUTPUT, "page-webgpu.png") });
  } finally {
    await browser.close();
  }
});

test("in auto mode the page keeps whichever backend answers faster", async (t) => {
  const { browser, page } = await openPage({ args: WEBGPU_ARGS });
  try {
    await waitForState(page, "ready");
    if (!(await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter())))) {
      t.skip("this headless Chromium offers no WebGPU adapter");
      return;
    }
    await page.waitForFunction(() => document.querySelector("#backend").textContent !== "CPU", null, { timeout: 120_000 });
    const backend = await page.locator("#backend").textContent();
    assert.match(backend, /^(WebGPU|CPU \(faster here than WebGPU: [\d.]+ vs [\d.]+ ms\))$/);
    await draw(page, "4");
    await expectPrediction(page, "4");
  } finally {
    await browser.close();
  }
});

test("after one visit the page works with the server stopped", async () => {
  const site = await serve(ROOT);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
    await page.goto(`${site.url}${PAGE}`);
    await waitForState(page, "ready");
    // The worker has cached the shell and the weights once it is active.
    await page.evaluate(async () => (await navigator.serviceWorker.ready).active.state);
    await site.close();
    await page.reload();
    await waitForState(page, "ready");
    await write(page, "42");
    await expectPrediction(page, "42");
    await waitForLines(page, "ready");
  } finally {
    await browser.close();
    await site.close();
  }
});

test("under a strict CSP header the page works, violates nothing and asks no other origin", async () => {
  const policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
  const site = await serve(ROOT, { "content-security-policy": policy });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
    const violations = [];
    const foreign = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    page.on("request", (request) => {
      if (new URL(request.url()).origin !== site.url) foreign.push(request.url());
    });
    await page.exposeFunction("reportViolation", (text) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) =>
        window.reportViolation(`${event.violatedDirective}: ${event.blockedURI}`),
      );
    });
    await page.goto(`${site.url}${PAGE}`);
    await waitForState(page, "ready");
    await write(page, "31");
    await expectPrediction(page, "31");
    await page.locator("#prediction .char").first().click();
    assert.deepEqual(violations, []);
    assert.deepEqual(foreign, []);
  } finally {
    await browser.close();
    await site.close();
  }
});

test("a GPU device lost mid-session hands the drawing to the CPU", async (t) => {
  // The recognizer's worker, served with a prologue that keeps a handle on every GPU device it
  // creates, so that the test can lose them.
  const recordDevices = `if (self.GPUAdapter) {
    self.gpuDevices = [];
    const requestDevice = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (...args) {
      const device = await requestDevice.apply(this, args);
      self.gpuDevices.push(device);
      return device;
    };
  }
`;
  const { browser, page } = await openPage({
    args: WEBGPU_ARGS,
    path: `${PAGE}&backend=webgpu`,
    prepare: prependToWorker(recordDevices),
  });
  try {
    await waitForState(page, "ready");
    if (!(await page.evaluate(async () => Boolean(await navigator.gpu?.requestAdapter())))) {
      t.skip("this headless Chromium offers no WebGPU adapter");
      return;
    }
    await page.waitForFunction(() => document.body.dataset.backend === "webgpu", null, { timeout: 120_000 });
    const worker = page.workers().find((w) => w.url().endsWith("/www/worker.js"));
    assert.ok(worker, "no recognizer worker");
    // What a driver reset or an unplugged GPU does to every device the recognizer holds.
    assert.ok(await worker.evaluate(() => self.gpuDevices.length) > 0, "the prologue saw no GPU device");
    await worker.evaluate(() => self.gpuDevices.forEach((device) => device.destroy()));
    await draw(page, "3");
    await expectPrediction(page, "3");
    assert.equal(await page.evaluate(() => document.body.dataset.backend), "cpu");
  } finally {
    await browser.close();
  }
});

test("axe-core finds no accessibility violation, in light and dark, empty, reading and refusing a word list", async () => {
  const { browser, page } = await openPage();
  try {
    await waitForState(page, "ready");
    await waitForLines(page, "ready"); // the word list's button waits for the line model
    // Evaluated, not added as a <script>: the page's CSP allows no inline script.
    await page.evaluate(AXE_SOURCE);
    const violations = async (when) => {
      const { violations } = await page.evaluate(() => window.axe.run(document));
      return violations.map((v) => `${when}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    };
    const found = [];
    for (const colorScheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme });
      await page.keyboard.press("Escape");
      await expectPrediction(page, "–");
      found.push(...(await violations(`${colorScheme}, empty`)));
      await write(page, "17");
      await expectPrediction(page, "17");
      await page.locator("#prediction .char").first().click();
      found.push(...(await violations(`${colorScheme}, reading 17`)));
      await page.keyboard.press("Escape");
      await drawStrokes(page, SCRIBBLE, { left: 0.35, top: 0.1, size: 0.8 });
      await expectPrediction(page, "?");
      found.push(...(await violations(`${colorScheme}, unsure`)));
      await page.setInputFiles("#word-list-file", { name: "empty.txt", mimeType: "text/plain", buffer: Buffer.alloc(0) });
      await page.waitForFunction(() => document.querySelector("#word-list-status").classList.contains("refused"));
      found.push(...(await violations(`${colorScheme}, word list refused`)));
      await page.screenshot({ path: join(OUTPUT, `page-${colorScheme}.png`), fullPage: true });
    }
    assert.deepEqual(found, []);
  } finally {
    await browser.close();
  }
});

test("10,000 readings in a row do not grow the wasm heap", async () => {
  const { browser, page } = await openPage();
  try {
    await waitForState(page, "ready");
    const drawings = Object.values(DIGITS).map((strokes) =>
      strokes.map((stroke) => ({ points: stroke.map(([x, y]) => ({ x: 50 + 200 * x, y: 50 + 200 * y })), width: 14 })),
    );
    const heap = await page.evaluate(async (drawings) => {
      const module = await import("/pkg/handwriting.js");
      const { memory } = await module.default();
      const recognizer = await module.Recognizer.load("/www/models/digits.bpk", "cpu");
      const read = async (count) => {
        for (let i = 0; i < count; i++) await recognizer.read(drawings[i % drawings.length]);
      };
      await read(100);
      const warm = memory.buffer.byteLength;
      await read(10_000);
      return { warm, after: memory.buffer.byteLength };
    }, drawings);
    const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
    console.log(`wasm heap after 100 readings ${mib(heap.warm)} MiB, after 10,100 ${mib(heap.after)} MiB`);
    assert.ok(heap.after - heap.warm <= 2 ** 20, `grew from ${mib(heap.warm)} to ${mib(heap.after)} MiB`);
  } finally {
    await browser.close();
  }
});

// The download budget of the page's recognizer before its first answer (≤ 700 kB gzip with the
// characters model, the default: the first in the manifest), checked on the module
// scripts/build-page produced, so that a dependency pulling in a large crate shows up here
// (burn-store's path renaming once added ~700 KiB of regex code to the module).
test("the CPU module and the default weights fit in 700 kB gzip", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "www", "models", "manifest.json"), "utf8"));
  const files = ["pkg/handwriting_bg.wasm", "pkg/handwriting.js", `www/models/${manifest.models[0].file}`];
  const sizes = files.map((file) => gzipSync(readFileSync(join(ROOT, file)), { level: 9 }).length);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  console.log(files.map((file, i) => `${file} ${(sizes[i] / 1024).toFixed(0)} KiB`).join(", ") + ` gzip: ${total} bytes`);
  assert.ok(total <= 700_000, `${total} bytes gzip`);
});
