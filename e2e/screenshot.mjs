// Takes the README's screenshot, docs/screenshot.png: the page on its default model reading two
// printed words by UNIPEN writers it never trained on (tests/fixtures/unipen/words.json),
// written with the mouse, one character selected. Not a test: `npm run screenshot` after
// scripts/build-page. Usage: node screenshot.mjs [WORD...] (default: world Table).

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";
import { writeWords } from "./words.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const texts = process.argv.length > 2 ? process.argv.slice(2) : ["world", "Table"];

const server = await serve(ROOT);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 });
  await page.goto(`${server.url}/www/index.html?backend=cpu`);
  await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 60_000 });
  // Letter by letter: the character model's reading, with the image it saw of each character.
  await page.selectOption("#reading-mode", "letters");
  await writeWords(page, texts, { top: 0.35 });
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
