/** Tabs of the NAT suite: the app opened from the public node's address, and the ICE list the node gave the tab. */
import type { BrowserContext, Page } from 'playwright-core';
import { allowEverything, ringOf } from './ring.ts';
import { started } from './harness.ts';

/** Opens the app at `url` in a new tab of `context`, collects its page errors into `errors`, and waits until it shows its node ID. */
export async function openAt(context: BrowserContext, url: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  // A node started a moment ago on a loaded machine may take a while to serve its first page.
  await page.goto(url + '/', { timeout: 90_000 });
  await started(page).waitFor({ timeout: 60_000 });
  return page;
}

/** The node's answer at /ice-servers as the tab holds it now. */
export interface IceList {
  iceServers: RTCIceServer[];
  /** epoch ms; 0 before the first answer */
  expiresAt: number;
  /** The tab's check of the relay: none, checking, ready, refused, unreachable. */
  relay: string;
  /** What the tab says is wrong with the list or the relay, in words ('' when nothing). */
  problem: string;
}

/** The STUN/TURN list the tab got from its node and uses now (the test handle's view), with its expiry. */
export function currentIceServers(page: Page): Promise<IceList> {
  return page.evaluate(() => {
    const l = window.softphoneTest!.iceServers();
    return { iceServers: l.servers, expiresAt: l.expiresAt ?? 0, relay: l.relay, problem: [l.problem, l.relayProblem].filter(Boolean).join(' ') };
  });
}

/**
 * Waits until `pages` sit in one consistent ring together with peers that are
 * not tabs here (the node's service peer): every ID any of them names as
 * predecessor or first successor counts as a member, and each tab's
 * neighbours must be its neighbours in the sorted list of all members.
 */
export async function waitForRingWithOthers(pages: Page[], minMembers: number, timeoutMs: number): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await allowEverything(pages, 300);
    const views = await Promise.all(pages.map(ringOf));
    const ids = [...new Set(views.flatMap((v) => [v.self, v.predecessor ?? '', v.successors[0] ?? '']).filter(Boolean))].sort();
    const problems = views.flatMap((v) => {
      const i = ids.indexOf(v.self);
      const succ = ids[(i + 1) % ids.length];
      const pred = ids[(i - 1 + ids.length) % ids.length];
      return v.successors[0] === succ && v.predecessor === pred ? [] : [`${v.self.slice(0, 6)}: ${v.predecessor?.slice(0, 6)} < · < ${v.successors[0]?.slice(0, 6)}, expected ${pred?.slice(0, 6)} < · < ${succ?.slice(0, 6)}`];
    });
    if (ids.length >= minMembers && problems.length === 0) return ids;
    if (Date.now() > until) throw new Error(`the ring did not form in ${timeoutMs} ms: ${ids.length} members; ${problems.join('; ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
