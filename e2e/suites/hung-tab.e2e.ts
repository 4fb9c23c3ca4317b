/**
 * Tabs as people's browsers run them: bob's tab lives in a browser of its
 * own (e2e/helpers/peoples-browser.ts), hidden behind another tab, its timers
 * throttled by Chromium. It rings while hidden; then its renderer process is
 * stopped (SIGSTOP) for 60 s, as a hung tab or a suspended machine is, and
 * resumed (SIGCONT). Its neighbours take it out of routing by keep-alive, a
 * call ringing into it and a call made to it while it hangs end in plain
 * words, and once it runs again it is back in the ring and rings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { answerQuestion, waitOnline } from '../helpers/harness.ts';
import { bringToFront, hang, hideBehindAnotherTab, rendererPidOf, resume, timerLateness, visibility } from '../helpers/peoples-browser.ts';
import { callStatus, calls, claimName, dial, ringing, waitCall, waitRinging } from '../helpers/phone.ts';
import { ringOf, waitForRing } from '../helpers/ring.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

/** How long the tab hangs. */
const HANG_MS = 60_000;
/** Keep-alive: a ping after 2 s of quiet, dead after 3 unanswered (app/transport/limits.ts), plus a 2 s stabilize round to route around it. */
const KEEPALIVE_BOUND_MS = 2000 * (3 + 1) + 2000;

const web = useBrowser({ peoplesBrowser: true });
let a: Page;
let r: Page;
let b: Page;
let bobId = '';

beforeAll(async () => {
  const alice = await web.newPerson();
  const relay = await web.newPerson();
  b = await openPeer(web.people.person);
  a = await openPeer(alice);
  r = await openPeer(relay);
  await Promise.all([waitOnline(a), waitOnline(b), waitOnline(r)]);
  await waitForRing([a, r, b]);
  await claimName(b, 'bob');
  await claimName(a, 'alice');
  bobId = (await ringOf(b)).self;
  await hideBehindAnotherTab(b);
}, 180_000);

/** Whether `id` is anywhere in the routing state of `page` (predecessor, successors, fingers). */
async function routesVia(page: Page, id: string): Promise<boolean> {
  const v = await page.evaluate(() => {
    const s = window.softphoneTest!.ring()!;
    return [s.predecessor, ...s.successors, ...s.fingers];
  });
  return v.includes(id);
}

async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 250));
  }
  return Date.now() - t0;
}

/** One line of what a tab knows right now: signaling, links, ring neighbours (for the timeline printed after the resume). */
function stateLine(page: Page): Promise<string> {
  return page.evaluate(() => {
    const h = window.softphoneTest!;
    const o = h.ring();
    const short = (x: string | null | undefined) => (x ?? '-').slice(0, 4);
    const links = h.linkedIds().map(short).join(',');
    return `${h.app().signaling.kind} links[${links}] pred ${short(o?.predecessor)} succ ${o?.successors.map(short).join(',') ?? ''} ${o?.joined ? 'joined' : 'out'}: ${o?.status ?? ''}`;
  });
}

/** Alice calls bob and waits until her phone shows the new call. */
async function callBob(): Promise<void> {
  const before = (await calls(a)).at(-1)?.id;
  await dial(a, 'bob', 'Audio call');
  await waitUntil('alice’s new call is placed', async () => (await calls(a)).at(-1)?.id !== before, 10_000);
}

