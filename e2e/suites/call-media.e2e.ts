/**
 * What a call carries, in real Chromium tabs (issue 13, kind 10): an audio
 * call is audio on both sides, rings as audio, and never opens or sends the
 * callee's camera; a video call answered with sound only sends no camera
 * from the callee. Every getUserMedia request of both tabs is recorded by an
 * init script, so "no camera was opened" is read, not assumed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { answerQuestion, waitOnline } from '../helpers/harness.ts';
import { callStatus, claimName, dial, mediaIn, ringing, waitCall } from '../helpers/phone.ts';
import { waitForRing } from '../helpers/ring.ts';
import { openPeersTogether, useBrowser } from '../helpers/browser.ts';

const web = useBrowser();
let a: Page;
let b: Page;

/** Records every getUserMedia request of the page, before the app's own code runs. */
async function recordCameraRequests(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const md = navigator.mediaDevices;
    const original = md.getUserMedia.bind(md);
    const asked: unknown[] = [];
    (window as unknown as { __asked: unknown[] }).__asked = asked;
    md.getUserMedia = (c?: MediaStreamConstraints) => {
      asked.push(JSON.parse(JSON.stringify(c ?? {})));
      return original(c);
    };
  });
}

const asked = (p: Page) => p.evaluate(() => (window as unknown as { __asked: { audio?: unknown; video?: unknown }[] }).__asked);

interface Carried {
  video: boolean;
  camera: boolean;
  /** m= kinds in the local and remote descriptions. */
  localKinds: string[];
  remoteKinds: string[];
  /** Video tracks this tab sends (a live camera track on a sender). */
  videoSenders: number;
}

/** What the newest call with `peer` carries, from the phone's view and the RTCPeerConnection itself. */
function carried(p: Page, peer: string): Promise<Carried> {
  return p.evaluate((who) => {
    const phone = window.softphoneTest!.phone()!;
    const c = phone.getSnapshot().calls.filter((x) => x.peer === who).at(-1)!;
    const pc = phone.connection(c.id);
    const kinds = (sdp: string | undefined) => [...(sdp ?? '').matchAll(/^m=(\w+) /gm)].map((m) => m[1]!);
    return {
      video: c.video,
      camera: c.camera,
      localKinds: kinds(pc?.localDescription?.sdp),
      remoteKinds: kinds(pc?.remoteDescription?.sdp),
      videoSenders: (pc?.getSenders() ?? []).filter((x) => x.track?.kind === 'video' && x.track.readyState === 'live').length,
    };
  }, peer);
}

/** Waits until audio has flowed into `p` for a while (its bytes rose by `bytes`), so a video stream would have shown by then. */
async function audioFlowed(p: Page, callId: string, bytes = 20_000, timeout = 40_000): Promise<{ audioBytes: number; videoBytes: number; framesDecoded: number }> {
  const first = await mediaIn(p, callId);
  const until = Date.now() + timeout;
  for (;;) {
    const now = await mediaIn(p, callId);
    if (now.audioBytes - first.audioBytes >= bytes && first.audioBytes > 0) return now;
    if (Date.now() > until) throw new Error(`audio did not flow: ${JSON.stringify(now)}`);
    await p.waitForTimeout(250);
  }
}

/**
 * How many times the call view's media element labelled `label` restarted
 * (its load algorithm ran: a new srcObject) during `ms` of a call that goes
 * on; the duration re-renders the view every second meanwhile.
 */
function restartsOver(p: Page, label: string, ms: number): Promise<number> {
  return p.getByLabel(label).evaluate(
    (el: HTMLMediaElement, wait) =>
      new Promise<number>((resolve) => {
        let n = 0;
        const count = (): void => void n++;
        el.addEventListener('loadstart', count);
        setTimeout(() => {
          el.removeEventListener('loadstart', count);
          resolve(n);
        }, wait);
      }),
    ms,
  );
}

beforeAll(async () => {
  const alice = await web.newPerson();
  const bob = await web.newPerson();
  await Promise.all([recordCameraRequests(alice), recordCameraRequests(bob)]);
  [b, a] = (await openPeersTogether([bob, alice])) as [Page, Page];
  await Promise.all([waitOnline(a), waitOnline(b)]);
  await waitForRing([a, b]);
  await Promise.all([claimName(b, 'bob'), claimName(a, 'alice')]);
}, 120_000);

