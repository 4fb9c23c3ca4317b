/**
 * Video mail end to end: alice records a message for bob with the fake
 * camera and closes her tab; bob, whenever he looks, plays it (served by the
 * other tabs' fragments), alice later sees "seen", and bob deletes it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { goTo, launchChromium, newPerson, openPeer, pageErrors, waitOnline } from './harness.ts';
import { claimName, reachable } from './phone.ts';
import { leaveMessage, videoFramesPlayed, waitMailbox } from './mail.ts';
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
  expect(await videoFramesPlayed(b, 'alice')).toBeGreaterThan(5);
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
