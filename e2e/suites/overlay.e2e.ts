import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { answerQuestion, goTo, nodeIdOf, waitOnline } from '../helpers/harness.ts';
import { holdsRecord, lookupFrom, openRing, readNote, replicaSetOf, ringIsConsistent, ringOf, waitForRing } from '../helpers/ring.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

const TABS = Number(process.env['RING_TABS'] ?? 8);
const web = useBrowser();
let ctx: BrowserContext;
let pages: Page[];
let key = '';

beforeAll(async () => {
  ctx = await web.newPerson();
});

async function ids(ps: Page[]): Promise<string[]> {
  return Promise.all(ps.map(async (p) => (await ringOf(p)).self));
}

describe('the live overlay', () => {
  it(`${TABS} tabs form one ring whose successors and predecessors agree with the sorted node IDs`, async () => {
    const started = Date.now();
    pages = await openRing(ctx, TABS);
    expect((await ringIsConsistent(pages)).ok).toBe(true);
    console.log(`[overlay] ${TABS}-tab ring consistent ${Date.now() - started} ms after the first tab opened`);
    await goTo(pages[0]!, 'Network');
    await pages[0]!.screenshot({ path: `e2e/artifacts/ring-${TABS}.png`, fullPage: true });
  });

  it('a record put from one tab is read from every other tab, and its r copies sit on the right tabs', async () => {
    const p0 = pages[0]!;
    await p0.getByLabel('Key (40 hex digits, or any text to hash)').fill('e2e-note');
    await p0.getByLabel(/Text to store under the key/).fill('hello ring');
    await p0.getByRole('button', { name: 'Store' }).click();
    const stored = await p0.getByTestId('lookup-result').filter({ hasText: /^Stored under/ }).textContent();
    expect(stored).toMatch(new RegExp(`on ${Math.min(4, TABS)} replicas\\.$`));
    key = await p0.evaluate(async () => {
      const bytes = new TextEncoder().encode('e2e-note');
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)).subarray(0, 20);
      return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
    });
    for (const p of pages) expect(await readNote(p, key)).toBe('hello ring');
    const all = await ids(pages);
    const expected = replicaSetOf(key, all).sort();
    const holders = (await Promise.all(pages.map(async (p, i) => ((await holdsRecord(p, key)) ? all[i]! : null)))).filter((x): x is string => !!x).sort();
    expect(holders).toEqual(expected);
  });

  it('survives two tabs closing at once (one holding the record) and one crashing: data readable, lookups work, ring heals', async () => {
    const all = await ids(pages);
    const holders = replicaSetOf(key, all);
    const holderPage = pages[all.indexOf(holders[0]!)]!;
    const others = pages.filter((p) => p !== holderPage);
    const closing = [holderPage, others[0]!];
    const crashing = others[1]!;
    const survivors = pages.filter((p) => !closing.includes(p) && p !== crashing);
    const cdp = await ctx.newCDPSession(crashing);
    const crashed = new Promise<void>((r) => crashing.once('crash', () => r()));
    // The crash gets no pagehide: its neighbours find out by keep-alive.
    void cdp.send('Page.crash').catch(() => undefined);
    await Promise.all([...closing.map((p) => p.close({ runBeforeUnload: true })), crashed]);
    pages = survivors;
    await waitForRing(pages, 60_000);
    const alive = await ids(pages);
    // Right after the ring heals, nodes may still hold the dead as suspects for a moment;
    // wait (bounded) until each survivor's own lookup of the key succeeds, then check everything.
    const deadline = Date.now() + 20_000;
    for (const p of pages) {
      for (;;) {
        const ok = await lookupFrom(p, key, 'recursive').then((r) => alive.includes(r.successor), () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error('lookups did not recover within 20 s of the ring healing');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const outcomes: string[] = [];
    for (const [i, p] of pages.entries()) {
      for (const step of ['read', 'recursive', 'iterative'] as const) {
        try {
          if (step === 'read') outcomes.push(`${i} read ${await readNote(p, key)}`);
          else outcomes.push(`${i} ${step} ${alive.includes((await lookupFrom(p, key, step)).successor) ? 'ok' : 'dead successor'}`);
        } catch (e) {
          outcomes.push(`${i} ${step} failed: ${(e as Error).message.slice(0, 120)}`);
        }
      }
    }
    expect(outcomes.filter((o) => !/ (read hello ring|recursive ok|iterative ok)$/.test(o))).toEqual([]);
  });

  it('a reloaded tab keeps its node ID and its records, and the ring is consistent again', async () => {
    const all = await ids(pages);
    const holderIdx = (await Promise.all(pages.map((p) => holdsRecord(p, key)))).indexOf(true);
    expect(holderIdx).toBeGreaterThanOrEqual(0);
    const p = pages[holderIdx]!;
    const before = all[holderIdx]!;
    await p.reload();
    await waitOnline(p);
    expect(await nodeIdOf(p)).toBe(before);
    await waitForRing(pages, 60_000);
    expect(await holdsRecord(p, key)).toBe(true);
    expect((await ringOf(p)).self).toBe(before);
  });

  it('a tab whose permission gate refuses overlay links stays out of the ring and says why', async () => {
    const loner = await web.newPerson();
    const p = await openPeer(loner);
    await waitOnline(p);
    expect(await answerQuestion(p, 'Always deny')).toMatch(/Join the network/);
    await goTo(p, 'Network');
    await p.getByTestId('ring-status').filter({ hasText: /not in the ring: you refused links to the network “p2p.local”/ }).waitFor({ timeout: 30_000 });
    const me = (await ringOf(p)).self;
    for (const other of pages) {
      const v = await ringOf(other);
      expect([v.predecessor, ...v.successors]).not.toContain(me);
    }
    await p.screenshot({ path: 'e2e/artifacts/refused-network.png', fullPage: true });
    await loner.close();
  });
});
