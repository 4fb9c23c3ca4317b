import { describe, expect, it } from 'vitest';
import { enoughCandidateType, isEnoughCandidate } from './early-offer.ts';

const host = 'candidate:1 1 udp 2122260223 192.0.2.2 54321 typ host generation 0';
const srflx = 'candidate:2 1 udp 1686052607 203.0.113.101 40000 typ srflx raddr 192.0.2.2 rport 54321';
const relay = 'candidate:3 1 udp 41885439 203.0.113.10 49170 typ relay raddr 203.0.113.101 rport 40000';
const turn = { urls: 'turn:203.0.113.10:3478?transport=udp', username: '1:a', credential: 'x' };
const stun = { urls: ['stun:203.0.113.10:3478'] };

describe('when a call SDP may leave before gathering ends', () => {
  it('with no servers, the first host candidate is enough', () => {
    expect(enoughCandidateType([])).toBe('host');
    expect(isEnoughCandidate(host, [])).toBe(true);
  });

  it('with a TURN server, only a relay candidate is: a host or server-reflexive one would leave a call across NATs without a path', () => {
    expect(enoughCandidateType([stun, turn])).toBe('relay');
    expect(isEnoughCandidate(host, [stun, turn])).toBe(false);
    expect(isEnoughCandidate(srflx, [stun, turn])).toBe(false);
    expect(isEnoughCandidate(relay, [stun, turn])).toBe(true);
  });

  it('with STUN only, a server-reflexive candidate is', () => {
    expect(isEnoughCandidate(host, [stun])).toBe(false);
    expect(isEnoughCandidate(srflx, [stun])).toBe(true);
  });
});
