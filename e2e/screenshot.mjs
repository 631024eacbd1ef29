// Takes the README's screenshot, docs/screenshot.png: the page on its default model reading two
// printed words by UNIPEN writers it never trained on (tests/fixtures/unipen/words.json),
// written with the mouse, one character selected. Not a test: `npm run screenshot` after
// scripts/build-page. Usage: node screenshot.mjs [WORD...] (default: world Table).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const texts = process.argv.length > 2 ? process.argv.slice(2) : ["world", "Table"];
const WORDS = JSON.parse(readFileSync(join(ROOT, "tests", "fixtures", "unipen", "words.json"), "utf8"));
const words = texts.map((text) => {
  const word = WORDS.find((w) => w.text === text);
  if (!word) throw new Error(`no word "${text}" in tests/fixtures/unipen/words.json`);
  return word.strokes;
});
const right = (strokes) => Math.max(...strokes.flatMap((s) => s.points.map((p) => p.x)));
/** Room left between words, in the fixture's pixels (capitals are 120 tall). */
const WORD_GAP = 140;

const server = await serve(ROOT);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 });
  await page.goto(`${server.url}/www/index.html?backend=cpu`);
  await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 60_000 });
  const box = await page.locator("#pad").boundingBox();
  const span = words.reduce((sum, strokes) => sum + right(strokes) + WORD_GAP, 0);
  const scale = Math.min((0.9 * box.width) / span, (0.3 * box.height) / 120);
  let left = box.x + 0.04 * box.width;
  for (const strokes of words) {
    for (const stroke of strokes) {
      const at = (p) => [left + p.x * scale, box.y + 0.35 * box.height + p.y * scale];
      await page.mouse.move(...at(stroke.points[0]));
      await page.mouse.down();
      for (const point of stroke.points.slice(1)) await page.mouse.move(...at(point));
      await page.mouse.up();
    }
    left += (right(strokes) + WORD_GAP) * scale;
  }
  const expected = texts.join(" ");
  await page.waitForFunction((t) => document.querySelector("#prediction").textContent === t, expected, { timeout: 10_000 });
  await page.locator("#prediction .char").nth(6).click();
  await page.mouse.move(0, 0);
  const out = join(ROOT, "docs", "screenshot.png");
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}
