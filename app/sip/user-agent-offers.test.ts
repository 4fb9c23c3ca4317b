/**
 * What the Phone does with the offer in an INVITE, before and when it rings:
 * an offer no browser can use is refused with 488 and never rings (issue 13,
 * kind 7); what a call carries is read from the offer's media, and answering
 * never asks the browser for a camera the person or the offer did not want
 * (kind 10). Alice is a bare wire on the in-memory overlay, so her INVITEs
 * can be anything; bob is the real UserAgent with its JsSIP UA.
 */
import fc from 'fast-check';
import JsSIP from 'jssip';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import { UserAgent, type CallView } from './user-agent';
import { parseSip } from './sip-parse';
import { Listeners, silentLogger } from '../common';
import { MemorySipOverlay, when } from './testing';
import { ALICE_NODE, BOB_NODE, DOMAIN, invite, sdpOffer } from './testing/torture-messages';

JsSIP.debug.disable();

/** The browser's getUserMedia as JsSIP calls it on answer: records what was asked, and refuses (no devices in Node). */
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

/** Bob's UserAgent, every call state it ever showed, and alice's wire with the answers that came back to her. */
async function setUp() {
  const o = new MemorySipOverlay();
  o.registrations.set('alice', new Set([ALICE_NODE]));
  const bob = new UserAgent({ network: o.network(BOB_NODE), location: o.location(BOB_NODE), policy: async () => ({ allow: true, reason: '' }), domain: DOMAIN, name: 'bob', history: new MemoryKeyValueStore() });
  phones.push(bob);
  const shown: CallView[] = [];
  bob.subscribe(() => shown.push(...bob.getSnapshot().calls));
  await bob.start();
  const alice = o.network(ALICE_NODE);
  const replies: string[] = [];
  const replied = new Listeners<void>(silentLogger);
  alice.onReceive((_from, text) => {
    replies.push(text);
    replied.emit();
  });
  let n = 0;
  /** Sends an INVITE with `body` as application/sdp; resolves with the status lines bob sent back once a final one came. */
  const offer = async (body: string): Promise<string[]> => {
    const id = `of${++n}x${Math.random().toString(36).slice(2, 8)}`;
    await alice.send(BOB_NODE, invite(id, { body }));
    const mine = () => replies.filter((t) => t.includes(id)).map((t) => t.split('\r\n')[0]!);
    await when((fn) => replied.add(fn), () => mine().some((l) => / [2-6]\d\d /.test(l) || / 180 /.test(l)));
    return mine();
  };
  return { bob, shown, offer, replies };
}

/** A WebRTC offer as a browser writes it, with the media sections given. */
function offerWith(...sections: string[][]): string {
  const head = sdpOffer().split('\r\n').slice(0, 4);
  return [...head, ...sections.flat(), ''].join('\r\n');
}
const credentials = ['c=IN IP4 0.0.0.0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', `a=fingerprint:sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`, 'a=setup:actpass'];
const audio = (dir = 'sendrecv') => ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', ...credentials, `a=${dir}`, 'a=rtpmap:111 opus/48000/2'];
const video = (dir = 'sendrecv', port = 9) => [`m=video ${port} UDP/TLS/RTP/SAVPF 96`, 'a=mid:1', ...credentials, `a=${dir}`, 'a=rtpmap:96 VP8/90000'];

