/**
 * Camera, microphone and speaker (issue 19, devices), in real Chromium with
 * two fake cameras (`--use-fake-device-for-media-stream=device-count=2`:
 * fake_device_0 and fake_device_1) and Chromium's fake microphones and
 * speakers: the chosen devices are remembered across a reload and used by a
 * call (the sender's track label and settings show it) and by video mail;
 * the caller sees their camera while the call rings and can change it;
 * switching camera or microphone mid-call replaces the sender's track with
 * no new SDP offer or answer on either side (counted by an init script that
 * wraps RTCPeerConnection); a remembered device that is gone and a damaged
 * saved choice fall back to the defaults with a plain notice.
 * Screenshots at 1280 × 800 and 390 × 844 go to e2e/artifacts/devices-*.png.
 */
import { beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { answerQuestion, goTo, waitOnline } from '../helpers/harness.ts';
import { claimName, dial, mediaFlows, mediaIn, reachable, ringing, waitCall, waitRinging } from '../helpers/phone.ts';
import { waitForRing } from '../helpers/ring.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

const web = useBrowser({ fakeDevices: 'device-count=2' });
let a: Page;
let b: Page;

/**
 * Counts, per RTCPeerConnection, every SDP offer and answer the page makes
 * and every remote description it takes, before the app's own code runs
 * (per connection, so the overlay's own links, which come and go, are not counted).
 */
async function countSdp(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    type Counts = { offers: number; answers: number; remote: number };
    const per = new WeakMap<RTCPeerConnection, Counts>();
    const of = (pc: RTCPeerConnection): Counts => {
      let c = per.get(pc);
      if (!c) per.set(pc, (c = { offers: 0, answers: 0, remote: 0 }));
      return c;
    };
    (window as unknown as { __sdpOf: (pc: RTCPeerConnection) => Counts }).__sdpOf = (pc) => ({ ...of(pc) });
    const P = RTCPeerConnection.prototype;
    const offer = P.createOffer;
    const answer = P.createAnswer;
    const remote = P.setRemoteDescription;
    P.createOffer = function (this: RTCPeerConnection, ...args: unknown[]) {
      of(this).offers++;
      return (offer as (...a: unknown[]) => Promise<RTCSessionDescriptionInit>).apply(this, args);
    } as typeof P.createOffer;
    P.createAnswer = function (this: RTCPeerConnection, ...args: unknown[]) {
      of(this).answers++;
      return (answer as (...a: unknown[]) => Promise<RTCSessionDescriptionInit>).apply(this, args);
    } as typeof P.createAnswer;
    P.setRemoteDescription = function (this: RTCPeerConnection, ...args: unknown[]) {
      of(this).remote++;
      return (remote as (...a: unknown[]) => Promise<void>).apply(this, args);
    } as typeof P.setRemoteDescription;
  });
}

/** The SDP work done on the call's own RTCPeerConnection so far. */
const sdpCounts = (p: Page, callId: string) =>
  p.evaluate((id) => (window as unknown as { __sdpOf: (pc: RTCPeerConnection) => { offers: number; answers: number; remote: number } }).__sdpOf(window.softphoneTest!.phone()!.connection(id)!), callId);

const card = (p: Page) => p.getByRole('region', { name: 'Camera, microphone and speaker' });

interface Sent {
  label: string;
  deviceId: string;
  readyState: string;
  enabled: boolean;
}

/** The tracks the newest call with `peer` sends, by kind; keeps each in window.__sentTracks so the test can check later that they were stopped. */
function sent(p: Page, peer: string): Promise<{ video: Sent | null; audio: Sent | null }> {
  return p.evaluate((who) => {
    const phone = window.softphoneTest!.phone()!;
    const c = phone.getSnapshot().calls.filter((x) => x.peer === who).at(-1)!;
    const w = window as unknown as { __sentTracks?: Set<MediaStreamTrack> };
    w.__sentTracks ??= new Set();
    const out: { video: Sent | null; audio: Sent | null } = { video: null, audio: null };
    for (const s of phone.connection(c.id)?.getSenders() ?? []) {
      const t = s.track;
      if (!t) continue;
      w.__sentTracks.add(t);
      out[t.kind as 'video' | 'audio'] = { label: t.label, deviceId: t.getSettings().deviceId ?? '', readyState: t.readyState, enabled: t.enabled };
    }
    return out;
  }, peer);
}

/** Waits until the newest call with `peer` sends a `kind` track labelled `label`. */
async function waitSent(p: Page, peer: string, kind: 'video' | 'audio', label: string, timeout = 20_000): Promise<Sent> {
  const until = Date.now() + timeout;
  for (;;) {
    const s = (await sent(p, peer))[kind];
    if (s?.label === label && s.readyState === 'live') return s;
    if (Date.now() > until) {
      const shown = (await p.locator('main').innerText()).replace(/\s+/g, ' ').slice(0, 600);
      throw new Error(`the call with ${peer} sends ${kind} ${JSON.stringify(s)}, not ${label}; the page says: ${shown}`);
    }
    await p.waitForTimeout(200);
  }
}

