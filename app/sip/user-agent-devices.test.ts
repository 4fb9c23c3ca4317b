/**
 * The person's chosen camera and microphone reach the browser: a call placed
 * or answered asks getUserMedia with the constraints the device chooser gives
 * (UserAgentOptions.mediaConstraints), and an audio call still opens no
 * camera whatever the chooser says. Bob is the real UserAgent with its JsSIP
 * UA; alice a bare wire on the in-memory overlay.
 */
import JsSIP from 'jssip';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import { Listeners, silentLogger } from '../common';
import { UserAgent } from './user-agent';
import { MemorySipOverlay, when } from './testing';
import { ALICE_NODE, BOB_NODE, DOMAIN, invite, sdpOffer } from './testing/torture-messages';

JsSIP.debug.disable();

const asked: MediaStreamConstraints[] = [];
beforeEach(() => {
  asked.length = 0;
  class NoMediaPeerConnection {
    addEventListener(): void {}
    close(): void {}
  }
  vi.stubGlobal('window', { RTCPeerConnection: NoMediaPeerConnection });
  vi.stubGlobal('RTCPeerConnection', NoMediaPeerConnection);
  vi.stubGlobal('navigator', {
    mediaDevices: {
      getUserMedia: (c: MediaStreamConstraints) => {
        asked.push(c);
        return Promise.reject(new DOMException('no devices in Node', 'NotFoundError'));
      },
    },
  });
});

const phones: UserAgent[] = [];
afterEach(() => {
  phones.splice(0).forEach((p) => p.stop());
  vi.unstubAllGlobals();
});

const CHOSEN = (video: boolean): MediaStreamConstraints => ({ audio: { deviceId: { ideal: 'usb-mic' } }, video: video ? { deviceId: { ideal: 'usb-cam' } } : false });
/** A chooser that gets it wrong: a camera even for an audio call. */
const CARELESS = (): MediaStreamConstraints => ({ audio: { deviceId: { ideal: 'usb-mic' } }, video: { deviceId: { ideal: 'usb-cam' } } });

async function bobWith(mediaConstraints: (video: boolean) => MediaStreamConstraints) {
  const o = new MemorySipOverlay();
  o.registrations.set('alice', new Set([ALICE_NODE]));
  const bob = new UserAgent({ network: o.network(BOB_NODE), location: o.location(BOB_NODE), policy: async () => ({ allow: true, reason: '' }), domain: DOMAIN, name: 'bob', history: new MemoryKeyValueStore(), mediaConstraints });
  phones.push(bob);
  await bob.start();
  const alice = o.network(ALICE_NODE);
  const replies: string[] = [];
  const replied = new Listeners<void>(silentLogger);
  alice.onReceive((_from, text) => {
    replies.push(text);
    replied.emit();
  });
  /** Alice calls with `body`; resolves when bob's phone rings. */
  const ring = async (body: string) => {
    const id = `dv${Math.random().toString(36).slice(2, 10)}`;
    await alice.send(BOB_NODE, invite(id, { body }));
    await when((fn) => replied.add(fn), () => replies.some((t) => t.includes(id) && / 180 /.test(t.split('\r\n')[0]!)));
    return bob.getSnapshot().calls.find((c) => c.state === 'incoming')!;
  };
  return { bob, ring };
}

const VIDEO_OFFER = sdpOffer().replace('a=group:BUNDLE 0', 'a=group:BUNDLE 0 1') + ['m=video 9 UDP/TLS/RTP/SAVPF 96', 'c=IN IP4 0.0.0.0', 'a=mid:1', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', 'a=fingerprint:sha-256 ' + Array.from({ length: 32 }, () => 'AB').join(':'), 'a=setup:actpass', 'a=sendrecv', 'a=rtpmap:96 VP8/90000', ''].join('\r\n');

describe('calls open the chosen devices', () => {
  it('answering a video call with video asks for the chosen camera and microphone', async () => {
    const { bob, ring } = await bobWith(CHOSEN);
    const call = await ring(VIDEO_OFFER);
    expect(call.canAnswerWithVideo).toBe(true);
    bob.answer(call.id, true);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toEqual(CHOSEN(true));
  });

  it('answering with sound only asks for the chosen microphone and no camera, even from a careless chooser', async () => {
    const { bob, ring } = await bobWith(CARELESS);
    const call = await ring(VIDEO_OFFER);
    bob.answer(call.id, false);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toEqual({ audio: { deviceId: { ideal: 'usb-mic' } }, video: false });
  });

  it('placing a video call and an audio call asks for the chosen devices', async () => {
    const { bob } = await bobWith(CHOSEN);
    bob.call('alice', true);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toEqual(CHOSEN(true));
    bob.call('alice', false);
    await vi.waitFor(() => expect(asked).toHaveLength(2));
    expect(asked[1]).toEqual(CHOSEN(false));
  });
});