describe('what a call carries is read from the offer, the same on both sides', () => {
  it('an audio call rings as audio, is answered by the focused button with sound only, and sends no camera either way', async () => {
    await dial(a, 'bob', 'Audio call');
    await answerQuestion(b, 'Always allow');
    const ring = ringing(b, 'alice');
    await ring.waitFor({ timeout: 20_000 });
    expect(await ring.getByRole('heading').textContent()).toBe('alice is calling (audio)');
    expect(await ring.getByRole('button', { name: 'Answer with video' }).count()).toBe(0);
    // The focused button is what a person who just presses Enter chooses.
    await expect(ring.getByRole('button', { name: 'Answer', exact: true }).evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await b.keyboard.press('Enter');
    const [ca, cb] = await Promise.all([waitCall(a, 'bob', 'active'), waitCall(b, 'alice', 'active')]);
    const [ma] = await Promise.all([audioFlowed(a, ca.id), audioFlowed(b, cb.id)]);
    const mb = await mediaIn(b, cb.id);
    console.log(`[call-media] audio call: alice received ${ma.audioBytes} B audio, ${ma.videoBytes} B video, ${ma.framesDecoded} frames; bob ${mb.audioBytes} B audio, ${mb.videoBytes} B video`);
    expect([ma.videoBytes, ma.framesDecoded, mb.videoBytes]).toEqual([0, 0, 0]);
    // The far side's sound plays on without restarting while the call view re-renders (it did once a second).
    expect(await Promise.all([restartsOver(a, 'Sound from bob', 3500), restartsOver(b, 'Sound from alice', 3500)])).toEqual([0, 0]);
    const [xa, xb] = await Promise.all([carried(a, 'bob'), carried(b, 'alice')]);
    expect(xa).toEqual({ video: false, camera: false, localKinds: ['audio'], remoteKinds: ['audio'], videoSenders: 0 });
    expect(xb).toEqual({ video: false, camera: false, localKinds: ['audio'], remoteKinds: ['audio'], videoSenders: 0 });
    // Neither tab ever asked the browser for a camera.
    expect((await asked(a)).filter((c) => c.video)).toEqual([]);
    expect((await asked(b)).filter((c) => c.video)).toEqual([]);
    // Both call views say the same, and neither shows a camera.
    for (const [p, name] of [[a, 'Call to bob'], [b, 'Call from alice']] as const) {
      const panel = p.getByRole('region', { name }).last();
      expect(await panel.getByText('Audio call').count()).toBe(1);
      expect(await panel.getByLabel('Your camera').count()).toBe(0);
      expect(await panel.getByRole('button', { name: 'Camera off' }).count()).toBe(0);
    }
    await a.getByRole('button', { name: 'Hang up' }).click();
    await waitCall(b, 'alice', 'ended', 10_000);
    expect(await callStatus(b, 'alice', 'from')).toBe('alice hung up');
  }, 120_000);

  it('a video call answered with sound only: both sides say video, alice’s camera reaches bob, bob’s camera is never opened', async () => {
    const before = (await asked(b)).length;
    await dial(a, 'bob', 'Video call');
    const ring = ringing(b, 'alice');
    await ring.waitFor({ timeout: 20_000 });
    expect(await ring.getByRole('heading').textContent()).toBe('alice is calling (video)');
    await ring.getByRole('button', { name: 'Answer with sound only' }).click();
    const [ca, cb] = await Promise.all([waitCall(a, 'bob', 'active'), waitCall(b, 'alice', 'active')]);
    const [ma] = await Promise.all([audioFlowed(a, ca.id), audioFlowed(b, cb.id)]);
    const mb = await mediaIn(b, cb.id);
    console.log(`[call-media] video call, answered with sound: alice received ${ma.videoBytes} B video; bob received ${mb.videoBytes} B video, ${mb.framesDecoded} frames`);
    expect(ma.videoBytes).toBe(0);
    expect(mb.framesDecoded).toBeGreaterThan(0);
    // The picture plays on: the video element is not given a new stream at each render of the call view.
    expect(await restartsOver(b, 'Video from alice', 3500)).toBe(0);
    const [xa, xb] = await Promise.all([carried(a, 'bob'), carried(b, 'alice')]);
    expect({ video: xa.video, camera: xa.camera, videoSenders: xa.videoSenders }).toEqual({ video: true, camera: true, videoSenders: 1 });
    expect({ video: xb.video, camera: xb.camera, videoSenders: xb.videoSenders }).toEqual({ video: true, camera: false, videoSenders: 0 });
    expect((await asked(b)).slice(before).filter((c) => c.video)).toEqual([]);
    expect(await b.getByRole('region', { name: 'Call from alice' }).last().getByText('Video call').count()).toBe(1);
    expect(await a.getByRole('region', { name: 'Call to bob' }).last().getByText('Video call').count()).toBe(1);
    expect(await b.getByRole('region', { name: 'Call from alice' }).last().getByLabel('Your camera').count()).toBe(0);
    await a.getByRole('button', { name: 'Hang up' }).click();
    await waitCall(b, 'alice', 'ended', 10_000);
  }, 120_000);

  it('the recent calls list says audio and video as the calls were, on both sides', async () => {
    for (const p of [a, b]) {
      const items = await p.getByRole('list', { name: 'Recent calls' }).getByRole('listitem').allTextContents();
      expect(items[0]).toMatch(/ · video · /);
      expect(items[1]).toMatch(/ · audio · /);
    }
  });

  it('calling again from recent calls calls as it was on this side: bob, whose camera stayed off, calls alice back as audio', async () => {
    const before = (await asked(b)).length;
    // Bob's newest call is alice's video call he answered with sound: he calls back without his camera.
    await b.getByRole('list', { name: 'Recent calls' }).getByRole('button', { name: 'Call alice again, sound only' }).first().click();
    // Alice may be asked about bob the first time (a call she placed usually lets him call back unasked):
    // whichever comes first, her question or her ringing; a question is answered, then it rings.
    const ring = ringing(a, 'bob');
    const question = a.getByRole('alertdialog').filter({ has: a.getByRole('button', { name: 'Always allow', exact: true }) });
    await ring.or(question).first().waitFor({ timeout: 20_000 });
    if ((await question.count()) > 0) await answerQuestion(a, 'Always allow');
    await ring.waitFor({ timeout: 20_000 });
    expect(await ring.getByRole('heading').textContent()).toBe('bob is calling (audio)');
    expect(await ring.getByRole('button', { name: 'Answer with video' }).count()).toBe(0);
    await ring.getByRole('button', { name: 'Decline' }).click();
    await waitCall(b, 'alice', 'ended');
    expect(await callStatus(b, 'alice', 'to')).toBe('alice declined');
    expect((await asked(b)).slice(before).filter((c) => c.video)).toEqual([]);
    // Alice's camera was sent in that call, so her list offers to call bob again with video.
    expect(await a.getByRole('list', { name: 'Recent calls' }).getByRole('button', { name: 'Call bob again, with video' }).count()).toBeGreaterThan(0);
  }, 90_000);
});