/** Offers that are application/sdp by their Content-Type but that no browser can use, and the words the 488 must carry. */
const UNUSABLE: [string, string, RegExp][] = [
  ['v=9 and then a line of prose (the report from the field)', 'v=9\r\nHello Bob, this is not a session description at all.\r\n', /not SDP/],
  ['prose only', 'Please pick up, it is alice.', /not SDP/],
  ['v=0 followed by prose', 'v=0\r\nthis is prose\r\n', /not SDP/],
  ['a valid offer with a line of prose in the middle', sdpOffer().replace('s=-\r\n', 's=-\r\nsee you soon\r\n'), /not SDP/],
  ['a type with a space before the =', sdpOffer().replace('t=0 0', 't =0 0'), /not SDP/],
  ['SDP version 1', sdpOffer().replace('v=0', 'v=1'), /version 0/],
  ['no origin line', sdpOffer().replace(/o=[^\r]*\r\n/, ''), /origin/],
  ['a damaged origin line', sdpOffer().replace(/o=[^\r]*/, 'o=nonsense'), /origin/],
  ['no timing line', sdpOffer().replace('t=0 0\r\n', ''), /timing/],
  ['no media at all', sdpOffer().split('m=audio')[0]!, /no media/],
  ['only a data channel', offerWith(['m=application 9 UDP/DTLS/SCTP webrtc-datachannel', ...credentials]), /no sound or video/],
  ['every section rejected (port 0)', offerWith(audio().map((l) => l.replace('m=audio 9', 'm=audio 0'))), /no sound or video/],
  ['a port that is not a number', sdpOffer().replace('m=audio 9 ', 'm=audio nope '), /m= line|port/],
  ['a port out of range', sdpOffer().replace('m=audio 9 ', 'm=audio 70000 '), /port/],
  ['plain RTP, not WebRTC', sdpOffer().replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP'), /transport/],
  ['no payload types', sdpOffer().replace('SAVPF 111', 'SAVPF'), /payload/],
  ['a payload type above 127', sdpOffer().replace('SAVPF 111', 'SAVPF 300'), /payload/],
  ['no ICE credentials', sdpOffer().replace(/a=ice-pwd:[^\r]*\r\n/, ''), /ICE/],
  ['no DTLS fingerprint', sdpOffer().replace(/a=fingerprint:[^\r]*\r\n/, ''), /fingerprint/],
  ['seventeen media sections', offerWith(...Array.from({ length: 17 }, () => audio())), /more than 16/],
  ['NUL bytes and control characters', 'v=0\r\n\u0000\u0001\u0002\r\n', /not SDP/],
];

describe('an offer that is not usable SDP (issue 13, kind 7)', () => {
  for (const [name, body, words] of UNUSABLE)
    it(`is refused with 488 and a reason, and never rings: ${name}`, async () => {
      const { bob, shown, offer } = await setUp();
      const lines = await offer(body);
      expect(lines.filter((l) => !/ 100 /.test(l))).toEqual([expect.stringMatching(/^SIP\/2\.0 488 /)]);
      expect(lines[lines.length - 1]).toMatch(words);
      expect(shown.filter((c) => c.state === 'incoming')).toEqual([]);
      expect(bob.getSnapshot().calls).toEqual([]);
      // Nothing is lost: bob's recent calls say in words that alice's call could not be taken.
      expect(bob.getSnapshot().recent[0]?.outcome).toMatch(/^a call from alice could not be taken: /);
      expect(asked).toEqual([]);
    });

  it('a usable offer still rings afterwards, and random damage never both rings and refuses', async () => {
    const { bob, shown, offer } = await setUp();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.string({ minLength: 1, maxLength: 12 }), async (at, junk) => {
        const body = sdpOffer();
        const cut = at % body.length;
        const lines = await offer(body.slice(0, cut) + junk + body.slice(cut));
        const finals = lines.filter((l) => !/ 100 /.test(l));
        // Either it rings (180) or it is refused (488 only); never a crash, a silence, or both.
        expect(finals.length).toBe(1);
        expect(finals[0]).toMatch(/^SIP\/2\.0 (180|488) /);
        for (const c of bob.getSnapshot().calls) if (c.state === 'incoming') bob.hangUp(c.id);
      }),
      { seed: 13, numRuns: 60 },
    );
    const lines = await offer(sdpOffer());
    expect(lines).toContain('SIP/2.0 180 Ringing');
    expect(shown.some((c) => c.state === 'incoming' && c.peer === 'alice')).toBe(true);
  });
});

describe('what a call carries is read from the offer (issue 13, kind 10)', () => {
  async function ring(body: string) {
    const { bob, offer } = await setUp();
    expect(await offer(body)).toContain('SIP/2.0 180 Ringing');
    const call = bob.getSnapshot().calls.find((c) => c.state === 'incoming')!;
    return { bob, call };
  }

  it('an audio offer that only offers to receive video (what an audio call sent before) rings as audio, and "answer with video" opens no camera', async () => {
    const { bob, call } = await ring(offerWith(audio(), video('recvonly')));
    expect({ video: call.video, canAnswerWithVideo: call.canAnswerWithVideo, camera: call.camera }).toEqual({ video: false, canAnswerWithVideo: false, camera: false });
    bob.answer(call.id, true);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toMatchObject({ audio: true, video: false });
  });

  it('an offer with no video section rings as audio and is answered with sound only', async () => {
    const { bob, call } = await ring(offerWith(audio()));
    expect([call.video, call.canAnswerWithVideo]).toEqual([false, false]);
    bob.answer(call.id, true);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toMatchObject({ video: false });
  });

  it('a video section with port 0 or inactive is no video', async () => {
    for (const v of [video('sendrecv', 0), video('inactive')]) {
      const { call } = await ring(offerWith(audio(), v));
      expect([call.video, call.canAnswerWithVideo]).toEqual([false, false]);
    }
  });

  it('a video offer rings as video; the camera opens only when bob answers with video', async () => {
    const a = await ring(offerWith(audio(), video()));
    expect([a.call.video, a.call.canAnswerWithVideo, a.call.camera]).toEqual([true, true, false]);
    a.bob.answer(a.call.id, false);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toMatchObject({ audio: true, video: false });
    const b = await ring(offerWith(audio(), video()));
    b.bob.answer(b.call.id, true);
    await vi.waitFor(() => expect(asked).toHaveLength(2));
    expect(asked[1]).toMatchObject({ audio: true, video: true });
  });

  it('a caller who only sends video (sendonly) rings as video, but bob cannot be asked for his camera', async () => {
    const { bob, call } = await ring(offerWith(audio(), video('sendonly')));
    expect([call.video, call.canAnswerWithVideo]).toEqual([true, false]);
    bob.answer(call.id, true);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toMatchObject({ video: false });
  });
});

describe('the 488 is a response alice can read', () => {
  it('carries her Via branch, Call-ID and tags', async () => {
    const { offer, replies } = await setUp();
    await offer('v=9\r\nnot an offer\r\n');
    const r = parseSip(replies.find((t) => t.startsWith('SIP/2.0 488'))!);
    if ('error' in r || r.kind !== 'response') throw new Error('unreadable 488');
    expect(r.status).toBe(488);
    expect(r.callId).toMatch(/^of1x/);
  });
});
