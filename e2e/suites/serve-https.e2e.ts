/**
 * Serving to other machines (issue 15): a page opened at a plain-HTTP
 * address of another machine explains why the app cannot run and gives the
 * https:// address; the same name over HTTPS (HTTPS=1 npm start, a
 * self-signed certificate made on first run) runs the app. "Another
 * machine" is a host name Chromium maps to the loopback address
 * (--host-resolver-rules), which is not a secure context the way
 * localhost is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, NO_THROTTLING_SWITCHES } from '../helpers/browser.ts';
import { chromiumPath } from '../runner/chromium-path.ts';
import { startApp, type ServerProcess } from '../runner/server-process.ts';
import { started } from '../helpers/harness.ts';

const HOST = 'my-laptop.test';
let browser: Browser;
let plain: ServerProcess | null = null;
let secure: ServerProcess | null = null;
const tlsDir = mkdtempSync(join(tmpdir(), 'serve-https-'));
const errors: string[] = [];

beforeAll(async () => {
  [plain, secure] = await Promise.all([
    startApp(undefined, { ALLOWED_HOSTS: HOST }),
    startApp(undefined, { HTTPS: '1', TLS_DIR: tlsDir, TLS_NAMES: HOST }),
  ]);
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
    ignoreDefaultArgs: NO_THROTTLING_SWITCHES,
    headless: true,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([plain?.stop(), secure?.stop()]);
  rmSync(tlsDir, { recursive: true, force: true });
  expect(errors).toEqual([]);
});

async function open(url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  await page.goto(url);
  return page;
}

describe('a page opened at a plain-HTTP address of another machine', () => {
  it('says in plain words why the app cannot run there and gives the https address, with no other warning', async () => {
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const url = `http://${HOST}:${plain!.port}/#/phone`;
      const page = await open(url, viewport);
      const alert = page.getByRole('alert');
      await alert.getByRole('heading', { name: 'Open this app over HTTPS' }).waitFor({ timeout: 30_000 });
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
      const text = await alert.innerText();
      expect(text).toContain(`This page was opened at http://${HOST}:${plain!.port}/#/phone, a plain HTTP address.`);
      expect(text).toContain('only when it is secure');
      const link = page.getByRole('link', { name: `https://${HOST}:${plain!.port}/#/phone` });
      expect(await link.getAttribute('href')).toBe(`https://${HOST}:${plain!.port}/#/phone`);
      // The app did not start: no node, no misleading "cannot tell tabs apart" or WebCrypto notice beside it.
      expect(await page.getByText(/tell tabs apart|WebCrypto|could not start/).count()).toBe(0);
      expect(await started(page).count()).toBe(0);
      expect(await page.evaluate(() => window.softphoneTest === undefined)).toBe(true);
      await page.screenshot({ path: `e2e/artifacts/insecure-origin-${name}.png`, fullPage: true });
      await page.context().close();
    }
  }, 90_000);
});

describe('HTTPS=1 npm start', () => {
  it('serves the app, signaling and /ice-servers to another machine’s name over HTTPS, and the app runs there', async () => {
    const page = await open(`https://${HOST}:${secure!.port}/`);
    await started(page).waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    await expect
      .poll(() => page.evaluate(() => window.softphoneTest!.app().signaling.kind), { timeout: 30_000 })
      .toBe('online');
    // The node's ICE list was fetched from the same origin (this node names none: no third-party server by default).
    await expect.poll(() => page.evaluate(() => window.softphoneTest!.iceServers().answers), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.evaluate(() => window.softphoneTest!.iceServers())).toMatchObject({ servers: [], problem: null, relay: 'none', forLinks: [] });
    expect(await page.getByText('tell tabs apart').count()).toBe(0);
    await page.context().close();
  }, 120_000);
});
