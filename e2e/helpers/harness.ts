/**
 * What every end-to-end test and browser benchmark uses: the system Chromium
 * with the flags DESIGN.md fixes (loopback WebRTC, fake camera and
 * microphone), and helpers to open peer tabs and read their state.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { chromiumPath } from '../runner/chromium-path.ts';

export const CHROMIUM_ARGS = [
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Switches that Playwright adds to every Chromium it launches so that hidden
 * tabs keep full-speed timers and full-priority renderers. People's browsers
 * have none of them, so the suites take them out (`ignoreDefaultArgs`):
 * leaving them out of `args` alone would change nothing.
 */
export const NO_THROTTLING_SWITCHES = [
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/**
 * The system Chromium as the suites drive it, without Playwright's
 * anti-throttling switches. Pages of a browser launched this way still count
 * as visible (Playwright's focus emulation keeps each one "captured"); a
 * person whose tabs must really hide lives in `launchPeoplesBrowser`
 * (e2e/helpers/peoples-browser.ts).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, ignoreDefaultArgs: NO_THROTTLING_SWITCHES, headless: true });
}

/** The app's URL, served by `npm start` in the global setup (or APP_URL). */
export function appURL(query = ''): string {
  // Benchmarks run outside Vitest and name the server themselves.
  return (process.env['APP_URL'] ?? inject('baseURL')) + '/' + query;
}

/** Errors thrown in pages; a test asserts this stays empty. */
export const pageErrors: string[] = [];

export async function newPerson(browser: Browser): Promise<BrowserContext> {
  const ctx = await browser.newContext({ permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'] });
  return ctx;
}

/** Opens the app in a new tab of `context` and waits until it shows its node ID. */
export async function openPeer(context: BrowserContext, query = ''): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
  await page.goto(appURL(query));
  await page.getByLabel('Node ID', { exact: true }).waitFor({ timeout: 30_000 });
  return page;
}

export async function openPeers(context: BrowserContext, n: number, query = ''): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) pages.push(await openPeer(context, query));
  return pages;
}

export async function nodeIdOf(page: Page): Promise<string> {
  return (await page.getByLabel('Node ID', { exact: true }).textContent())?.trim() ?? '';
}

export async function userIdOf(page: Page): Promise<string> {
  return (await page.getByLabel('User ID', { exact: true }).textContent())?.trim() ?? '';
}

export function signalingStatus(page: Page) {
  return page.getByTestId('signaling-status');
}

/** Waits until the tab says it is online with its signaling server. */
export async function waitOnline(page: Page, timeout = 30_000): Promise<void> {
  const home = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' });
  if ((await signalingStatus(page).count()) === 0 && (await home.count()) > 0) await home.click();
  await signalingStatus(page).filter({ hasText: /^Online via/ }).waitFor({ timeout });
}

/** Opens one of the app's pages by its navigation link. */
export async function goTo(page: Page, name: 'Home' | 'Phone' | 'Video mail' | 'Network' | 'Permissions'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 2, name: name === 'Home' ? 'This tab' : name, exact: true }).first().waitFor();
}

/** Answers the permission question showing in `page` with one of its four buttons. */
export async function answerQuestion(page: Page, answer: 'Allow once' | 'Always allow' | 'Deny' | 'Always deny', timeout = 20_000): Promise<string> {
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor({ timeout });
  const title = (await dialog.getByRole('heading').textContent()) ?? '';
  await dialog.getByRole('button', { name: answer, exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
  return title;
}

/** The row of the Network page's peer list for `nodeId`. */
export function peerRow(page: Page, nodeId: string) {
  return page.locator(`li[data-node-id="${nodeId}"]`);
}

/** Gives the same answer to every permission question `page` shows, until none has shown for `quietMs`. Returns how many it answered. */
export async function answerAll(page: Page, answer: 'Allow once' | 'Always allow' | 'Deny' | 'Always deny', firstWithinMs = 30_000, quietMs = 2000): Promise<number> {
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor({ timeout: firstWithinMs });
  let n = 0;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    if ((await dialog.count()) > 0) {
      await dialog.getByRole('button', { name: answer, exact: true }).click().catch(() => undefined);
      n++;
      quietSince = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return n;
}
