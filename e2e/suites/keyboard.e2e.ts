/**
 * Keyboard only (issue 19): alice and bob claim their names, alice dials bob
 * with Enter in the Name field, bob answers the permission question and the
 * ringing call, both reach Hang up in one Tab, alice records and sends a
 * video message; every modal dialog keeps focus inside while it is open,
 * closes on Escape, and gives focus back to where it was. Then the
 * calling-back rule: bob writes back to alice, who called him, and alice is
 * not asked "Let bob connect?"; her Permissions page shows why.
 * Everything is done with page.keyboard; the test only reads the pages.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitOnline } from '../helpers/harness.ts';
import { escapesFromDialog, focused, tabTo, waitFocus } from '../helpers/keyboard.ts';
import { reachable, waitCall } from '../helpers/phone.ts';
import { waitForRing } from '../helpers/ring.ts';
import { openPeersTogether, useBrowser } from '../helpers/browser.ts';

const web = useBrowser();
let a: Page;
let b: Page;

/** Claims `name` with the keyboard: Tab to the Home link (Home is the phone), Enter, Tab to the name field, type, Enter. */
async function claimByKeyboard(page: Page, name: string): Promise<void> {
  await tabTo(page, 'Home');
  await page.keyboard.press('Enter');
  await tabTo(page, 'Your name');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await reachable(page, name);
}

beforeAll(async () => {
  const alice = await web.newPerson();
  const bob = await web.newPerson();
  // A third tab keeps a share of the video message's fragments.
  let other: Page;
  [other, b, a] = (await openPeersTogether([await web.newPerson(), bob, alice])) as [Page, Page, Page];
  await Promise.all([a, b, other].map((p) => waitOnline(p)));
  await waitForRing([a, b, other]);
  await claimByKeyboard(b, 'bob');
  await claimByKeyboard(a, 'alice');
}, 180_000);

it('dial with Enter, answer the question and the call, hang up: focus stays in each dialog and comes back', async () => {
  // bob's focus is in his Name field when the question comes: it must come back there.
  await tabTo(b, 'Name');
  await tabTo(a, 'Name');
  await a.keyboard.type('bob');
  await a.keyboard.press('Enter');
  // alice's call takes focus: Cancel call is one Tab away.
  await waitFocus(a, /^Call to bob/);
  expect(await tabTo(a, 'Cancel call', 1)).toBe(1);

  await b.getByRole('alertdialog', { name: 'Let alice connect?' }).waitFor({ timeout: 30_000 });
  expect((await focused(b)).name).toBe('Allow once');
  expect(await escapesFromDialog(b)).toEqual([]);
  await tabTo(b, 'Always allow', 8);
  await b.keyboard.press('Enter');

  // The ringing call opens its own dialog at once; its first answer has focus.
  await b.getByRole('alertdialog', { name: /alice is calling/ }).waitFor({ timeout: 30_000 });
  await waitFocus(b, 'Answer with video');
  expect(await escapesFromDialog(b, 8)).toEqual([]);
  await tabTo(b, 'Answer with video', 8);
  await b.keyboard.press('Enter');
  await waitCall(b, 'alice', 'active');
  await waitCall(a, 'bob', 'active');
  // The answered call has focus on bob's side: Hang up in one Tab, Mute in two.
  await waitFocus(b, /^Call from alice/);
  expect(await tabTo(b, 'Hang up', 1)).toBe(1);
  expect(await tabTo(b, 'Mute', 1)).toBe(1);
  await b.keyboard.press('Shift+Tab');
  await b.keyboard.press('Enter');
  await waitCall(a, 'bob', 'ended');
  await waitCall(b, 'alice', 'ended');
  await b.screenshot({ path: 'e2e/artifacts/keyboard-bob-after-call.png' });
}, 150_000);

it('Escape closes a dialog and gives focus back; the record dialog records and sends with the keyboard alone', async () => {
  await tabTo(a, 'Leave a video message');
  await a.keyboard.press('Enter');
  const dialog = a.getByRole('dialog', { name: 'Leave a video message for bob' });
  await dialog.waitFor();
  expect((await focused(a)).inDialog).toBe(true);
  expect(await escapesFromDialog(a, 6)).toEqual([]);
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect((await focused(a)).name).toBe('Leave a video message');

  await a.keyboard.press('Enter');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Start recording' }).and(a.locator(':enabled')).waitFor({ timeout: 20_000 });
  await tabTo(a, 'Start recording', 4);
  await a.keyboard.press('Enter');
  await waitFocus(a, 'Stop recording');
  await dialog.getByText(/Recording 0:0[2-9]/).waitFor({ timeout: 20_000 });
  await a.keyboard.press('Enter');
  await waitFocus(a, 'Send');
  await a.keyboard.press('Enter');
  await dialog
    .getByText('The message is stored in the network; you can close this tab.')
    .waitFor({ timeout: 120_000 })
    .catch(async (e: unknown) => {
      throw new Error(`the message was not stored: the dialog says “${(await dialog.innerText()).replace(/\s+/g, ' ')}”`, { cause: e });
    });
  await waitFocus(a, 'Close');
  expect(await escapesFromDialog(a, 6)).toEqual([]);
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect((await focused(a)).name).toBe('Leave a video message');
}, 150_000);

it('bob writes back to alice, who called him: no question on her side, and her Permissions page says why', async () => {
  await tabTo(b, 'Name');
  await b.keyboard.press('Control+A');
  await b.keyboard.type('alice');
  await tabTo(b, 'Send a message', 6);
  await b.keyboard.press('Enter');
  // Opening the conversation puts focus in its field: type and press Enter.
  await waitFocus(b, 'Message to alice');
  await b.keyboard.type('you rang?');
  await b.keyboard.press('Enter');
  const sent = b.getByRole('list', { name: 'Messages with alice' }).getByRole('listitem').filter({ hasText: 'you rang?' });
  await expect.poll(() => sent.innerText(), { timeout: 45_000 }).toMatch(/(?<!not )delivered/);
  expect(await a.getByRole('alertdialog').count()).toBe(0);
  await a.getByText('you rang?').waitFor({ timeout: 10_000 });

  await tabTo(a, 'Permissions', 80);
  await a.keyboard.press('Enter');
  const rule = a.getByRole('region', { name: 'Conversations you started' }).getByRole('listitem').filter({ hasText: 'bob' });
  await expect.poll(() => rule.innerText()).toMatch(/bob may call and write back: you called them/);
  await a.screenshot({ path: 'e2e/artifacts/keyboard-alice-permissions.png', fullPage: true });
}, 90_000);
