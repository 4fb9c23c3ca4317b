/**
 * Shared set-up of the browser benchmarks that need people with names: one
 * person (browser context) per tab, loaded one after another, the ring
 * formed, and names claimed with retries. Imported after APP_URL is set.
 */
import type { Browser, Page } from 'playwright-core';
import { newPerson, openPeer, waitOnline } from './harness.ts';
import { allowEverything, waitForRing } from './ring.ts';

/** Opens `tabs` people, one tab each, and waits for one consistent ring; returns the tabs and how long it took. */
export async function openPeopleRing(browser: Browser, tabs: number): Promise<{ pages: Page[]; formedMs: number }> {
  const loadStart = Date.now();
  const pages: Page[] = [];
  for (let i = 0; i < tabs; i++) {
    pages.push(await openPeer(await newPerson(browser)));
    await allowEverything(pages, 300);
  }
  await Promise.all(pages.map((p) => waitOnline(p, 60_000)));
  await waitForRing(pages, 240_000);
  return { pages, formedMs: Date.now() - loadStart };
}

type ClaimWin = { __softphone: { phone: { claim(name: string): Promise<string | null> } } };

/** Claims `name` in `page`, up to 3 times 2 s apart; returns the failed attempts' words, throws after the third. */
export async function claimForBench(page: Page, name: string): Promise<string[]> {
  const failures: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const err = await page.evaluate((n) => (window as unknown as ClaimWin).__softphone.phone.claim(n), name);
    if (!err) return failures;
    failures.push(`${name}: ${err}`);
    if (attempt === 3) throw new Error(`${name} could not be claimed: ${failures.join('; ')}`);
    await page.waitForTimeout(2000);
  }
}
