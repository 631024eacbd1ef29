// Words by UNIPEN writers the models never trained on (tests/fixtures/unipen/: words.json
// printed, capitals 120 tall; cursive.json joined-up, each word 140 tall; canvas pixels),
// written on the page's pad with the mouse: shared by the end-to-end tests and the README's
// screenshot.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "tests", "fixtures", "unipen");
/** Room left between words, in the fixture's pixels: wider than any gap between letters. */
const WORD_GAP = 140;

const right = (strokes) => Math.max(...strokes.flatMap((s) => s.points.map((p) => p.x)));

/** Writes `texts` (words of `fixture`) side by side across 90% of the pad, capitals no taller
 * than 30% of it, their tops `top` (a fraction of the pad's height) down. */
export async function writeWords(page, texts, { top = 0.3, fixture = "words.json" } = {}) {
  const all = JSON.parse(readFileSync(join(FIXTURES, fixture), "utf8"));
  const words = texts.map((text) => {
    const word = all.find((w) => w.text === text);
    if (!word) throw new Error(`no word "${text}" in tests/fixtures/unipen/${fixture}`);
    return word.strokes;
  });
  const box = await page.locator("#pad").boundingBox();
  const span = words.reduce((sum, strokes) => sum + right(strokes) + WORD_GAP, 0);
  const scale = Math.min((0.9 * box.width) / span, (0.3 * box.height) / 120);
  let left = box.x + 0.04 * box.width;
  for (const strokes of words) {
    for (const stroke of strokes) {
      const at = (p) => [left + p.x * scale, box.y + top * box.height + p.y * scale];
      await page.mouse.move(...at(stroke.points[0]));
      await page.mouse.down();
      for (const point of stroke.points.slice(1)) await page.mouse.move(...at(point));
      await page.mouse.up();
    }
    left += (right(strokes) + WORD_GAP) * scale;
  }
}