/** The id the browser gives the device labelled `label` (ids are salted per profile: read, never assumed). */
function deviceId(p: Page, kind: 'camera' | 'microphone' | 'speaker', label: string): Promise<string> {
  return p.evaluate(
    ([k, l]) => window.softphoneTest!.devices()!.getSnapshot().available[k as 'camera'].find((d) => d.label === l)?.deviceId ?? `(no ${l})`,
    [kind, label],
  );
}

/** The label of the video track a <video> named `name` shows. */
function shownCamera(p: Page, name: string): Promise<string | null> {
  return p.evaluate((n) => {
    const v = document.querySelector<HTMLVideoElement>(`video[aria-label="${n}"]`);
    return (v?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.label ?? null;
  }, name);
}

async function waitShownCamera(p: Page, name: string, label: string, timeout = 20_000): Promise<void> {
  const until = Date.now() + timeout;
  while ((await shownCamera(p, name)) !== label) {
    if (Date.now() > until) throw new Error(`${name} shows ${await shownCamera(p, name)}, not ${label}`);
    await p.waitForTimeout(200);
  }
}

/** Screenshots at 1280 × 800 and 390 × 844, with the videos held still (headless Chromium here draws no frame while one plays). */
async function shoot(page: Page, name: string): Promise<void> {
  await page.bringToFront();
  await page.evaluate(() => document.querySelectorAll('video').forEach((v) => v.pause()));
  for (const size of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200);
    await page.screenshot({ path: `e2e/artifacts/devices-${name}-${size.width}.png`, timeout: 20_000 });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/**
 * Chooses `label` in a device menu during a call. Headless Chromium here
 * draws no frame while a call's video plays, so every Playwright action that
 * waits for the page (click, selectOption, even focus) waits forever; the
 * menu is focused and changed from inside the page instead, with the same
 * change event a person's choice fires.
 */
async function chooseInCall(menu: Locator, label: string): Promise<void> {
  // (The menu is controlled: it shows the choice once the app has taken it; the caller checks what the call sends.)
  const found = await menu.evaluate((el: HTMLSelectElement, want: string) => {
    const option = [...el.options].find((o) => o.textContent === want);
    if (!option) return false;
    el.focus();
    el.value = option.value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return true;
  }, label);
  expect(found, `the menu offers ${label}`).toBe(true);
}

/** Writes the stored device choice as a damaged or stale settings store would hold it (IndexedDB, idb-keyval's layout). */
function storeChoice(p: Page, value: unknown): Promise<void> {
  return p.evaluate(
    (v) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('p2p-softphone-settings');
        open.onerror = () => reject(new Error('could not open the settings'));
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readwrite');
          tx.objectStore('kv').put(v, 'media-devices');
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(new Error('could not write the settings'));
        };
      }),
    value,
  );
}

beforeAll(async () => {
  const alice = await web.newPerson();
  const bob = await web.newPerson();
  await Promise.all([countSdp(alice), countSdp(bob)]);
  b = await openPeer(bob);
  a = await openPeer(alice);
  await Promise.all([waitOnline(a), waitOnline(b)]);
  await waitForRing([a, b]);
  await claimName(b, 'bob');
  await claimName(a, 'alice');
}, 150_000);

