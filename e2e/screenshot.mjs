// Takes the README's screenshot, docs/screenshot.png: the page reading a line written with the
// mouse (the test fixture's digit strokes), its first character selected. Not a test:
// `npm run screenshot` after scripts/build-page. Usage: node screenshot.mjs [TEXT] [MODEL]

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const [text = "2026", model = "digits.bpk"] = process.argv.slice(2);
const { digits: STROKES } = JSON.parse(readFileSync(join(ROOT, "tests", "fixtures", "digit-strokes.json"), "utf8"));

const server = await serve(ROOT);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 }, deviceScaleFactor: 1 });
  await page.goto(`${server.url}/www/index.html?backend=cpu&model=${encodeURIComponent(model)}`);
  await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 60_000 });
  const box = await page.locator("#pad").boundingBox();
  const size = 0.6 * box.height;
  for (const [i, character] of [...text].entries()) {
    const left = box.x + 0.06 * box.width + i * 0.85 * size;
    const at = ([x, y]) => [left + x * size, box.y + 0.2 * box.height + y * size];
    for (const stroke of STROKES[character]) {
      await page.mouse.move(...at(stroke[0]));
      await page.mouse.down();
      for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps: 6 });
      await page.mouse.up();
    }
  }
  await page.waitForFunction((t) => document.querySelector("#prediction").textContent === t, text, { timeout: 10_000 });
  await page.locator("#prediction .char").nth(Math.min(2, text.length - 1)).click();
  await page.mouse.move(0, 0);
  const out = join(ROOT, "docs", "screenshot.png");
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}
