/**
 * The service peer follows the node's STUN/TURN list as a tab does (issue
 * 15): every new list (fresh TURN credentials included) goes to its links,
 * and a bad or missing answer is logged in words while the last good list
 * stays. Before, a service peer made every link with no ICE servers at all.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../common/testing';
import type { IceHttpResponse } from '../peer';
import { parseServerUrl } from '../transport';
import { describeIceServers, followNodeIce, iceServersUrlFor } from './service-ice';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const json = (body: unknown, status = 200): IceHttpResponse => ({ status, json: () => Promise.resolve(body) });
const turn = (user: string) => ({ urls: ['turn:203.0.113.10:3478?transport=udp'], username: user, credential: 'c2VjcmV0' });
const STUN = { urls: 'stun:203.0.113.10:3478' };

/** A follower whose fetches answer `answers(now)` in turn (the last one again and again). */
function follow(answersAt: (now: number) => (IceHttpResponse | Error)[]) {
  const clock = new ManualClock();
  const answers = answersAt(clock.now());
  const applied: RTCIceServer[][] = [];
  const lines: string[] = [];
  const urls: string[] = [];
  const ice = followNodeIce({
    url: 'https://node.test:8443/ice-servers',
    apply: (s) => applied.push(s),
    log: (l) => lines.push(l),
    clock,
    fetch: (url) => {
      urls.push(url);
      const a = answers.length > 1 ? answers.shift()! : answers[0]!;
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
  });
  return { clock, applied, lines, urls, ice };
}

describe('the service peer’s ICE servers', () => {
  it('are read beside the first signaling server', () => {
    expect(iceServersUrlFor(parseServerUrl('http://127.0.0.1:5173/peerjs'))).toBe('http://127.0.0.1:5173/ice-servers');
    expect(iceServersUrlFor(parseServerUrl('https://node.example/peerjs'))).toBe('https://node.example/ice-servers');
    expect(iceServersUrlFor(parseServerUrl('http://[::1]:5173/peerjs'))).toBe('http://[::1]:5173/ice-servers');
  });

  it('take the node’s list, then the refreshed credentials before they expire, and log no secret', async () => {
    const first = follow((t0) => [json({ iceServers: [STUN, turn('1:a')], expiresAt: t0 + 100_000 }), json({ iceServers: [STUN, turn('2:b')], expiresAt: t0 + 200_000 })]);
    await first.ice.ready;
    await settle();
    expect(first.urls).toEqual(['https://node.test:8443/ice-servers']);
    expect(first.applied).toEqual([[STUN, turn('1:a')]]);
    first.clock.advance(80_000);
    await settle();
    expect(first.applied).toEqual([
      [STUN, turn('1:a')],
      [STUN, turn('2:b')],
    ]);
    expect(first.lines.every((l) => !l.includes('c2VjcmV0') && !l.includes('1:a'))).toBe(true);
    expect(first.lines[0]).toBe('media servers from the node: stun:203.0.113.10:3478, turn:203.0.113.10:3478');
    first.ice.stop();
    expect(first.clock.pending).toBe(0);
  });

  it('keep the last good list and say in words what went wrong with a bad answer', async () => {
    const f = follow((t0) => [json({ iceServers: [STUN], expiresAt: t0 + 10_000 }), json({ iceServers: 'lots' }), new Error('connect ECONNREFUSED')]);
    await f.ice.ready;
    await settle();
    f.clock.advance(8_000);
    await settle();
    f.clock.advance(5_000);
    await settle();
    expect(f.applied).toEqual([[STUN]]);
    expect(f.lines.slice(1).join('\n')).toMatch(/could not be used: .*Links and calls still work where a direct path exists\./);
    expect(f.lines.at(-1)).toMatch(/could not be fetched \(connect ECONNREFUSED\)/);
    f.ice.stop();
  });

  it('are none for a node without the endpoint, and nothing is wrong', async () => {
    const f = follow(() => [json({}, 404)]);
    await f.ice.ready;
    await settle();
    expect(f.applied).toEqual([[]]);
    expect(f.lines).toEqual(['media servers from the node: none']);
    expect(describeIceServers([])).toBe('none');
    f.ice.stop();
  });
});
