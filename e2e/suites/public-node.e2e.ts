/**
 * A public node (issue 15): `npm run build` once, then `npm run serve` runs
 * the built app, the signaling server, /ice-servers and a service peer over
 * HTTPS with a self-signed certificate made on first run. Two people open
 * it, form a ring with the service peer, and call each other with video.
 * The production build has no test handle, so everything here is read
 * from the page as a person reads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from '../helpers/browser.ts';
import { answerAll, answerQuestion, goTo, nodeIdOf, waitOnline, started } from '../helpers/harness.ts';
import { claimName, dial, ringing } from '../helpers/phone.ts';
import { productionBuild } from '../helpers/production-build.ts';
import { httpStatus, startServer, type ServerProcess } from '../runner/server-process.ts';

const work = mkdtempSync(join(tmpdir(), 'public-node-'));
let node: ServerProcess | null = null;
const web = useBrowser({
  teardown: async () => {
    await node?.stop();
    rmSync(work, { recursive: true, force: true });
  },
});

beforeAll(async () => {
  // The build the operator makes (`npm run build` without its typecheck step, which CI runs on its own), shared with installable.
  const dist = productionBuild();
  node = await startServer('npm', ['run', '--silent', 'serve'], {
    readyPath: '/',
    https: true,
    timeoutMs: 90_000,
    env: { NODE_ENV: 'production', DIST: dist, TLS_DIR: join(work, 'tls'), SERVICE_PEER_DATA: join(work, 'service-peer') },
  });
}, 240_000);

/** A person's browser profile that accepts the node's self-signed certificate, as a person does once. */
async function person(): Promise<BrowserContext> {
  return web.browser.newContext({ ignoreHTTPSErrors: true, permissions: ['camera', 'microphone'] });
}

async function open(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(node!.url + '/');
  await started(page).waitFor({ timeout: 60_000 });
  return page;
}

/** The successor list the Network page shows. */
async function successors(page: Page): Promise<string> {
  await goTo(page, 'Network');
  return (await page.getByTestId('successors').textContent()) ?? '';
}

describe('npm run serve', () => {
  it('serves the built app over HTTPS, without the test handle, with signaling and /ice-servers beside it', async () => {
    expect(node!.url).toMatch(/^https:/);
    expect(await httpStatus(`${node!.url}/ice-servers`)).toBe(200);
    expect(await httpStatus(`${node!.url}/peerjs/peerjs/peers`)).toBe(200);
    expect(await httpStatus(`${node!.url}/no-such-file`)).toBe(404);
  });

  it('two people form a ring with the node’s service peer and call each other with video', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [await open(alice), await open(bob)];
    expect(await a.evaluate(() => window.isSecureContext && window.softphoneTest === undefined)).toBe(true);
    await Promise.all([waitOnline(a), waitOnline(b)]);
    const [idA, idB] = [await nodeIdOf(a), await nodeIdOf(b)];
    // Each is asked once whether to join the overlay; then the ring forms: each tab has the other among its successors.
    await Promise.all([answerAll(a, 'Always allow', 30_000), answerAll(b, 'Always allow', 30_000)]);
    await expect.poll(async () => (await successors(a)).includes(idB) && (await successors(b)).includes(idA), { timeout: 90_000, interval: 1000 }).toBe(true);
    await claimName(b, 'bob');
    await claimName(a, 'alice');
    await dial(a, 'bob', 'Video call');
    await answerQuestion(b, 'Always allow', 30_000);
    const ring = ringing(b, 'alice');
    await ring.waitFor({ timeout: 30_000 });
    await ring.getByRole('button', { name: 'Answer with video' }).click();
    for (const [page, peer] of [
      [a, 'bob'],
      [b, 'alice'],
    ] as const) {
      await page.getByRole('region', { name: new RegExp(`Call (to|from) ${peer}`) }).getByRole('status').filter({ hasText: 'In call' }).waitFor({ timeout: 30_000 });
      // Frames arrive in the remote video: the count of decoded frames rises.
      const frames = () => page.getByLabel(`Video from ${peer}`).evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames);
      const first = await frames();
      await expect.poll(frames, { timeout: 20_000 }).toBeGreaterThan(first);
    }
    await a.getByRole('button', { name: 'Hang up' }).click();
    await b.getByRole('region', { name: /Call from alice/ }).getByRole('status').filter({ hasText: /hung up|ended/ }).waitFor({ timeout: 20_000 });
    await alice.close();
    await bob.close();
  }, 300_000);
});
