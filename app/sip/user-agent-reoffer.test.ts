/**
 * Re-offers mid-call (issue 13, kinds 7 and 10): a re-INVITE whose SDP no
 * browser can use gets 488 and the call goes on; a re-offer that adds video
 * opens no camera, and the call's view says what the new answer carries.
 * Bob is the real UserAgent; alice is a bare wire that answers like a SIP UA.
 * Node has no WebRTC, so bob's RTCPeerConnection is a small fake that answers
 * an offer by the RFC 3264 §6.1 direction rules (and getUserMedia is
 * recorded), which is all JsSIP asks of it here.
 */
import JsSIP from 'jssip';
import { parse, write } from 'sdp-transform';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import { UserAgent } from './user-agent';
import { nodeHost } from './sip-parse';
import { MemorySipOverlay } from './testing/memory-sip';
import { ALICE_NODE, BOB_NODE, DOMAIN, invite, sdpOffer } from './testing/torture-messages';

JsSIP.debug.disable();

const asked: MediaStreamConstraints[] = [];

/** RFC 3264 §6.1: the answerer's direction for an offered one, given whether it has a track of that kind to send. */
function answerDirection(offered: string | undefined, hasTrack: boolean): 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' {
  const offerSends = offered === undefined || offered === 'sendrecv' || offered === 'sendonly';
  const offerReceives = offered === undefined || offered === 'sendrecv' || offered === 'recvonly';
  const send = hasTrack && offerReceives;
  return send && offerSends ? 'sendrecv' : send ? 'sendonly' : offerSends ? 'recvonly' : 'inactive';
}

class FakePeerConnection {
  iceGatheringState = 'complete';
  signalingState = 'stable';
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  readonly kinds = new Set<string>();
  addEventListener(): void {}
  removeEventListener(): void {}
  close(): void {}
  addTrack(track: { kind: string }): void {
    this.kinds.add(track.kind);
  }
  getSenders(): unknown[] {
    return [];
  }
  getReceivers(): unknown[] {
    return [];
  }
  async setRemoteDescription(d: { type: string; sdp: string }): Promise<void> {
    // As a browser does (more leniently): what does not start as SDP is refused, and JsSIP answers 488 without a reason.
    if (!/^v=0\r?\n/.test(d.sdp)) throw new DOMException('Failed to parse SessionDescription', 'OperationError');
    this.remoteDescription = d;
  }
  async createAnswer(): Promise<{ type: string; sdp: string }> {
    const sdp = parse(this.remoteDescription!.sdp);
    for (const m of sdp.media) m.direction = answerDirection(m.direction ?? sdp.direction, this.kinds.has(m.type));
    return { type: 'answer', sdp: write(sdp) };
  }
  async setLocalDescription(d: { type: string; sdp: string }): Promise<void> {
    this.localDescription = d;
  }
}

