/**
 * Calls end to end: real Chromium tabs with the fake camera and microphone,
 * SIP over the overlay, media browser to browser. Each person is a browser
 * context (a profile); bob also opens a second tab for forking. Bob's
 * browser runs as people's browsers do (e2e/helpers/peoples-browser.ts): his tab
 * waits hidden behind another tab, its timers throttled, and he brings it
 * to the front only to click in it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { answerQuestion, goTo, waitOnline } from '../helpers/harness.ts';
import { bringToFront, hideBehindAnotherTab, visibility } from '../helpers/peoples-browser.ts';
import { aliceAndBob, callStatus, calls, claimName, dial, mediaFlows, reachable, ringing, waitCall, waitRinging } from '../helpers/phone.ts';
import { waitForRing } from '../helpers/ring.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

const web = useBrowser({ peoplesBrowser: true });
let bob: BrowserContext;
let a: Page;
let b: Page;

beforeAll(async () => {
  ({ bob, a, b } = await aliceAndBob(web.browser, web.people.person));
  await hideBehindAnotherTab(b);
}, 120_000);

/** Bob brings his tab to the front, does `fn` in it, and goes back to the other tab. */
async function asBob<T>(fn: () => Promise<T>): Promise<T> {
  await bringToFront(b);
  try {
    return await fn();
  } finally {
    await hideBehindAnotherTab(b);
  }
}

