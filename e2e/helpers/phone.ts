/** Helpers for the calls suites: names, dialing, the ringing dialog, and media statistics read from the call's RTCPeerConnection. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { goTo, waitOnline } from './harness.ts';
import { waitForRing } from './ring.ts';
import { newPerson, openPeer } from './browser.ts';

export interface TwoPeople {
  alice: BrowserContext;
  bob: BrowserContext;
  a: Page;
  b: Page;
}

/** Two people, one tab each, in one ring, reachable as alice and bob; `bobsProfile` puts bob in a browser of his own (e2e/helpers/peoples-browser.ts). */
export async function aliceAndBob(browser: Browser, bobsProfile?: BrowserContext): Promise<TwoPeople> {
  const alice = await newPerson(browser);
  const bob = bobsProfile ?? (await newPerson(browser));
  const b = await openPeer(bob);
  const a = await openPeer(alice);
  await Promise.all([waitOnline(a), waitOnline(b)]);
  await waitForRing([a, b]);
  await claimName(b, 'bob');
  await claimName(a, 'alice');
  return { alice, bob, a, b };
}

/** Claims `name` on the Phone page and waits until the tab is reachable by it. */
export async function claimName(page: Page, name: string): Promise<void> {
  await goTo(page, 'Phone');
  await page.getByRole('textbox', { name: 'Your name', exact: true }).fill(name);
  await page.getByRole('button', { name: 'Claim this name' }).click();
  await reachable(page, name);
}

/** Waits until the Phone page says the tab is reachable as `name` (a remembered name registers by itself). */
export async function reachable(page: Page, name: string, timeout = 45_000): Promise<void> {
  await goTo(page, 'Phone');
  try {
    await page.getByText(`You are reachable as ${name}.`).waitFor({ timeout });
  } catch {
    const snap = await page.evaluate(() => {
      const r = window.softphoneTest!.ring();
      const ring = r && { joined: r.joined, status: r.status, predecessor: r.predecessor, successors: r.successors, refusal: r.refusal };
      return JSON.stringify({ phone: window.softphoneTest!.phoneStatus(), ring, links: window.softphoneTest!.linkedIds() });
    });
    const text = await page.locator('main').innerText();
    throw new Error(`not reachable as ${name}: ${snap}; the page says: ${text.slice(0, 500)}`);
  }
}

export async function dial(page: Page, who: string, kind: 'Video call' | 'Audio call' | 'Send a message'): Promise<void> {
  await goTo(page, 'Phone');
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(who);
  await page.getByRole('button', { name: kind, exact: true }).click();
}

/** The ringing dialog for a call from `caller`. */
export function ringing(page: Page, caller: string) {
  return page.getByRole('alertdialog', { name: new RegExp(`${caller} is calling`) });
}

/** Waits for the ringing dialog; on timeout says where the call got to on both sides. */
export async function waitRinging(callee: Page, caller: Page, callerName: string, calleeName: string, timeout = 20_000): Promise<void> {
  try {
    await ringing(callee, callerName).waitFor({ timeout });
  } catch {
    const mine = (await calls(caller)).filter((c) => c.peer === calleeName).at(-1);
    const theirs = (await calls(callee)).filter((c) => c.peer === callerName).at(-1);
    const text = (await callee.locator('body').innerText()).slice(0, 400);
    throw new Error(`${calleeName}'s tab did not ring: caller sees ${JSON.stringify(mine)}, callee has ${JSON.stringify(theirs)}; callee page: ${text}`);
  }
}

export interface CallInfo {
  id: string;
  peer: string;
  state: string;
  outcome: string | null;
}

/** The calls this tab's phone knows of, newest last. */
export function calls(page: Page): Promise<CallInfo[]> {
  return page.evaluate(() => {
    return (window.softphoneTest!.phone()?.getSnapshot().calls ?? []).map((c) => ({ id: c.id, peer: c.peer, state: c.state, outcome: c.outcome }));
  });
}

/** Waits until the newest call with `peer` is in `state`; returns it. */
export async function waitCall(page: Page, peer: string, state: string, timeout = 30_000): Promise<CallInfo> {
  const until = Date.now() + timeout;
  for (;;) {
    const c = (await calls(page)).filter((x) => x.peer === peer).at(-1);
    if (c?.state === state) return c;
    if (Date.now() > until) throw new Error(`the call with ${peer} is ${c ? `${c.state} (${c.outcome ?? ''})` : 'not there'}, not ${state}`);
    await page.waitForTimeout(100);
  }
}

export interface MediaStats {
  audioBytes: number;
  videoBytes: number;
  framesDecoded: number;
}

/** What the active call has received so far, from getStats(). */
export function mediaIn(page: Page, callId: string): Promise<MediaStats> {
  return page.evaluate(async (id) => {
    const pc = window.softphoneTest!.phone()!.connection(id);
    const out = { audioBytes: 0, videoBytes: 0, framesDecoded: 0 };
    if (!pc) return out;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; bytesReceived?: number; framesDecoded?: number }) => {
      if (r.type !== 'inbound-rtp') return;
      if (r.kind === 'audio') out.audioBytes += r.bytesReceived ?? 0;
      if (r.kind === 'video') {
        out.videoBytes += r.bytesReceived ?? 0;
        out.framesDecoded += r.framesDecoded ?? 0;
      }
    });
    return out;
  }, callId);
}

/** Waits until audio and video both flow into this tab: bytes and decoded frames rising between two readings. */
export async function mediaFlows(page: Page, callId: string, timeout = 20_000): Promise<MediaStats> {
  const until = Date.now() + timeout;
  let last = await mediaIn(page, callId);
  for (;;) {
    await page.waitForTimeout(500);
    const now = await mediaIn(page, callId);
    if (now.audioBytes > last.audioBytes && now.videoBytes > last.videoBytes && now.framesDecoded > last.framesDecoded && last.framesDecoded > 0) return now;
    if (Date.now() > until) throw new Error(`media did not flow: ${JSON.stringify(now)}`);
    last = now;
  }
}

/** The status line of the call panel for the newest call with `peer`; says what the page shows instead when there is none. */
export async function callStatus(page: Page, peer: string, direction: 'to' | 'from'): Promise<string> {
  const status = page.getByRole('region', { name: `Call ${direction} ${peer}` }).last().getByRole('status');
  try {
    return (await status.textContent({ timeout: 5000 })) ?? '';
  } catch {
    return `(no call panel; the page says: ${(await page.locator('main').innerText()).slice(0, 400)})`;
  }
}