beforeEach(() => {
  asked.length = 0;
  vi.stubGlobal('window', { RTCPeerConnection: FakePeerConnection });
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal(
    'RTCSessionDescription',
    class {
      constructor(init: object) {
        Object.assign(this, init);
      }
    },
  );
  vi.stubGlobal('navigator', {
    mediaDevices: {
      getUserMedia: async (c: MediaStreamConstraints) => {
        asked.push(c);
        const tracks = (['audio', 'video'] as const).filter((k) => c[k]).map((kind) => ({ kind, enabled: true, stop: () => undefined }));
        return { getTracks: () => tracks, getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'), getVideoTracks: () => tracks.filter((t) => t.kind === 'video') };
      },
    },
  });
});

const phones: UserAgent[] = [];
afterEach(() => {
  phones.splice(0).forEach((p) => p.stop());
  vi.unstubAllGlobals();
});

const credentials = ['c=IN IP4 0.0.0.0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', `a=fingerprint:sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}`, 'a=setup:actpass'];
const withVideo = `${sdpOffer()}${['m=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', ...credentials, 'a=sendrecv', 'a=rtpmap:96 VP8/90000'].join('\r\n')}\r\n`;

describe('re-offers mid-call', () => {
  it('an unusable re-offer gets 488 and the call goes on; a re-offer adding video opens no camera and the view follows the new answer', async () => {
    const o = new MemorySipOverlay();
    o.registrations.set('alice', new Set([ALICE_NODE]));
    const bob = new UserAgent({ network: o.network(BOB_NODE), location: o.location(BOB_NODE), policy: async () => ({ allow: true, reason: '' }), domain: DOMAIN, name: 'bob', history: new MemoryKeyValueStore() });
    phones.push(bob);
    await bob.start();
    const alice = o.network(ALICE_NODE);
    const replies: string[] = [];
    alice.onReceive((_from, text) => replies.push(text));
    const status = (cseq: string) => replies.filter((t) => new RegExp(`^CSeq: ${cseq}$`, 'm').test(t)).map((t) => t.split('\r\n')[0]!);

    // An audio call from alice; bob answers, choosing video (the button a person might press).
    const first = invite('reoffer1');
    await alice.send(BOB_NODE, first);
    await vi.waitFor(() => expect(bob.getSnapshot().calls.some((c) => c.state === 'incoming')).toBe(true));
    const call = bob.getSnapshot().calls[0]!;
    bob.answer(call.id, true);
    await vi.waitFor(() => expect(status('1 INVITE')).toContain('SIP/2.0 200 OK'));
    const ok = replies.find((t) => t.startsWith('SIP/2.0 200') && /^CSeq: 1 INVITE$/m.test(t))!;
    const toTag = /^To: .*;tag=([^;\s]+)/m.exec(ok)![1]!;
    const inDialog = (method: string, cseq: number, branch: string, body = '') =>
      [
        `${method} sip:bob@${nodeHost(BOB_NODE)};transport=ws SIP/2.0`,
        `Via: SIP/2.0/WS ${nodeHost(ALICE_NODE)};branch=z9hG4bK-${branch}`,
        'Max-Forwards: 70',
        `From: "Alice" <sip:alice@${DOMAIN}>;tag=t-reoffer1`,
        `To: <sip:bob@${DOMAIN}>;tag=${toTag}`,
        'Call-ID: reoffer1@torture',
        `CSeq: ${cseq} ${method}`,
        `Contact: <sip:alice@${nodeHost(ALICE_NODE)};transport=ws>`,
        ...(body ? ['Content-Type: application/sdp'] : []),
        `Content-Length: ${new TextEncoder().encode(body).length}`,
        '',
        body,
      ].join('\r\n');
    await alice.send(BOB_NODE, inDialog('ACK', 1, 'reoffer1-ack'));
    await vi.waitFor(() => expect(bob.getSnapshot().calls[0]?.state).toBe('active'));
    expect(asked).toEqual([{ audio: true, video: false }]);

    // A re-INVITE whose body is not SDP: 488 with the reason; the call is still up.
    await alice.send(BOB_NODE, inDialog('INVITE', 2, 'reoffer2', 'v=9\r\nlet us switch to video, shall we?\r\n'));
    await vi.waitFor(() => expect(status('2 INVITE').filter((l) => !l.includes(' 100 '))).toEqual([expect.stringMatching(/^SIP\/2\.0 488 the offer is not SDP/)]));
    expect(bob.getSnapshot().calls[0]?.state).toBe('active');
    expect(bob.getSnapshot().calls[0]).toMatchObject({ video: false, camera: false });

    // A re-INVITE that adds video: answered, but no camera is asked for; the view says video flows (alice's, one way).
    await alice.send(BOB_NODE, inDialog('INVITE', 3, 'reoffer3', withVideo));
    await vi.waitFor(() => expect(status('3 INVITE')).toContain('SIP/2.0 200 OK'));
    const answer = replies.find((t) => t.startsWith('SIP/2.0 200') && /^CSeq: 3 INVITE$/m.test(t))!;
    expect(answer).toMatch(/m=video 9 [^\r]*\r\n(?:[^\r]*\r\n)*a=recvonly/);
    await alice.send(BOB_NODE, inDialog('ACK', 3, 'reoffer3-ack'));
    expect(asked).toHaveLength(1);
    expect(bob.getSnapshot().calls[0]).toMatchObject({ state: 'active', video: true, camera: false });
  });
});