it('the card lists both cameras, the microphones and speakers; the choice shows in the camera test and is remembered across a reload', async () => {
  await goTo(a, 'Settings');
  const c = card(a);
  const camera = c.getByRole('combobox', { name: 'Camera', exact: true });
  await camera.locator('option', { hasText: 'fake_device_1' }).waitFor({ state: 'attached', timeout: 20_000 });
  expect(await camera.locator('option').allTextContents()).toEqual(['The system’s default', 'fake_device_0', 'fake_device_1']);
  expect(await c.getByRole('combobox', { name: 'Microphone', exact: true }).locator('option').allTextContents()).toEqual(['The system’s default', 'Fake Audio Input 1', 'Fake Audio Input 2']);
  // Chromium has HTMLMediaElement.setSinkId, so the speaker can be chosen (elsewhere the card says it cannot).
  expect(await c.getByRole('combobox', { name: 'Speaker', exact: true }).locator('option').allTextContents()).toEqual(['The system’s default', 'Fake Audio Output 1', 'Fake Audio Output 2']);

  await camera.selectOption({ label: 'fake_device_1' });
  await c.getByRole('combobox', { name: 'Microphone', exact: true }).selectOption({ label: 'Fake Audio Input 1' });
  await c.getByRole('combobox', { name: 'Speaker', exact: true }).selectOption({ label: 'Fake Audio Output 1' });
  await c.getByRole('button', { name: 'Test camera' }).click();
  await waitShownCamera(a, 'Camera test', 'fake_device_1');
  await a.waitForFunction(() => (document.querySelector<HTMLVideoElement>('video[aria-label="Camera test"]')?.readyState ?? 0) >= 2, undefined, { timeout: 20_000 });
  await c.scrollIntoViewIfNeeded();
  await shoot(a, 'card');
  for (const width of [360, 390]) {
    await a.setViewportSize({ width, height: 800 });
    expect(await a.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), `the Settings page with the devices card at ${width} px`).toBeLessThanOrEqual(0);
  }
  await a.setViewportSize({ width: 1280, height: 800 });
  await c.getByRole('button', { name: 'Stop the camera test' }).click();
  await expect(a.locator('video[aria-label="Camera test"]').count()).resolves.toBe(0);

  const chosen = { camera: await deviceId(a, 'camera', 'fake_device_1'), microphone: await deviceId(a, 'microphone', 'Fake Audio Input 1'), speaker: await deviceId(a, 'speaker', 'Fake Audio Output 1') };
  await a.reload();
  await reachable(a, 'alice');
  await goTo(a, 'Settings');
  await card(a).getByRole('combobox', { name: 'Camera', exact: true }).locator('option', { hasText: 'fake_device_1' }).waitFor({ state: 'attached', timeout: 20_000 });
  expect(await a.evaluate(() => window.softphoneTest!.devices()!.getSnapshot().inUse)).toEqual(chosen);
  expect(await card(a).getByRole('combobox', { name: 'Camera', exact: true }).inputValue()).toBe(chosen.camera);
  expect(await card(a).getByRole('combobox', { name: 'Speaker', exact: true }).inputValue()).toBe(chosen.speaker);
}, 180_000);

it('a video call sends the chosen devices; the caller sees the camera while it rings and changes it; switching mid-call makes no new offer', async () => {
  const chosenCamera = await deviceId(a, 'camera', 'fake_device_1');
  await dial(a, 'bob', 'Video call');
  try {
    await switchesInCall(chosenCamera);
  } finally {
    // A call left playing would stall the next tests' clicks (headless Chromium draws no frame then).
    await a.evaluate(() => window.softphoneTest!.phone()?.getSnapshot().calls.forEach((c) => c.state !== 'ended' && window.softphoneTest!.phone()!.hangUp(c.id)));
  }
}, 240_000);

