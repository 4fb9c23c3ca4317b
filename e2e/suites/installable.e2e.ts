/**
 * Installable (issue 19): a production build (vite build, into a temporary
 * directory) served by a small static server in this test: the web app
 * manifest is valid and its icons load; the service worker keeps the app
 * shell, so with the server stopped a reload (and a new tab, as when the
 * app is opened from the home screen) shows the app and says it is offline;
 * a new build is picked up behind the kept one and announced, and opens on
 * the next load.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { useBrowser } from '../helpers/browser.ts';
import { started } from '../helpers/harness.ts';
import { productionBuild } from '../helpers/production-build.ts';

const web = useBrowser();
const dist = mkdtempSync(join(tmpdir(), 'softphone-dist-'));
let server: Server | null = null;
let port = 0;
let person: BrowserContext;
let page: Page;

/** The shell's own offline notice (the banner saying this static site has no signaling server is expected, and not it). */
const shellOffline = (p: Page) => p.getByText('You are offline: the server this app came from does not answer.');

/** Serves `dist` as a static site on 127.0.0.1 (`port`, or a free one the first time). */
async function serve(): Promise<void> {
  await stop();
  const app = express();
  app.use(express.static(dist, { index: 'index.html' }));
  server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
}

async function stop(): Promise<void> {
  const s = server;
  server = null;
  if (!s) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

const url = (): string => `http://127.0.0.1:${port}/`;

beforeAll(async () => {
  // The shared production build, copied: the last test writes a new version into it.
  cpSync(productionBuild(), dist, { recursive: true });
  await serve();
  person = await web.newPerson();
  page = await person.newPage();
  await page.goto(url());
  await page.getByRole('heading', { level: 1, name: 'P2P Softphone' }).waitFor();
  // A production build: no test handle in it.
  expect(await page.evaluate(() => 'softphoneTest' in window)).toBe(false);
}, 360_000);

afterAll(async () => {
  await stop();
  rmSync(dist, { recursive: true, force: true });
});

it('the manifest is valid: name, start URL, standalone display, theme colour, and icons that load at their stated sizes', async () => {
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('/manifest.webmanifest');
  const manifest = await page.evaluate(async (h) => {
    const res = await fetch(h);
    return { type: res.headers.get('content-type'), json: (await res.json()) as Record<string, unknown> };
  }, href!);
  expect(manifest.json).toMatchObject({ name: 'P2P Softphone', short_name: expect.any(String) as string, start_url: '/', scope: '/', display: 'standalone', theme_color: '#2563eb', background_color: expect.stringMatching(/^#/) as string });
  const icons = manifest.json['icons'] as { src: string; sizes: string; type: string; purpose?: string }[];
  expect(icons.some((i) => i.sizes === '192x192' && i.type === 'image/png')).toBe(true);
  expect(icons.some((i) => i.sizes === '512x512' && i.type === 'image/png')).toBe(true);
  expect(icons.some((i) => i.purpose === 'maskable')).toBe(true);
  for (const icon of icons) {
    const got = await page.evaluate(async (i) => {
      const res = await fetch(i.src);
      const bitmap = await createImageBitmap(await res.blob()).catch(() => null);
      return { status: res.status, type: res.headers.get('content-type') ?? '', width: bitmap?.width ?? 0, height: bitmap?.height ?? 0 };
    }, icon);
    expect(got.status, icon.src).toBe(200);
    expect(got.type, icon.src).toContain(icon.type);
    if (icon.type === 'image/png') expect(`${got.width}x${got.height}`, icon.src).toBe(icon.sizes);
  }
}, 60_000);

it('with the server stopped, a reload and a new tab show the app from the kept shell and say it is offline', async () => {
  // Installing keeps the shell's files first; on a loaded machine that takes a while.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 90_000 }).catch(async (e: unknown) => {
    const state = await page.evaluate(async () => JSON.stringify((await navigator.serviceWorker.getRegistrations()).map((r) => ({ scope: r.scope, active: r.active?.state, installing: r.installing?.state }))));
    throw new Error(`no service worker controls the page: ${state}`, { cause: e });
  });
  expect(await shellOffline(page).count()).toBe(0);
  await stop();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'P2P Softphone' }).waitFor({ timeout: 20_000 });
  await page.getByText('You are offline: the server this app came from does not answer.').waitFor({ timeout: 20_000 });
  // Opened again, as from the home screen: the same shell.
  const again = await person.newPage();
  await again.goto(url());
  await again.getByRole('heading', { level: 1, name: 'P2P Softphone' }).waitFor({ timeout: 20_000 });
  await shellOffline(again).waitFor({ timeout: 20_000 });
  // The whole app started from the kept files (lazy chunks and workers too), not only its first screen.
  await started(again).waitFor({ timeout: 30_000 });
  expect(await again.getByText('The app could not start').count()).toBe(0);
  await again.screenshot({ path: 'e2e/artifacts/installable-offline.png' });
  await again.close();
}, 150_000);

it('a new build is kept behind the open app and announced; it opens on the next load', async () => {
  const index = join(dist, 'index.html');
  writeFileSync(index, readFileSync(index, 'utf8').replace('<head>', '<head>\n    <meta name="softphone-build" content="2" />'));
  await serve();
  const build = (): Promise<string | null> => page.evaluate(() => document.querySelector('meta[name="softphone-build"]')?.getAttribute('content') ?? null);
  await page.reload();
  // This load came from the kept shell at once; the worker fetched the new one behind it.
  expect(await build()).toBeNull();
  await page.getByText('A new version of the app is ready. It opens the next time you open the app.').waitFor({ timeout: 30_000 });
  // The server is back: the offline notice goes.
  await shellOffline(page).waitFor({ state: 'detached', timeout: 30_000 });
  await page.getByRole('button', { name: 'Open it now' }).click();
  await page.getByRole('heading', { level: 1, name: 'P2P Softphone' }).waitFor();
  await expect.poll(build, { timeout: 10_000 }).toBe('2');
}, 90_000);