describe('calls between two people', () => {
  it('alice calls bob with video: bob is asked, rings, answers; audio and video flow both ways; alice hangs up and both are idle', async () => {
    await dial(a, 'bob', 'Video call');
    // Bob has never met alice: the permission question comes first, then the ringing.
    await b.getByRole('alertdialog').waitFor({ timeout: 30_000 });
    const question = await asBob(() => answerQuestion(b, 'Always allow'));
    expect(question).toMatch(/alice/);
    const ring = ringing(b, 'alice');
    await ring.waitFor({ timeout: 20_000 });
    expect(await visibility(b)).toBe('hidden');
    await expect(ring.getByText(/Key fingerprint [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}/).count()).resolves.toBe(1);
    // He hears it ring, and brings the tab forward to answer; it stays in front for the call.
    await bringToFront(b);
    await b.screenshot({ path: 'e2e/artifacts/ringing.png' });
    await ring.getByRole('button', { name: 'Answer with video' }).click();
    const [ca, cb] = await Promise.all([waitCall(a, 'bob', 'active'), waitCall(b, 'alice', 'active')]);
    const [ma, mb] = await Promise.all([mediaFlows(a, ca.id), mediaFlows(b, cb.id)]);
    expect(ma.framesDecoded).toBeGreaterThan(0);
    expect(mb.framesDecoded).toBeGreaterThan(0);
    await a.screenshot({ path: 'e2e/artifacts/call-active.png' });
    await a.getByRole('button', { name: 'Hang up' }).click();
    await waitCall(a, 'bob', 'ended');
    await waitCall(b, 'alice', 'ended', 10_000);
    expect(await callStatus(a, 'bob', 'to')).toBe('you hung up');
    expect(await callStatus(b, 'alice', 'from')).toBe('alice hung up');
    expect((await calls(a)).every((c) => c.state === 'ended')).toBe(true);
    expect((await calls(b)).every((c) => c.state === 'ended')).toBe(true);
    await hideBehindAnotherTab(b);
  }, 90_000);

  it('chat: messages arrive once and in order, and are in the history after a reload', async () => {
    await dial(a, 'bob', 'Send a message');
    for (const text of ['one', 'two', 'three']) {
      await a.getByLabel('Message to bob').fill(text);
      await a.getByRole('button', { name: 'Send', exact: true }).click();
      await a.getByRole('list', { name: 'Messages with bob' }).getByText(text).waitFor();
    }
    const list = b.getByRole('list', { name: 'Messages with alice' });
    await list.getByText('three').waitFor({ timeout: 20_000 });
    expect(await list.locator('.msg-text').allTextContents()).toEqual(['one', 'two', 'three']);
    // Bob reloads his tab (so it is in front) and opens the conversation.
    await asBob(async () => {
      await b.reload();
      await reachable(b, 'bob');
      await b.getByRole('button', { name: 'Open the conversation with alice' }).click();
    });
    await b.getByRole('list', { name: 'Messages with alice' }).getByText('three').waitFor();
    expect(await b.getByRole('list', { name: 'Messages with alice' }).locator('.msg-text').allTextContents()).toEqual(['one', 'two', 'three']);
  }, 90_000);

  it('chat counts bytes: 2-, 3- and 4-byte characters arrive exactly, and a message over the limit in bytes is refused in words', async () => {
    await dial(a, 'bob', 'Send a message');
    const field = a.getByLabel('Message to bob');
    const send = a.getByRole('button', { name: 'Send', exact: true });
    const text = 'ñññ €€€ 😀😀😀';
    await field.fill(text);
    await send.click();
    // Run alone (-t), bob has not met alice yet: he allows her when asked, then the message is let through.
    const arrived = b.getByRole('list', { name: 'Messages with alice' }).getByText(text, { exact: true });
    for (let i = 0; i < 600 && (await arrived.count()) === 0; i++) {
      if (await b.getByRole('alertdialog').isVisible()) await answerQuestion(b, 'Always allow');
      await b.waitForTimeout(100);
    }
    await arrived.waitFor({ timeout: 20_000 });
    // 1001 emoji: 2002 UTF-16 units (under a maxLength of 4000) but 4004 bytes, over the 4000-byte limit.
    await field.fill('😀'.repeat(1001));
    await a.getByRole('status').filter({ hasText: 'This message is too long: 4004 bytes' }).waitFor();
    expect(await send.isDisabled()).toBe(true);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    // One emoji fewer fits exactly, and arrives whole.
    await field.fill('😀'.repeat(1000));
    expect(await send.isDisabled()).toBe(false);
    await send.click();
    await b.getByRole('list', { name: 'Messages with alice' }).getByText('😀'.repeat(1000), { exact: true }).waitFor({ timeout: 60_000 });
  }, 180_000);

  it('bob declining, and calling an unknown name, end with plain words on alice’s side', async () => {
    await dial(a, 'zed', 'Audio call');
    await waitCall(a, 'zed', 'ended');
    expect(await callStatus(a, 'zed', 'to')).toBe('nobody has the name zed');
    await dial(a, 'bob', 'Audio call');
    await waitRinging(b, a, 'alice', 'bob');
    await asBob(() => ringing(b, 'alice').getByRole('button', { name: 'Decline' }).click());
    await waitCall(a, 'bob', 'ended');
    expect(await callStatus(a, 'bob', 'to')).toBe('bob declined');
  }, 60_000);

  it('forking: bob in two tabs, both ring, answering on one stops the other, which says it was answered in another tab', async () => {
    const b2 = await openPeer(bob);
    try {
      await waitOnline(b2);
      await waitForRing([a, b, b2]);
      await reachable(b2, 'bob');
      await dial(a, 'bob', 'Audio call');
      await Promise.all([waitRinging(b, a, 'alice', 'bob'), waitRinging(b2, a, 'alice', 'bob')]);
      await ringing(b2, 'alice').getByRole('button', { name: 'Answer', exact: true }).click();
      await waitCall(b2, 'alice', 'active');
      await ringing(b, 'alice').waitFor({ state: 'detached', timeout: 10_000 });
      await waitCall(b, 'alice', 'ended');
      expect(await callStatus(b, 'alice', 'from')).toBe('answered in another tab');
      await waitCall(a, 'bob', 'active');
      await a.getByRole('button', { name: 'Hang up' }).click();
      await waitCall(b2, 'alice', 'ended', 10_000);
    } finally {
      await b2.close();
      await hideBehindAnotherTab(b);
    }
  }, 90_000);

  it('alice cancelling while bob rings stops the ringing, and bob sees a missed call', async () => {
    await dial(a, 'bob', 'Audio call');
    await waitRinging(b, a, 'alice', 'bob');
    await a.getByRole('button', { name: 'Cancel call' }).click();
    await ringing(b, 'alice').waitFor({ state: 'detached', timeout: 10_000 });
    await waitCall(b, 'alice', 'ended');
    expect(await callStatus(a, 'bob', 'to')).toBe('you cancelled the call');
    expect(await callStatus(b, 'alice', 'from')).toBe('missed call from alice');
  }, 60_000);

  it('when bob’s tab dies mid-call (no goodbye), alice’s call ends by itself with the reason', async () => {
    const b3 = await openPeer(bob);
    try {
      await waitOnline(b3);
      await waitForRing([a, b, b3]);
      await reachable(b3, 'bob');
      await dial(a, 'bob', 'Video call');
      await waitRinging(b3, a, 'alice', 'bob');
      await ringing(b3, 'alice').getByRole('button', { name: 'Answer with video' }).click();
      const call = await waitCall(a, 'bob', 'active');
      await mediaFlows(a, call.id);
      const cdp = await bob.newCDPSession(b3);
      const crashed = new Promise<void>((r) => b3.once('crash', () => r()));
      void cdp.send('Page.crash').catch(() => undefined);
      await crashed;
      const t0 = Date.now();
      await waitCall(a, 'bob', 'ended', 40_000);
      console.log(`[calls] the caller saw the call end ${Date.now() - t0} ms after the callee's tab crashed`);
      expect(await callStatus(a, 'bob', 'to')).toBe('the connection to bob was lost');
    } finally {
      await b3.close().catch(() => undefined);
      await hideBehindAnotherTab(b);
    }
  }, 120_000);

  it('a person bob refuses hears that bob did not accept; a tab that claims to be alice is refused', async () => {
    const carol = await web.newPerson();
    const c = await openPeer(carol);
    try {
    await waitOnline(c);
    await waitForRing([a, b, c]);
    // A name someone holds is refused in words.
    await goTo(c, 'Phone');
    await c.getByRole('textbox', { name: 'Your name', exact: true }).fill('alice');
    await c.getByRole('button', { name: 'Claim this name' }).click();
    await c.getByText(/the name alice is taken by someone else/).first().waitFor({ timeout: 30_000 });
    await claimName(c, 'carol');
    await dial(c, 'bob', 'Audio call');
    await b.getByRole('alertdialog').waitFor({ timeout: 30_000 });
    expect(await asBob(() => answerQuestion(b, 'Deny'))).toMatch(/carol/);
    await waitCall(c, 'bob', 'ended');
    expect(await callStatus(c, 'bob', 'to')).toBe('bob did not accept you');

    // Carol's tab now sends an INVITE that says it is from alice, signed (as it must be) by its own node key.
    const bobNode = await b.evaluate(() => window.softphoneTest!.nodeId()!);
    const replies = await c.evaluate(async (to) => {
      const h = window.softphoneTest!;
      const me = h.nodeId()!;
      const invite = [
        `INVITE sip:bob@p2p.local SIP/2.0`,
        `Via: SIP/2.0/WS ${me}.node.invalid;branch=z9hG4bK-forged1`,
        'Max-Forwards: 69',
        'From: <sip:alice@p2p.local>;tag=forged',
        'To: <sip:bob@p2p.local>',
        'Call-ID: forged-call-1',
        'CSeq: 1 INVITE',
        `Contact: <sip:alice@${me}.node.invalid;transport=ws>`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      const got: string[] = [];
      const off = h.onRouted('sip', (_from, body) => got.push(new TextDecoder().decode(body)));
      const sent = await h.sendRouted(to, 'sip', new TextEncoder().encode(invite));
      await new Promise((r) => setTimeout(r, 3000));
      off();
      return { sent: sent.outcome, got: got.map((t) => t.split('\r\n')[0]) };
    }, bobNode);
    expect(replies.sent).toBe('delivered');
    expect(replies.got).toContain('SIP/2.0 403 the caller is not alice');
    expect(await ringing(b, 'alice').count()).toBe(0);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('calling a name whose tabs are all closed says the person is not online', async () => {
    const dave = await web.newPerson();
    const d = await openPeer(dave);
    await waitOnline(d);
    await waitForRing([a, b, d]);
    await claimName(d, 'dave');
    await d.close();
    await dial(a, 'dave', 'Audio call');
    await waitCall(a, 'dave', 'ended', 30_000);
    expect(await callStatus(a, 'dave', 'to')).toBe('dave is not online');
    // …and is offered to leave a video message instead.
    await a.getByRole('button', { name: 'Leave dave a video message' }).last().click();
    await a.getByRole('dialog', { name: 'Leave a video message for dave' }).getByRole('button', { name: 'Cancel' }).click();
  }, 90_000);
});

describe('media server settings', () => {
  it('refuse a bad line with a reason, save a good list, and survive a reload', async () => {
    await goTo(a, 'Settings');
    const field = a.getByRole('textbox', { name: 'Your own servers' });
    await field.fill('http://stun.example.org');
    await a.getByRole('button', { name: 'Save media servers' }).click();
    await a.getByRole('alert').filter({ hasText: 'is not a STUN or TURN address' }).waitFor();
    await field.fill('stun:127.0.0.1:3478');
    await a.getByRole('button', { name: 'Save media servers' }).click();
    await a.getByText('Saved: the next call uses these servers.').waitFor();
    await a.reload();
    await reachable(a, 'alice');
    await goTo(a, 'Settings');
    expect(await a.getByRole('textbox', { name: 'Your own servers' }).inputValue()).toBe('stun:127.0.0.1:3478');
    await a.getByRole('textbox', { name: 'Your own servers' }).fill('');
    await a.getByRole('button', { name: 'Save media servers' }).click();
    await a.getByText('Saved: calls use no media servers.').waitFor();
  }, 60_000);
});
