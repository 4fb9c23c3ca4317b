/**
 * Counts a page's RTCPeerConnections that are not closed: an init script
 * wraps the constructor before any app script runs, so every connection the
 * page makes (PeerJS links, JsSIP calls) is seen. Used to prove that a closed
 * link releases its WebRTC connection on both sides.
 */
import type { BrowserContext, Page } from 'playwright-core';

type Win = { __peerConnections?: RTCPeerConnection[] };

/** Installs the counter in every page `context` opens from now on. */
export async function countPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as Win & { RTCPeerConnection: typeof RTCPeerConnection };
    const made: RTCPeerConnection[] = [];
    w.__peerConnections = made;
    const Native = w.RTCPeerConnection;
    w.RTCPeerConnection = class CountedPeerConnection extends Native {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        made.push(this);
      }
    };
  });
}

/** How many of the page's RTCPeerConnections are not `closed` (connectionState). */
export function openPeerConnections(page: Page): Promise<number> {
  return page.evaluate(() => {
    const made = (window as unknown as Win).__peerConnections;
    if (!made) throw new Error('countPeerConnections was not installed before this page opened');
    return made.filter((pc) => pc.connectionState !== 'closed').length;
  });
}

/** The page's live (handshaken) links. */
export function linkCount(page: Page): Promise<number> {
  return page.evaluate(() => window.softphoneTest!.linkedIds().length);
}

/**
 * Waits until the page's open RTCPeerConnections equal its live links, seen
 * twice in a row (a re-dial in progress holds a connection for a moment).
 * Resolves with the ms it took; rejects after `timeoutMs` with both counts.
 */
export async function waitConnectionsMatchLinks(page: Page, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  let last = '';
  let agreedAt: number | null = null;
  while (Date.now() - started < timeoutMs) {
    const [pcs, links] = await Promise.all([openPeerConnections(page), linkCount(page)]);
    last = `${pcs} open RTCPeerConnections for ${links} live links`;
    if (pcs !== links) agreedAt = null;
    else if (agreedAt === null) agreedAt = Date.now();
    else return agreedAt - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`connections never matched links in ${timeoutMs} ms: ${last}`);
}
