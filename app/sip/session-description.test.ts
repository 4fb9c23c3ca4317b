import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { negotiatedMedia, readSessionDescription, type MediaDirection } from './session-description';
import { sdpOffer } from './testing/torture-messages';

const video = (dir: string, port = 9) =>
  [`m=video ${port} UDP/TLS/RTP/SAVPF 96 97`, 'a=mid:1', 'a=ice-ufrag:efgh', 'a=ice-pwd:abcdefghijklmnopqrstuvwx', `a=fingerprint:sha-256 ${Array.from({ length: 32 }, () => 'CD').join(':')}`, `a=${dir}`, 'a=rtpmap:96 VP8/90000'].join('\r\n') + '\r\n';

describe('readSessionDescription', () => {
  it('reads a browser offer: its kinds and directions', () => {
    expect(readSessionDescription(sdpOffer())).toEqual({ ok: true, media: { audio: 'sendrecv', video: 'inactive' } });
    expect(readSessionDescription(sdpOffer() + video('recvonly'))).toEqual({ ok: true, media: { audio: 'sendrecv', video: 'recvonly' } });
    expect(readSessionDescription(sdpOffer() + video('sendonly', 0))).toEqual({ ok: true, media: { audio: 'sendrecv', video: 'inactive' } });
    // LF-only line ends are read too (RFC 8866 §5 asks for CRLF, but is lenient on input).
    expect(readSessionDescription(sdpOffer().replace(/\r\n/g, '\n')).ok).toBe(true);
  });

  it('applies a session-level direction to sections without one, and merges two sections of one kind', () => {
    const held = sdpOffer().replace('a=sendrecv\r\n', '').replace('t=0 0\r\n', 't=0 0\r\na=sendonly\r\n');
    expect(readSessionDescription(held)).toMatchObject({ ok: true, media: { audio: 'sendonly' } });
    expect(readSessionDescription(sdpOffer() + video('sendonly') + video('recvonly'))).toMatchObject({ ok: true, media: { video: 'sendrecv' } });
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (t) => void readSessionDescription(t)), { numRuns: 200 });
    fc.assert(fc.property(fc.nat(), fc.uint8Array({ maxLength: 20 }).map((b) => String.fromCharCode(...b)), (at, junk) => void readSessionDescription(sdpOffer().slice(0, at % 400) + junk)), { numRuns: 200 });
  });

  it('refuses an offer of more lines than any call has, before parsing it', () => {
    const many = sdpOffer() + 'a=x\r\n'.repeat(2000);
    expect(readSessionDescription(many)).toEqual({ ok: false, reason: 'the offer has more than 1000 lines' });
  });
});

describe('negotiatedMedia: both sides read the same answer the same way (RFC 3264 §6)', () => {
  const cases: [MediaDirection, boolean, boolean, boolean][] = [
    // answer's video direction, video carried, offerer's camera sent, answerer's camera sent
    ['sendrecv', true, true, true],
    ['recvonly', true, true, false],
    ['sendonly', true, false, true],
    ['inactive', false, false, false],
  ];
  for (const [dir, carried, offererCamera, answererCamera] of cases)
    it(`video ${dir} in the answer`, () => {
      const offerer = negotiatedMedia({ audio: 'sendrecv', video: dir }, 'offerer');
      const answerer = negotiatedMedia({ audio: 'sendrecv', video: dir }, 'answerer');
      expect([offerer.video, answerer.video]).toEqual([carried, carried]);
      expect([offerer.camera, answerer.camera]).toEqual([offererCamera, answererCamera]);
    });
});