async function switchesInCall(chosenCamera: string): Promise<void> {
  await answerQuestion(b, 'Always allow');
  await waitRinging(b, a, 'alice', 'bob');
  // The chosen camera and microphone, by the sender's track label and its settings.
  const first = await waitSent(a, 'bob', 'video', 'fake_device_1');
  expect(first.deviceId).toBe(chosenCamera);
  expect((await sent(a, 'bob')).audio?.label).toBe('Fake Audio Input 1');
  // The preview while it rings: alice's own camera, with a menu to change it before bob answers.
  await waitShownCamera(a, 'Your camera preview', 'fake_device_1');
  const panel = a.getByRole('region', { name: 'Call to bob' }).last();
  await chooseInCall(panel.getByRole('combobox', { name: 'Camera in this call' }), 'fake_device_0');
  await waitSent(a, 'bob', 'video', 'fake_device_0');
  await waitShownCamera(a, 'Your camera preview', 'fake_device_0');
  await a.waitForFunction(() => (document.querySelector<HTMLVideoElement>('video[aria-label="Your camera preview"]')?.readyState ?? 0) >= 2, undefined, { timeout: 20_000 });
  await shoot(a, 'preview');

  await ringing(b, 'alice').getByRole('button', { name: 'Answer with video' }).click();
  const [ca, cb] = await Promise.all([waitCall(a, 'bob', 'active'), waitCall(b, 'alice', 'active')]);
  await mediaFlows(b, cb.id, 30_000);
  // The SDP exchange is over once both sides are active; from here on, any new offer or answer would be a renegotiation.
  await a.waitForTimeout(1000);
  const before = { a: await sdpCounts(a, ca.id), b: await sdpCounts(b, cb.id) };
  console.log(`[devices] SDP work for the call: alice ${JSON.stringify(before.a)}, bob ${JSON.stringify(before.b)}`);
  // One offer from alice, one answer from bob: the call's whole negotiation.
  expect(before).toEqual({ a: { offers: 1, answers: 0, remote: 1 }, b: { offers: 0, answers: 1, remote: 1 } });

  const active = a.getByRole('region', { name: 'Call to bob' }).last();
  await chooseInCall(active.getByRole('combobox', { name: 'Camera in this call' }), 'fake_device_1');
  const switched = await waitSent(a, 'bob', 'video', 'fake_device_1');
  expect(switched.deviceId).toBe(chosenCamera);
  await chooseInCall(active.getByRole('combobox', { name: 'Microphone in this call' }), 'Fake Audio Input 2');
  await waitSent(a, 'bob', 'audio', 'Fake Audio Input 2');
  // Bob goes on receiving sound and picture over the same negotiated media.
  const m0 = await mediaIn(b, cb.id);
  await b.waitForTimeout(4000);
  const m1 = await mediaIn(b, cb.id);
  console.log(`[devices] bob received in the 4 s after the switch: ${m1.audioBytes - m0.audioBytes} B audio, ${m1.videoBytes - m0.videoBytes} B video, ${m1.framesDecoded - m0.framesDecoded} frames`);
  // KNOWN GAP (open): with Chromium 156's fake cameras, the picture bob receives stops after alice switches back to a camera
  // she used earlier in the call (0 B video in 4 s; a page-only probe with two RTCPeerConnections shows the same), while
  // the sender's track is the new camera and live. Printed above, not yet asserted; sound must go on.
  expect(m1.audioBytes).toBeGreaterThan(m0.audioBytes);
  await a.waitForTimeout(1000);
  const after = { a: await sdpCounts(a, ca.id), b: await sdpCounts(b, cb.id) };
  console.log(`[devices] after switching camera and microphone mid-call: alice ${JSON.stringify(after.a)}, bob ${JSON.stringify(after.b)}`);
  expect(after).toEqual(before);
  // The devices switched away from are closed, and the choice made in the call is remembered.
  const replaced = await a.evaluate(() => [...(window as unknown as { __sentTracks: Set<MediaStreamTrack> }).__sentTracks].filter((t) => t.readyState === 'ended').map((t) => t.label).sort());
  expect(replaced).toEqual(['Fake Audio Input 1', 'fake_device_0', 'fake_device_1']);
  expect(await a.evaluate(() => window.softphoneTest!.devices()!.getSnapshot().inUse.microphone)).toBe(await deviceId(a, 'microphone', 'Fake Audio Input 2'));

  await a.getByRole('button', { name: 'Hang up' }).evaluate((el: HTMLButtonElement) => el.click());
  await waitCall(b, 'alice', 'ended', 20_000);
  await waitCall(a, 'bob', 'ended', 20_000);
  // No camera or microphone stays on after the call, switched-in ones included.
  expect(await a.evaluate(() => [...(window as unknown as { __sentTracks: Set<MediaStreamTrack> }).__sentTracks].filter((t) => t.readyState !== 'ended').map((t) => t.label))).toEqual([]);
  void ca;
}

it('a video message is recorded with the chosen camera and microphone', async () => {
  await goTo(a, 'Video mail');
  await a.getByRole('textbox', { name: 'Their name' }).fill('bob');
  await a.getByRole('button', { name: 'Record a message' }).click();
  const dialog = a.getByRole('dialog', { name: 'Leave a video message for bob' });
  await dialog.getByRole('button', { name: 'Start recording' }).and(a.locator(':enabled')).waitFor({ timeout: 20_000 });
  const tracks = await a.evaluate(() => {
    const s = document.querySelector<HTMLVideoElement>('video[aria-label="Camera preview"]')?.srcObject as MediaStream | null;
    return s?.getTracks().map((t) => t.label).sort() ?? [];
  });
  expect(tracks).toEqual(['Fake Audio Input 2', 'fake_device_1']);
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
}, 60_000);

it('a remembered camera that is gone and a damaged saved microphone fall back to the defaults, saying so in words', async () => {
  await storeChoice(a, { camera: { deviceId: 'f'.repeat(64), label: 'Old USB camera' }, microphone: 'not a device' });
  await a.reload();
  await reachable(a, 'alice');
  await goTo(a, 'Settings');
  const c = card(a);
  await c.getByText('The camera you chose (Old USB camera) is not connected, so the default camera is used.').waitFor({ timeout: 20_000 });
  await c.getByText('Your saved choice of devices could not be read, so the default devices are used.').waitFor();
  expect(await c.getByRole('combobox', { name: 'Camera', exact: true }).inputValue()).toBe('');
  expect(await a.evaluate(() => window.softphoneTest!.devices()!.constraints(true))).toEqual({ audio: true, video: true });
  await c.getByRole('button', { name: 'Test camera' }).click();
  await waitShownCamera(a, 'Camera test', 'fake_device_0');
  await c.getByRole('button', { name: 'Stop the camera test' }).click();
}, 120_000);
