/**
 * Video mail end to end: alice records a message for bob with the fake
 * camera and closes her tab; bob, whenever he looks, plays it (served by the
 * other tabs' fragments), alice later sees "seen", and bob deletes it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { goTo, launchChromium, newPerson, openPeer, pageErrors, waitOnline } from './harness.ts';
import { claimName, reachable } from './phone.ts';
import { waitForRing } from './ring.ts';

let browser: Browser;
let alice: BrowserContext;
let bob: BrowserContext;
let a: Page;
let b: Page;
let others: Page[];

beforeAll(async () => {
  browser = await launchChromium();
  alice = await newPerson(browser);
  bob = await newPerson(browser);
  const carol = await newPerson(browser);
  b = await openPeer(bob);
  a = await openPeer(alice);
  others = [await openPeer(carol), await openPeer(carol)];
  await Promise.all([a, b, ...others].map((p) => waitOnline(p)));
  await waitForRing([a, b, ...others]);
  await claimName(b, 'bob');
  await claimName(a, 'alice');
}, 150_000);

afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

/** Records about `seconds` of fake camera for `to` and sends it; returns the dialog's final status text. */
async function leaveMessage(page: Page, to: string, seconds: number): Promise<string> {
  await goTo(page, 'Video mail');
  await page.getByRole('textbox', { name: 'Their name' }).fill(to);
  await page.getByRole('button', { name: 'Record a message' }).click();
  const dialog = page.getByRole('dialog', { name: `Leave a video message for ${to}` });
  await dialog.getByRole('button', { name: 'Start recording' }).click();
  await page.waitForTimeout(seconds * 1000);
  await dialog.getByRole('button', { name: 'Stop recording' }).click();
  await dialog.getByRole('button', { name: 'Send' }).click();
  await dialog.getByText('The message is stored in the network; you can close this tab.').waitFor({ timeout: 60_000 });
  const status = (await dialog.getByRole('status').innerText()).replace(/\s+/g, ' ');
  await page.screenshot({ path: 'e2e/artifacts/mail-sent.png' });
  await dialog.getByRole('button', { name: 'Close' }).click();
  return status;
}

/** Presses "Check for new messages" until the mailbox lists a message from `from` (or none is left, with `gone`). */
async function waitMailbox(page: Page, from: string, gone = false, timeout = 30_000): Promise<void> {
  await goTo(page, 'Video mail');
  const item = page.getByRole('listitem', { name: new RegExp(`^From ${from},`) });
  const until = Date.now() + timeout;
  for (;;) {
    if (((await item.count()) > 0) !== gone) return;
    if (Date.now() > until) throw new Error(`the mailbox ${gone ? 'still lists' : 'does not list'} a message from ${from}`);
    const check = page.getByRole('button', { name: 'Check for new messages' });
    if (await check.isEnabled()) await check.click();
    await page.waitForTimeout(1000);
  }
}

it('alice leaves bob a video message and closes her tab; bob sees the badge, plays it, and alice sees it was seen', async () => {
  const status = await leaveMessage(a, 'bob', 3);
  expect(status).toMatch(/stored: 8 of 8 fragments/);
  await a.close();

  await waitMailbox(b, 'alice');
  await expect(b.getByRole('button', { name: /^Mailbox, 1 new message$/ }).count()).resolves.toBe(1);
  const item = b.getByRole('listitem', { name: /^From alice,/ });
  await item.getByText(/fragments online: \d of 8 \(needs 4\)/).waitFor({ timeout: 30_000 });
  await item.getByRole('button', { name: 'Play message from alice' }).click();
  const video = item.getByRole('img', { name: 'Video message from alice' }).or(b.locator('video[aria-label="Video message from alice"]'));
  await video.first().waitFor({ timeout: 60_000 });
  const frames = await b.waitForFunction(
    () => {
      const v = document.querySelector<HTMLVideoElement>('video[aria-label="Video message from alice"]');
      const n = v?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
      return n > 5 ? n : false;
    },
    undefined,
    { timeout: 30_000 },
  );
  expect(Number(await frames.jsonValue())).toBeGreaterThan(5);
  await b.screenshot({ path: 'e2e/artifacts/mail-mailbox.png' });
  await expect(b.getByRole('button', { name: 'Mailbox, no new messages' }).count()).resolves.toBe(1);

  // Alice comes back later in a new tab: her sent list says bob has seen it.
  a = await openPeer(alice);
  await waitOnline(a);
  await reachable(a, 'alice');
  await goTo(a, 'Video mail');
  const sent = a.getByRole('region', { name: 'Sent video messages' }).getByRole('listitem').filter({ hasText: 'To bob' });
  const until = Date.now() + 40_000;
  while (!/seen /.test(await sent.innerText())) {
    if (Date.now() > until) throw new Error(`alice's sent list says: ${await sent.innerText()}`);
    await a.waitForTimeout(1000);
    await goTo(a, 'Video mail');
  }
}, 240_000);

it('bob deletes the message and it stays gone after a reload', async () => {
  const item = b.getByRole('listitem', { name: /^From alice,/ });
  await item.getByRole('button', { name: 'Delete message from alice' }).click();
  await waitMailbox(b, 'alice', true);
  await b.reload();
  await reachable(b, 'bob');
  await goTo(b, 'Video mail');
  await b.getByRole('button', { name: 'Check for new messages' }).waitFor();
  await b.waitForTimeout(2000);
  await waitMailbox(b, 'alice', true);
}, 120_000);
