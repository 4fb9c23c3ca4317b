/** Helpers for the call-waiting suite: the waiting-call dialog, a call's hold flags, and what each call sends, read from getStats(). */
import type { Page } from 'playwright-core';

/** The ringing dialog of a waiting call from `caller` (a call that rings during another call). */
export function waitingCall(page: Page, caller: string) {
  return page.getByRole('alertdialog', { name: new RegExp(`^Waiting call from ${caller} `) });
}

export interface HoldView {
  id: string;
  state: string;
  held: boolean;
  heldByPeer: boolean;
  waiting: boolean;
}

/** The newest call with `peer` as the phone sees it: its state and hold flags. */
export function holdView(page: Page, peer: string): Promise<HoldView | null> {
  return page.evaluate((who) => {
    const c = window.softphoneTest!.phone()?.getSnapshot().calls.filter((x) => x.peer === who).at(-1);
    return c ? { id: c.id, state: c.state, held: c.held, heldByPeer: c.heldByPeer, waiting: c.waiting } : null;
  }, peer);
}

/** Waits until the newest call with `peer` matches `want`; says what it is instead when it does not. */
export async function waitHold(page: Page, peer: string, want: Partial<HoldView>, timeout = 30_000): Promise<HoldView> {
  const until = Date.now() + timeout;
  for (;;) {
    const v = await holdView(page, peer);
    if (v && Object.entries(want).every(([k, x]) => v[k as keyof HoldView] === x)) return v;
    if (Date.now() > until) throw new Error(`the call with ${peer} is ${JSON.stringify(v)}, not ${JSON.stringify(want)}`);
    await page.waitForTimeout(100);
  }
}

/** Audio RTP bytes the call has sent so far (outbound-rtp bytesSent), and how many of its senders carry a live microphone track. */
export function audioOut(page: Page, callId: string): Promise<{ bytesSent: number; microphones: number }> {
  return page.evaluate(async (id) => {
    const pc = window.softphoneTest!.phone()!.connection(id);
    if (!pc) return { bytesSent: 0, microphones: 0 };
    let bytesSent = 0;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; bytesSent?: number }) => {
      if (r.type === 'outbound-rtp' && r.kind === 'audio') bytesSent += r.bytesSent ?? 0;
    });
    const microphones = pc.getSenders().filter((s) => s.track?.kind === 'audio' && s.track.readyState === 'live').length;
    return { bytesSent, microphones };
  }, callId);
}

/** Waits until the call's audio bytesSent grows between readings `stepMs` apart; returns the last reading. */
export async function audioFlowsOut(page: Page, callId: string, timeout = 30_000, stepMs = 500): Promise<number> {
  const until = Date.now() + timeout;
  let last = (await audioOut(page, callId)).bytesSent;
  for (;;) {
    await page.waitForTimeout(stepMs);
    const now = (await audioOut(page, callId)).bytesSent;
    if (now > last && last > 0) return now;
    if (Date.now() > until) throw new Error(`the call sends no audio: bytesSent stays ${now}`);
    last = now;
  }
}

/**
 * Waits until the call's audio bytesSent stops growing (equal across a reading
 * `stepMs` apart: packets already on their way are counted by then), then
 * checks it is still the same `holdMs` later. Returns both readings.
 */
export async function audioStopsOut(page: Page, callId: string, timeout = 30_000, stepMs = 1000, holdMs = 3000): Promise<{ first: number; later: number }> {
  const until = Date.now() + timeout;
  let last = (await audioOut(page, callId)).bytesSent;
  for (;;) {
    await page.waitForTimeout(stepMs);
    const now = (await audioOut(page, callId)).bytesSent;
    if (now === last) break;
    if (Date.now() > until) throw new Error(`the call goes on sending audio: bytesSent ${last} → ${now}`);
    last = now;
  }
  await page.waitForTimeout(holdMs);
  return { first: last, later: (await audioOut(page, callId)).bytesSent };
}