describe('a tab hidden behind another tab, then hung for a minute', () => {
  it('rings while hidden, with its timers throttled as in people’s browsers', async () => {
    expect(await visibility(b)).toBe('hidden');
    // Chromium aligns a hidden tab's timers to whole seconds; the suite's other browsers never see that.
    expect(await timerLateness(b)).toBeGreaterThan(300);
    await dial(a, 'bob', 'Audio call');
    // Bob's hidden tab asks first; he brings it to the front to answer, then it goes back behind.
    await b.getByRole('alertdialog').waitFor({ timeout: 30_000 });
    await bringToFront(b);
    expect(await answerQuestion(b, 'Always allow')).toMatch(/alice/);
    await hideBehindAnotherTab(b);
    await waitRinging(b, a, 'alice', 'bob', 30_000);
    expect(await visibility(b)).toBe('hidden');
    await a.getByRole('button', { name: 'Cancel call' }).click();
    await waitCall(b, 'alice', 'ended', 30_000);
  }, 90_000);

  it('hung: neighbours drop it by keep-alive, calls to it end in words; resumed: back in the ring and ringing again', async () => {
    const pid = await rendererPidOf(b, web.people.pid);
    await callBob();
    await waitRinging(b, a, 'alice', 'bob', 30_000);
    await waitCall(a, 'bob', 'ringing', 10_000);
    hang(pid);
    const hungAt = Date.now();
    try {
      // Only bob's tab stopped: the page no longer answers, its browser's other tab does.
      expect(await Promise.race([b.evaluate(() => 'ran'), new Promise((res) => setTimeout(() => res('stopped'), 1500))])).toBe('stopped');
      expect(await web.people.person.pages().find((p) => p !== b)!.evaluate(() => 'ran')).toBe('ran');

      // The call that was ringing ends by itself, in words, instead of ringing on.
      await waitCall(a, 'bob', 'ended', 30_000);
      const ringingEnded = Date.now() - hungAt;
      const ended = await callStatus(a, 'bob', 'to');
      console.log(`[hung-tab] the ringing call ended ${ringingEnded} ms after bob's tab hung: "${ended}"`);
      expect(ended).not.toMatch(/ringing|calling|failed \(|\d{3}/i);

      // Its neighbours take it out of routing by keep-alive.
      const dropped = await waitUntil('alice’s and the relay’s tabs stop routing via the hung tab', async () => !(await routesVia(a, bobId)) && !(await routesVia(r, bobId)), 40_000);
      const droppedAfter = Date.now() - hungAt;
      console.log(`[hung-tab] neighbours dropped the hung tab ${droppedAfter} ms after it hung (keep-alive bound ${KEEPALIVE_BOUND_MS} ms; waited ${dropped} ms after the ringing call ended)`);
      // Printed, not asserted (tests check behaviour, not time): 10 s on most runs, 27.5 s in one loaded CI run.

      // A new call to it while it hangs ends quickly, in words.
      const dialedAt = Date.now();
      await callBob();
      await waitCall(a, 'bob', 'ended', 30_000);
      const newCallEnded = Date.now() - dialedAt;
      const words = await callStatus(a, 'bob', 'to');
      console.log(`[hung-tab] a call made while bob's tab hung ended after ${newCallEnded} ms: "${words}"`);
      expect(words).toBe('bob is not online');

      await new Promise((res) => setTimeout(res, Math.max(0, hungAt + HANG_MS - Date.now())));
    } finally {
      resume(pid);
    }
    const resumedAt = Date.now();
    const timeline: string[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching && Date.now() - resumedAt < 40_000) {
        const [sb, sa] = await Promise.all([stateLine(b), stateLine(a)]);
        timeline.push(`+${Date.now() - resumedAt} ms bob ${(await ringOf(b)).self.slice(0, 4)}: ${sb} | alice: ${sa}`);
        await new Promise((res) => setTimeout(res, 400));
      }
    })();
    expect(await b.evaluate(() => 'ran')).toBe('ran');
    expect(await visibility(b)).toBe('hidden');

    // Back: a call to bob rings again once the tab runs (alice tries again while it does not). How soon
    // is printed, not asserted: it is the signaling reconnect plus a ring join, seconds that stretch
    // with the machine's load (4.1 s idle, 10.2 s in a loaded CI run), so a bound here tests the machine.
    let tries = 0;
    for (;;) {
      tries++;
      await callBob();
      // Alice's phone says ringing only when bob's tab answered this INVITE with 180.
      let state = '';
      await waitUntil('alice’s call rings or ends', async () => ['ringing', 'ended'].includes((state = (await calls(a)).at(-1)?.state ?? '')), 30_000);
      if (state === 'ringing') break;
      if (Date.now() - resumedAt > 30_000) throw new Error(`bob's tab did not ring within 30 s of resuming (${tries} calls; the last: ${await callStatus(a, 'bob', 'to')})\n${timeline.join('\n')}`);
      await new Promise((res) => setTimeout(res, 250));
    }
    const ringsAfter = Date.now() - resumedAt;
    watching = false;
    await watch;
    console.log(`[hung-tab] after the resume:\n${timeline.join('\n')}`);
    await ringing(b, 'alice').waitFor({ timeout: 10_000 });
    console.log(`[hung-tab] after resuming, bob's hidden tab rang ${ringsAfter} ms later (${tries} call${tries > 1 ? 's' : ''})`);
    await a.getByRole('button', { name: 'Cancel call' }).click();
    await waitCall(b, 'alice', 'ended', 30_000);
    await waitForRing([a, r, b], 30_000);
    expect(await routesVia(a, bobId) || await routesVia(r, bobId)).toBe(true);
  }, 180_000);
});
