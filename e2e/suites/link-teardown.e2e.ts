/**
 * Every way a link ends releases its WebRTC connection on both sides: the
 * page's RTCPeerConnections that are not closed always come back to the
 * number of live links (issue 13, kind 2). Before the fix, PeerJS's flushing
 * close on a raw data connection sent "[object Object]" instead of closing,
 * and both connections stayed up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import type { DataConnection } from 'peerjs';
import type { LinkEndCode } from '../../app/transport/index.ts';
import { answerQuestion, nodeIdOf, waitOnline } from '../helpers/harness.ts';
import { linkCount, countPeerConnections, waitConnectionsMatchLinks } from '../helpers/peer-connections.ts';
import { allowEverything, openRing, waitForRing } from '../helpers/ring.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

type ForeignHandle = { __foreign?: DataConnection };

const web = useBrowser();
let ctx: BrowserContext;
let pages: Page[] = [];
/** How long each teardown took to release its connections, for the report. */
const released: Record<string, number[]> = {};

beforeAll(async () => {
  ctx = await web.newPerson();
  await countPeerConnections(ctx);
  pages = await openRing(ctx, 2);
});

afterAll(async () => {
  console.log(`[link-teardown] ms until open RTCPeerConnections matched live links: ${JSON.stringify(released)}`);
});

async function allMatch(what: string, ps: Page[], timeoutMs = 30_000): Promise<void> {
  const ms = await Promise.all(ps.map((p) => waitConnectionsMatchLinks(p, timeoutMs)));
  (released[what] ??= []).push(...ms);
}

function disconnect(page: Page, nodeId: string, code: LinkEndCode): Promise<void> {
  return page.evaluate(([id, c]) => window.softphoneTest!.disconnectLink(id, c), [nodeId, code] as const);
}

function linkedIds(page: Page): Promise<string[]> {
  return page.evaluate(() => window.softphoneTest!.linkedIds());
}

describe('a closed link releases its RTCPeerConnection on both sides', () => {
  it('closed by one side (as by the person, an eviction or a revoked rule)', async () => {
    const [a, b] = pages as [Page, Page];
    await allMatch('formed', [a, b]);
    expect(await linkCount(a)).toBe(1);
    await disconnect(a, await nodeIdOf(b), 'closed-by-you');
    await allMatch('closed by one side', [a, b]);
  });

  it('a data connection of a kind the tab does not take (an unknown label) is closed at once', async () => {
    const [a, b] = pages as [Page, Page];
    const bId = await nodeIdOf(b);
    await a.evaluate(
      (target) =>
        new Promise<void>((resolve) => {
          const w = window as unknown as ForeignHandle;
          const conn = window.softphoneTest!.signalingPeer()!.connect(target, { reliable: true, serialization: 'raw', label: 'not-a-link' });
          w.__foreign = conn;
          // The offer reaches b (b answers, then closes); resolve either way and let b's count speak.
          conn.on('open', () => resolve());
          conn.on('close', () => resolve());
          conn.on('error', () => resolve());
          setTimeout(resolve, 5000);
        }),
      bId,
    );
    await allMatch('unknown label', [b]);
    // The test's own end of it is the test's to close.
    await a.evaluate(() => (window as unknown as ForeignHandle).__foreign?.close());
    await allMatch('unknown label', [a]);
  });

  it('refused by the far side’s permission gate', async () => {
    const carol = await web.newPerson();
    await countPeerConnections(carol);
    const c = await openPeer(carol);
    await waitOnline(c);
    expect(await answerQuestion(c, 'Always deny')).toMatch(/Join the network/);
    // Carol's tab keeps trying the others and refusing; each attempt must end released.
    await c.waitForFunction(() =>
      Object.keys(window.softphoneTest!.refusals()).some((k) =>
        k.startsWith('not allowed'),
      ),
    );
    await allMatch('refused', [c, ...pages]);
    expect(await linkCount(c)).toBe(0);
    await carol.close();
    await allMatch('refused', pages);
  });

  it('ended by unanswered keep-alives while the far tab hangs', async () => {
    const [a, b] = pages as [Page, Page];
    const cdp = await ctx.newCDPSession(b);
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.pause');
    try {
      // a gives up on b after three missed keep-alives.
      const deadline = Date.now() + 60_000;
      while ((await linkCount(a)) > 0 && Date.now() < deadline) await a.waitForTimeout(500);
      expect(await linkCount(a)).toBe(0);
    } finally {
      await cdp.send('Debugger.resume');
      await cdp.detach();
    }
    await allMatch('dead keep-alive', [a, b], 60_000);
  });

  it('a tab leaving', async () => {
    pages.push(await openPeer(ctx));
    await waitOnline(pages[2]!);
    await waitForRing(pages);
    const leaving = pages.pop()!;
    await leaving.close({ runBeforeUnload: true });
    await allMatch('tab leaving', pages);
  });

  it('after a long churn of joins, leaves and closed links, open connections equal live links in every tab', async () => {
    let seed = 13;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 12; round++) {
      const action = pages.length < 3 ? 0 : rand(3);
      if (action === 0) {
        const p = await openPeer(ctx);
        await waitOnline(p);
        pages.push(p);
      } else if (action === 1) {
        const [gone] = pages.splice(rand(pages.length), 1);
        await gone!.close({ runBeforeUnload: true });
      } else {
        const p = pages[rand(pages.length)]!;
        const ids = await linkedIds(p);
        if (ids.length > 0) await disconnect(p, ids[rand(ids.length)]!, 'closed-by-you');
      }
      await allowEverything(pages, 300);
    }
    await waitForRing(pages, 90_000);
    await allMatch('after churn', pages, 60_000);
  });
});
