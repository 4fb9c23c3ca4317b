/**
 * Shared set-up of the browser benchmarks that need people with names: the
 * app served, one person (browser context) per tab, loaded one after
 * another, the ring formed, and names claimed with retries.
 */
import type { Browser, Page } from 'playwright-core';
import { waitOnline } from '../helpers/harness.ts';
import { allowEverything, waitForRing } from '../helpers/ring.ts';
import { startApp } from '../runner/server-process.ts';
import { launchChromium, newPerson, openPeer } from '../helpers/browser.ts';

/** The `p` quantile (0..1) of `xs`, nearest rank, ignoring values that are not finite (failed samples); NaN when none is left. */
export const pct = (xs: number[], p: number): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

/** The number after `--name` in `argv`, or `dflt` when it is not given. */
export function numberArg(argv: readonly string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : dflt;
}

type Add = (name: string, value: number, unit: string, baseline?: string) => void;

/**
 * Serves the app, opens `tabs` people in one ring (reporting how many and how
 * long the ring took, with `formedNote` as its baseline), runs `bench` on
 * their tabs, and closes the browser and the app whatever happens. `query`
 * goes on each tab's address (e.g. `?signaling=…` for a server of the bench's own).
 */
export async function withPeopleRing(add: Add, tabs: number, formedNote: string, bench: (pages: Page[]) => Promise<void>, query = ''): Promise<void> {
  const app = await startApp();
  process.env['APP_URL'] = app.url;
  const browser = await launchChromium();
  try {
    const { pages, formedMs } = await openPeopleRing(browser, tabs, query);
    add('people (one tab each)', tabs, 'tabs');
    add('overlay formed (first load → ring consistent)', formedMs, 'ms', formedNote);
    await bench(pages);
  } finally {
    await browser.close();
    await app.stop();
  }
}

/** Opens `tabs` people, one tab each, and waits for one consistent ring; returns the tabs and how long it took. */
export async function openPeopleRing(browser: Browser, tabs: number, query = ''): Promise<{ pages: Page[]; formedMs: number }> {
  const loadStart = Date.now();
  const pages: Page[] = [];
  for (let i = 0; i < tabs; i++) {
    pages.push(await openPeer(await newPerson(browser), query, 60_000));
    await allowEverything(pages, 300);
  }
  await Promise.all(pages.map((p) => waitOnline(p, 60_000)));
  await waitForRing(pages, 240_000);
  return { pages, formedMs: Date.now() - loadStart };
}

/** Claims `name` in `page`, up to 3 times 2 s apart; returns the failed attempts' words, throws after the third. */
export async function claimForBench(page: Page, name: string): Promise<string[]> {
  const failures: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const err = await page.evaluate((n) => window.softphoneTest!.claimName(n), name);
    if (!err) return failures;
    failures.push(`${name}: ${err}`);
    if (attempt === 3) throw new Error(`${name} could not be claimed: ${failures.join('; ')}`);
    await page.waitForTimeout(2000);
  }
}

/** The page the tabs show while calls are timed (`--page`): Settings draws no call; Home draws each SIP call's view. */
export type BenchPage = 'settings' | 'home';

/** `--page`'s value, checked; throws in words for anything else. */
export function benchPage(value: string): BenchPage {
  if (value !== 'settings' && value !== 'home') throw new Error(`--page takes settings or home, not ${value}`);
  return value;
}

/**
 * Puts every tab on `page`: the PeerJS floor draws nothing, and drawing a
 * call's view (video, preview, graph) costs the first frame more than the
 * call path does on a machine without a GPU.
 */
export async function showPage(pages: readonly Page[], page: BenchPage): Promise<void> {
  for (const p of pages) await p.evaluate((h) => (location.hash = h), page === 'home' ? '#/' : '#/settings');
}

/** The table row that names the page `tabs` tabs showed during the calls. */
export function addPageFigure(add: Add, page: BenchPage, tabs: number): void {
  add(page === 'home' ? 'page shown during the calls: Home (each SIP call drawn)' : 'page shown during the calls: Settings (no call drawn)', tabs, 'tabs', '--page settings|home');
}
