/** Helpers for looking at a page: sideways scrolling, axe-core's violations, and screenshots at a desktop and a phone size. */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** How far the page scrolls sideways, in CSS pixels (0 or less when it fits). */
export function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** axe-core's violations on the page as it is now: rule id, and the first elements it names. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** Screenshots of the page at 1280 × 800 and 390 × 844, to e2e/artifacts/<name>-<width>.png; leaves the page at 1280 × 800. */
export async function screenshots(page: Page, name: string): Promise<void> {
  // A page behind another draws no frame to capture.
  await page.bringToFront();
  for (const size of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200);
    await page.screenshot({ path: `e2e/artifacts/${name}-${size.width}.png`, timeout: 20_000 });
  }
}
