/**
 * Tabs whose clocks disagree (issue 13, "clocks that disagree"), in real
 * Chromium: alice's browser clock runs 6 minutes behind, bob's 3 minutes
 * ahead, the service peer's is right. Both register, find each other and
 * chat both ways: every expiry and time they exchange is read with the
 * tolerated skew (10 minutes).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { answerQuestion, waitOnline } from '../helpers/harness.ts';
import { claimName, dial } from '../helpers/phone.ts';
import { waitForRing } from '../helpers/ring.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

const MIN = 60_000;
const web = useBrowser();
let a: Page;
let b: Page;

/**
 * Sets every tab of `context` reading its clock `offsetMs` off (negative:
 * behind). Only the reading moves (Date.now and new Date()); timers run as
 * they do, the way a machine whose clock is wrongly set behaves.
 */
async function skewClock(context: BrowserContext, offsetMs: number): Promise<void> {
  await context.addInitScript((offset: number) => {
    const RealDate = Date;
    class SkewedDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(RealDate.now() + offset);
        else super(...(args as [number]));
      }
      static override now(): number {
        return RealDate.now() + offset;
      }
    }
    globalThis.Date = SkewedDate as DateConstructor;
  }, offsetMs);
}

/** Waits until `text` from `from` shows on `page`; on timeout says what both tabs show. */
async function arrives(page: Page, from: string, text: string, sender: Page): Promise<void> {
  try {
    await page.getByRole('list', { name: `Messages with ${from}` }).getByText(text).waitFor({ timeout: 45_000 });
  } catch {
    throw new Error(`"${text}" did not arrive; the receiver shows: ${await shows(page)}; the sender shows: ${await shows(sender)}`);
  }
}

const shows = async (p: Page): Promise<string> => (await p.locator('main').innerText()).replace(/\s+/g, ' ').slice(0, 600);

/** Answers the first contact's question on `page` with "Always allow"; on timeout says what the sender shows. */
async function asked(page: Page, sender: Page): Promise<string> {
  try {
    return await answerQuestion(page, 'Always allow', 45_000);
  } catch {
    throw new Error(`no question came; the sender shows: ${await shows(sender)}`);
  }
}

/** The time a tab's own clock reads, as the app sees it. */
const tabNow = (page: Page): Promise<number> => page.evaluate(() => Date.now());

beforeAll(async () => {
  const alice = await web.newPerson();
  const bob = await web.newPerson();
  await skewClock(alice, -6 * MIN);
  await skewClock(bob, 3 * MIN);
  b = await openPeer(bob);
  a = await openPeer(alice);
  await Promise.all([waitOnline(a), waitOnline(b)]);
  await waitForRing([a, b]);
}, 120_000);

describe('people whose clocks are minutes apart', () => {
  it('alice (6 min behind) and bob (3 min ahead) register, reach each other and chat both ways', async () => {
    const skew = (await tabNow(b)) - (await tabNow(a));
    expect(skew).toBeGreaterThan(8.5 * MIN);
    expect(skew).toBeLessThan(9.5 * MIN);
    await claimName(b, 'bob');
    await claimName(a, 'alice');

    await dial(b, 'alice', 'Send a message');
    await b.getByLabel('Message to alice').fill('hello from the future');
    await b.getByRole('button', { name: 'Send', exact: true }).click();
    expect(await asked(a, b)).toMatch(/bob/);
    await arrives(a, 'bob', 'hello from the future', b);

    // Bob wrote first, so alice's answer comes back without a question on his side (calling back is not a question).
    await dial(a, 'bob', 'Send a message');
    await a.getByLabel('Message to bob').fill('hello from the past');
    await a.getByRole('button', { name: 'Send', exact: true }).click();
    await arrives(b, 'alice', 'hello from the past', a);
    expect(await b.getByRole('alertdialog').count()).toBe(0);
  }, 240_000);
});
