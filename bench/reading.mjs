// How long the page takes to read handwriting on the CPU module in Debian's headless
// Chromium: one character with the digits model and with the characters model (the ratio is
// what the larger class list costs), and a 10-character line ("Hello" and "world" by unseen
// UNIPEN writers, from tests/fixtures/unipen/words.json) with the characters model and with
// the line model, and the longest cursive word of tests/fixtures/unipen/cursive.json
// ("completely") with the line model; both of these also as the page reads by default ("auto":
// the characters model, then the line model weighing its reading). Whole `read` calls, as the
// page makes them.
// A measurement, not a test: `npm run reading` (needs `scripts/build-page` first).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../e2e/server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const ROUNDS = Number(process.env.ROUNDS ?? 5); // the measurements take turns, round by round
const RUNS_PER_ROUND = 60;
const WARM_UP = 30; // Flex's first runs in a fresh page are noisy

const words = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/unipen/words.json"), "utf8"));
const word = (text) => words.find((w) => w.text === text).strokes;
const shift = (strokes, dx) => strokes.map((s) => ({ ...s, points: s.points.map((p) => ({ x: p.x + dx, y: p.y })) }));
const right = (strokes) => Math.max(...strokes.flatMap((s) => s.points.map((p) => p.x)));
const hello = word("Hello");
const line = [...hello, ...shift(word("world"), right(hello) + 150)];
const cursive = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/unipen/cursive.json"), "utf8"));
const joined = cursive.reduce((a, b) => (b.text.length > a.text.length ? b : a)).strokes;
const digit = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/unipen/digits.json"), "utf8"))[0].strokes;

const server = await serve(ROOT);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/bench/reading.html`);
  await page.waitForFunction(() => window.models || window.benchError, null, { timeout: 120_000 });
  const error = await page.evaluate(() => window.benchError);
  if (error) throw new Error(error);
  const cases = [
    { name: "one character, digits model", model: "digits", strokes: digit },
    { name: "one character, characters model", model: "characters", strokes: digit },
    { name: "10-character line, characters model", model: "characters", strokes: line },
    { name: "10-character line, line model", model: "lines", strokes: line },
    { name: "10-letter cursive word, line model", model: "lines", strokes: joined },
    { name: "10-character line, auto (both models)", model: "auto", strokes: line },
    { name: "10-letter cursive word, auto (both models)", model: "auto", strokes: joined },
  ];
  const times = await page.evaluate(
    async ({ cases, rounds, runs, warmUp }) => {
      const read = async ({ model, strokes }) => {
        const start = performance.now();
        const reading = await window.models[model].read(strokes);
        const { preprocessMs, inferenceMs } = reading.timings;
        return { ms: performance.now() - start, text: reading.text, preprocessMs, inferenceMs, glyphs: reading.glyphs };
      };
      for (const c of cases) for (let i = 0; i < warmUp; i++) await read(c);
      const out = cases.map(() => ({ ms: [], preprocessMs: [], inferenceMs: [], text: "" }));
      for (let round = 0; round < rounds; round++) {
        for (const [i, c] of cases.entries()) {
          for (let run = 0; run < runs; run++) {
            const { ms, text, preprocessMs, inferenceMs } = await read(c);
            out[i].ms.push(ms);
            out[i].preprocessMs.push(preprocessMs);
            out[i].inferenceMs.push(inferenceMs);
            out[i].text = text;
          }
        }
      }
      return out;
    },
    { cases, rounds: ROUNDS, runs: RUNS_PER_ROUND, warmUp: WARM_UP },
  );
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const p50 = times.map((t) => median(t.ms));
  console.log(`| reading (CPU module, headless Chromium, ${ROUNDS * RUNS_PER_ROUND} runs each) | p50 | of which preprocessing | of which the network | read as |`);
  console.log("| --- | ---: | ---: | ---: | --- |");
  const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : "—");
  cases.forEach((c, i) =>
    console.log(
      `| ${c.name} | ${ms(p50[i])} | ${ms(median(times[i].preprocessMs))} | ${ms(median(times[i].inferenceMs))} | ${times[i].text} |`,
    ),
  );
  console.log(`auto / line model alone, 10-character line: ${(p50[5] / p50[3]).toFixed(2)}×`);
  console.log(`characters / digits model, one character: ${(p50[1] / p50[0]).toFixed(2)}×`);
} finally {
  await browser.close();
  server.close();
}
