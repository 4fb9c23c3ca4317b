import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { goTo, launchChromium, newPerson, pageErrors } from './harness.ts';
import { openRing, ringIsConsistent } from './ring.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

describe('the live overlay', () => {
  it('tabs form one ring whose successors and predecessors agree with the sorted node IDs', async () => {
    const ctx = await newPerson(browser);
    const pages = await openRing(ctx, Number(process.env['RING_TABS'] ?? 4));
    expect((await ringIsConsistent(pages)).ok).toBe(true);
    await goTo(pages[0]!, 'Network');
    await pages[0]!.screenshot({ path: 'e2e/artifacts/ring.png', fullPage: true });
    await ctx.close();
  });
});
