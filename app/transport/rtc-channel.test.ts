/**
 * The race that failed overlay-signaled links "the peer sent a proof out of
 * turn" (a different transport contract test in each of three runs, on real
 * WebRTC): the answering side sends its hello as soon as its channel is
 * open, and libwebrtc can deliver that hello in the same turn as the
 * dialer's `open` event, before the dialer has built its link. The fake
 * WebRTC of testing/fake-rtc.ts delivers it exactly so, every time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rtcChannel } from './rtc-channel';
import { attachLinks, FakeRtc, FakeRtcDataChannel, MemoryAttachHub } from './testing';
import type { LinkManager } from './link-manager';

describe('a plain RTCDataChannel link', () => {
  const open: LinkManager[] = [];
  afterEach(() => {
    for (const m of open.splice(0)) m.close();
  });

  it('keeps the messages that come before its listener and hands them over first, in order', async () => {
    const rtc = new FakeRtc();
    const pc = rtc.factory({});
    const dc = new FakeRtcDataChannel('p2p-link');
    const ch = rtcChannel(pc, dc as unknown as RTCDataChannel, 'a'.repeat(40), 'overlay');
    dc.dispatchEvent(Object.assign(new Event('message'), { data: new Uint8Array([1]).buffer }));
    dc.dispatchEvent(Object.assign(new Event('message'), { data: new Uint8Array([2, 3]).buffer }));
    const got: number[][] = [];
    ch.onData((b) => got.push([...b]));
    dc.dispatchEvent(Object.assign(new Event('message'), { data: new Uint8Array([4]).buffer }));
    await Promise.resolve();
    dc.dispatchEvent(Object.assign(new Event('message'), { data: new Uint8Array([5]).buffer }));
    expect(got).toEqual([[1], [2, 3], [4], [5]]);
  });

  it('links when the far side’s hello arrives in the same turn as the dialer’s open event', async () => {
    const hub = new MemoryAttachHub();
    const rtc = new FakeRtc();
    const a = await attachLinks(hub, undefined, rtc.factory);
    const b = await attachLinks(hub, undefined, rtc.factory);
    open.push(a.manager, b.manager);
    const failures: string[] = [];
    for (const m of [a.manager, b.manager]) m.onDialFailed((_id, words) => failures.push(words));
    const upAtB = new Promise<string>((resolve) => b.manager.onLinkUp((info) => resolve(info.nodeId)));
    await a.manager.connect(b.manager.localId);
    expect(await upAtB).toBe(a.manager.localId);
    expect(failures).toEqual([]);
    expect(a.manager.links().map((l) => [l.nodeId, l.via])).toEqual([[b.manager.localId, 'overlay']]);
  });
});
