import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { allowJoiningWhenAsked, goTo, nodeIdOf, signalingStatus, userIdOf, waitOnline, started } from '../helpers/harness.ts';
import { echo, openEchoLink, serveEcho } from '../helpers/peer-link.ts';
import { startSignaling, type ServerProcess } from '../runner/server-process.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

const web = useBrowser();

type Snap = { signaling: { kind: string; retryInMs?: number } };
const snapshot = (page: Page): Promise<Snap> =>
  page.evaluate(() => window.softphoneTest!.app());

describe('the app shell', () => {
  it('loads, shows its node ID and goes online with the embedded signaling server', async () => {
    const ctx = await web.newPerson();
    // Paths of the WebSockets that received a frame, i.e. that really connected.
    const sockets: string[] = [];
    ctx.on('page', (p) =>
      p.on('websocket', (ws) => ws.once('framereceived', () => sockets.push(new URL(ws.url()).pathname))),
    );
    const page = await openPeer(ctx);
    expect(await nodeIdOf(page)).toMatch(/^[0-9a-f]{40}$/);
    await waitOnline(page);
    // Only the signaling socket connects: `npm start` serves no hot-reload socket, whose return after a restart would reload the tab.
    await expect.poll(() => sockets.slice().sort()).toEqual(['/peerjs/peerjs']);
    // The tab's identity is on Settings.
    await goTo(page, 'Settings');
    await expect(page.getByRole('button', { name: 'Copy node ID' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: 'e2e/artifacts/shell.png', fullPage: true });
    await ctx.close();
  });
});

describe('identity', () => {
  it('keeps a tab’s node ID across reloads, gives tabs distinct node IDs and people distinct user IDs', async () => {
    const alice = await web.newPerson();
    const [a1, a2] = [await openPeer(alice), await openPeer(alice)];
    const [id1, id2] = [await nodeIdOf(a1), await nodeIdOf(a2)];
    expect(id1).not.toBe(id2);
    expect(await userIdOf(a1)).toBe(await userIdOf(a2));

    for (const [page, id] of [
      [a1, id1],
      [a2, id2],
      [a1, id1],
    ] as const) {
      await page.reload();
      await started(page).waitFor();
      expect(await nodeIdOf(page)).toBe(id);
    }

    const bob = await web.newPerson();
    const b1 = await openPeer(bob);
    expect(await userIdOf(b1)).not.toBe(await userIdOf(a1));
    expect([id1, id2]).not.toContain(await nodeIdOf(b1));
    await alice.close();
    await bob.close();
  });
});

describe('WebRTC in the harness', () => {
  it('two tabs open a PeerJS data connection over loopback and exchange messages', async () => {
    const ctx = await web.newPerson();
    const [a, b] = [await openPeer(ctx), await openPeer(ctx)];
    await Promise.all([waitOnline(a), waitOnline(b)]);
    await serveEcho(b);
    await openEchoLink(a, await nodeIdOf(b));
    expect(await echo(a, 'hello over loopback')).toBe('echo:hello over loopback');
    // The candidates that carried it are loopback ones.
    const remote = await a.evaluate(async () => {
      const w = window as unknown as { __echoConn: { peerConnection: RTCPeerConnection } };
      const stats = await w.__echoConn.peerConnection.getStats();
      const out: string[] = [];
      stats.forEach((s: { type: string; address?: string; ip?: string }) => {
        if (s.type === 'remote-candidate' || s.type === 'local-candidate') out.push(s.address ?? s.ip ?? '');
      });
      return out;
    });
    expect(remote.length).toBeGreaterThan(0);
    for (const addr of remote) expect(addr).toMatch(/^(127\.|::1$)/);
    await ctx.close();
  });
});

describe('signaling outage', () => {
  let signaling: ServerProcess;

  afterAll(async () => {
    await signaling?.stop();
  });

  it('shows “offline, retrying” with growing waits, keeps data connections, and comes back by itself', async () => {
    signaling = await startSignaling();
    const query = `?signaling=${encodeURIComponent(`${signaling.url}/peerjs`)}`;
    const ctx = await web.newPerson();
    const [a, b] = [await openPeer(ctx, query), await openPeer(ctx, query)];
    await Promise.all([allowJoiningWhenAsked(a), allowJoiningWhenAsked(b)]);
    await Promise.all([waitOnline(a), waitOnline(b)]);
    await serveEcho(b);
    await openEchoLink(a, await nodeIdOf(b));
    expect(await echo(a, 'before')).toBe('echo:before');

    const port = signaling.port;
    await goTo(a, 'Settings');
    await signaling.stop('SIGKILL');
    await signalingStatus(a).filter({ hasText: /^Offline, retrying in \d+ s/ }).waitFor({ timeout: 15_000 });

    // Watch the waits between tries grow while the server stays away.
    const waits: number[] = [];
    const until = Date.now() + 9000;
    while (Date.now() < until) {
      const s = await snapshot(a);
      if (s.signaling.kind === 'offline' && s.signaling.retryInMs !== waits.at(-1)) waits.push(s.signaling.retryInMs!);
      await new Promise((r) => setTimeout(r, 50));
    }
    // 0.5 s doubling, each wait moved by up to ±25 % of random jitter so tabs do not come back together.
    // On a loaded machine the first short wait can pass before the page is read: the waits seen
    // start at the first, second or third step of the doubling.
    expect(waits.length).toBeGreaterThanOrEqual(3);
    const within = (w: number, step: number): boolean => w >= 500 * 2 ** step * 0.75 && w <= 500 * 2 ** step * 1.25;
    const first = [0, 1, 2].find((k) => within(waits[0]!, k));
    expect(first, `first wait ${waits[0]} ms is not a jittered 0.5, 1 or 2 s`).toBeDefined();
    waits.forEach((w, i) => expect(within(w, first! + i), `wait ${i}: ${w} ms`).toBe(true));

    // The data connection does not need the server.
    expect(await echo(a, 'during the outage')).toBe('echo:during the outage');

    signaling = await startSignaling(port);
    await Promise.all([waitOnline(a, 30_000), waitOnline(b, 30_000)]);
    expect(await echo(a, 'after')).toBe('echo:after');
    await ctx.close();
  });
});
