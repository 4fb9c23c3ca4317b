/** Helpers for suites that need a formed overlay ring of real tabs. */
import type { BrowserContext, Page } from 'playwright-core';
import { nodeIdOf, waitOnline } from './harness.ts';
import { openPeer } from './browser.ts';

export interface RingView {
  self: string;
  predecessor: string | null;
  successors: string[];
  records: number;
}

export function ringOf(page: Page): Promise<RingView> {
  return page.evaluate(() => {
    const s = window.softphoneTest!.ring();
    if (!s) throw new Error('no overlay yet');
    return { self: s.self, predecessor: s.predecessor, successors: s.successors, records: s.records };
  });
}

/** Answers "Always allow" to every permission question showing in any of `pages`, until none shows for `quietMs`. */
export async function allowEverything(pages: Page[], quietMs = 1500): Promise<number> {
  let answered = 0;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    let any = false;
    for (const p of pages) {
      const dialog = p.getByRole('alertdialog');
      if ((await dialog.count()) > 0) {
        // A question can go before the click lands: one "Always allow" settles the same question in the person's
        // other tabs. Without a bound the click would wait out Playwright's 30 s for it; one still showing is clicked next round.
        await dialog.getByRole('button', { name: 'Always allow', exact: true }).click({ timeout: 2000 }).catch(() => undefined);
        answered++;
        any = true;
      }
    }
    if (any) quietSince = Date.now();
    await new Promise((r) => setTimeout(r, 100));
  }
  return answered;
}

/** Whether every tab's predecessor and first successor agree with the sorted list of node IDs. */
export async function ringIsConsistent(pages: Page[]): Promise<{ ok: boolean; detail: string }> {
  const views = await Promise.all(pages.map(ringOf));
  const ids = views.map((v) => v.self).sort();
  const problems: string[] = [];
  if (views.length === 1) {
    const v = views[0]!;
    return { ok: v.successors.length === 0 && v.predecessor === null, detail: 'a ring of one' };
  }
  for (const v of views) {
    const i = ids.indexOf(v.self);
    const succ = ids[(i + 1) % ids.length]!;
    const pred = ids[(i - 1 + ids.length) % ids.length]!;
    if (v.successors[0] !== succ) problems.push(`${v.self.slice(0, 6)} successor ${v.successors[0]?.slice(0, 6)} ≠ ${succ.slice(0, 6)}`);
    if (v.predecessor !== pred) problems.push(`${v.self.slice(0, 6)} predecessor ${v.predecessor?.slice(0, 6)} ≠ ${pred.slice(0, 6)}`);
  }
  return { ok: problems.length === 0, detail: problems.join('; ') };
}

/** Waits until the ring of `pages` is consistent, answering permission questions on the way. */
export async function waitForRing(pages: Page[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    await allowEverything(pages, 300);
    const r = await ringIsConsistent(pages);
    if (r.ok) return;
    last = r.detail;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`the ring did not form in ${timeoutMs} ms: ${last}`);
}

/** Opens `n` tabs of one person and waits until they form one ring. */
export async function openRing(context: BrowserContext, n: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) {
    const p = await openPeer(context);
    await waitOnline(p);
    pages.push(p);
    await allowEverything(pages, 800);
  }
  await waitForRing(pages);
  return pages;
}

export { nodeIdOf };

/** Reads the note under `key` through the page's own overlay node. */
export function readNote(page: Page, key: string): Promise<string | null> {
  return page.evaluate((k) => window.softphoneTest!.getNote(k), key);
}

export function holdsRecord(page: Page, key: string): Promise<boolean> {
  return page.evaluate((k) => window.softphoneTest!.holds(k), key);
}

export function lookupFrom(page: Page, key: string, mode: 'recursive' | 'iterative'): Promise<{ successor: string; hops: number }> {
  return page.evaluate(([k, m]) => window.softphoneTest!.consoleLookup(k, m), [key, mode] as const);
}

/** The node responsible for `key` among `ids`: the first ID at or after it on the ring. */
export function successorOf(key: string, ids: string[]): string {
  const sorted = [...ids].sort();
  return sorted.find((id) => id >= key) ?? sorted[0]!;
}

/** The r nodes that should hold `key`: its successor and the r-1 after it. */
export function replicaSetOf(key: string, ids: string[], r = 4): string[] {
  const sorted = [...ids].sort();
  const start = sorted.indexOf(successorOf(key, ids));
  return Array.from({ length: Math.min(r, sorted.length) }, (_, i) => sorted[(start + i) % sorted.length]!);
}
