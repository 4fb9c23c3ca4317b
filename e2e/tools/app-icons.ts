/**
 * Renders the app's icons (public/icons/*.svg) to the PNG sizes the web app
 * manifest lists, with the system Chromium: `npx tsx e2e/tools/app-icons.ts`.
 * The PNGs are committed; run this again after changing an SVG.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../runner/chromium-path.ts';

const ICONS = [
  { svg: 'public/icons/icon.svg', png: 'public/icons/icon-192.png', size: 192 },
  { svg: 'public/icons/icon.svg', png: 'public/icons/icon-512.png', size: 512 },
  { svg: 'public/icons/maskable.svg', png: 'public/icons/maskable-512.png', size: 512 },
  { svg: 'public/icons/icon.svg', png: 'public/icons/apple-touch-icon.png', size: 180 },
];

const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'], headless: true });
try {
  for (const icon of ICONS) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
    const svg = readFileSync(icon.svg, 'utf8');
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${icon.size}" height="${icon.size}" `)}</body></html>`);
    await page.screenshot({ path: icon.png, omitBackground: true, clip: { x: 0, y: 0, width: icon.size, height: icon.size } });
    await page.close();
    console.log(`${icon.png}: ${icon.size} × ${icon.size}`);
  }
} finally {
  await browser.close();
}
