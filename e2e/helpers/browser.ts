/**
 * The one browser fixture of the end-to-end suites, and the tabs they open.
 *
 * Every suite calls `useBrowser()` at its top level: it launches the system
 * Chromium with the switches DESIGN.md fixes (loopback WebRTC, fake camera
 * and microphone) and without Playwright's anti-throttling switches, closes
 * it after the suite, and then checks that no page threw. A person is a
 * browser context (`newPerson`), a tab is `openPeer`: the app opened and
 * showing its node ID.
 *
 * Two ways to run Chromium, both here:
 * - the suites' Chromium (`launchChromium`): pages stay "visible" whatever is
 *   in front, because Playwright emulates focus for them;
 * - a person's browser run the way people run it (`launchPeoplesBrowser`, or
 *   `useBrowser({ peoplesBrowser: true })`): its own process, no focus
 *   emulation, so a tab behind another is hidden and throttled. calls and
 *   hung-tab run bob that way; peoples-browser.ts hides, shows and hangs its
 *   tabs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { chromiumPath } from '../runner/chromium-path.ts';
import { rendererPids, resume } from './peoples-browser.ts';
import { started } from './harness.ts';

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
 * person whose tabs must really hide lives in `launchPeoplesBrowser`.
 */
export function launchChromium(fakeDevices?: string): Promise<Browser> {
  const args = fakeDevices ? CHROMIUM_ARGS.map((a) => (a === '--use-fake-device-for-media-stream' ? `${a}=${fakeDevices}` : a)) : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: chromiumPath(), args, ignoreDefaultArgs: NO_THROTTLING_SWITCHES, headless: true });
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

/** Opens the app in a new tab of `context` and waits (each step at most `timeoutMs`) until it shows its node ID. */
export async function openPeer(context: BrowserContext, query = '', timeoutMs = 30_000): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
  await page.goto(appURL(query), { timeout: timeoutMs });
  await started(page).waitFor({ timeout: timeoutMs });
  return page;
}

/**
 * Opens one tab in each of `contexts` at once (a context given twice gets two
 * tabs), in the order given: for a suite's set-up, where how the tabs came
 * is not under test (openRing is the one-by-one join). Tabs that load
 * together share the machine, so each step may take up to `timeoutMs`.
 */
export function openPeersTogether(contexts: BrowserContext[], query = '', timeoutMs = 90_000): Promise<Page[]> {
  return Promise.all(contexts.map((c) => openPeer(c, query, timeoutMs)));
}

export async function openPeers(context: BrowserContext, n: number, query = ''): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) pages.push(await openPeer(context, query));
  return pages;
}

export interface PeoplesBrowser {
  browser: Browser;
  /** The browser's one profile: one person. */
  person: BrowserContext;
  /** The browser process. */
  pid: number;
  /** Resumes any stopped renderer, closes the browser and removes its profile. */
  close(): Promise<void>;
}

/**
 * A person's browser as people run it: its own Chromium process, without
 * Playwright's anti-throttling switches and without its focus emulation (a
 * page Playwright emulates focus for counts as visible whatever happens), so
 * a tab behind another tab is hidden and Chromium throttles its timers as it
 * does in people's browsers. Starts Chromium with the suite's flags
 * (DESIGN.md) and nothing that keeps
 * hidden tabs awake, and connects to it over CDP (loopback only). Its
 * default profile is the person; every tab opened in it becomes the front
 * tab and hides the ones before it, as in a real window.
 */
export async function launchPeoplesBrowser(): Promise<PeoplesBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-person-'));
  const child = spawn(chromiumPath(), [...CHROMIUM_ARGS, '--headless', '--mute-audio', '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${dir}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start in 30 s: ${err.slice(-500)}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20_000);
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited before it listened: ${err.slice(-500)}`));
    });
  });
  // noDefaults: Playwright then leaves the default profile's pages without focus emulation.
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
  const pid = child.pid!;
  return {
    browser,
    person: browser.contexts()[0]!,
    pid,
    close: async () => {
      for (const r of rendererPids(pid)) resume(r);
      await browser.close().catch(() => undefined);
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      // Chromium's helpers may still be writing as they exit; a profile left in /tmp is no failure.
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch (e) {
        console.warn(`[peoples-browser] could not remove ${dir}: ${(e as Error).message}`);
      }
    },
  };
}


/** What `useBrowser` is asked for. */
export interface BrowserFixtureOptions {
  /**
   * Also start a person's browser run the way people run it (`people`).
   * @default false
   */
  peoplesBrowser?: boolean;
  /**
   * Options of Chromium's fake devices for the suites' Chromium, as
   * `--use-fake-device-for-media-stream=<this>`: `device-count=2` gives two
   * fake cameras (fake_device_0 and fake_device_1). Default: one camera.
   */
  fakeDevices?: string;
  /** Runs after the browsers closed and before the page-error check: servers the suite started, data it wrote. */
  teardown?: () => Promise<void> | void;
}

/** The browsers of one suite, valid between its beforeAll and afterAll. */
export interface BrowserFixture {
  /** The suites' Chromium. */
  readonly browser: Browser;
  /** The person's browser run as people run it; only with `peoplesBrowser: true`. */
  readonly people: PeoplesBrowser;
  /** A new person: a browser context of `browser` allowed the (fake) camera and microphone. */
  newPerson(): Promise<BrowserContext>;
}

/**
 * The one browser fixture: registers a beforeAll that launches Chromium (and
 * the person's browser when asked) and an afterAll that closes them, runs
 * `teardown`, and expects `pageErrors` to be empty. Call it at a suite's top
 * level, before the suite's own hooks, so they find the browser launched.
 */
export function useBrowser(options: BrowserFixtureOptions = {}): BrowserFixture {
  let browser: Browser | null = null;
  let people: PeoplesBrowser | null = null;
  beforeAll(async () => {
    browser = await launchChromium(options.fakeDevices);
    if (options.peoplesBrowser) people = await launchPeoplesBrowser();
  });
  afterAll(async () => {
    await people?.close();
    await browser?.close();
    await options.teardown?.();
    expect(pageErrors).toEqual([]);
  });
  const fixture: BrowserFixture = {
    get browser(): Browser {
      if (!browser) throw new Error('the browser is not launched: use it from a hook or a test');
      return browser;
    },
    get people(): PeoplesBrowser {
      if (!people) throw new Error(options.peoplesBrowser ? 'the person’s browser is not launched yet' : 'useBrowser({ peoplesBrowser: true }) starts the person’s browser');
      return people;
    },
    newPerson: () => newPerson(fixture.browser),
  };
  return fixture;
}
