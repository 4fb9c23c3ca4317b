import { describe, expect, it } from 'vitest';
import { ManualClock } from '../common/testing';
import { checkIceAnswer, mergeIceServers } from './ice-answer';
import { NodeIceConfig, type IceHttpResponse } from './node-ice-config';
import type { RelayCheck } from './relay-probe';

const TURN = { urls: ['turn:203.0.113.10:3478?transport=udp'], username: '1735693200:abc', credential: 'c2VjcmV0' };
const STUN = { urls: 'stun:203.0.113.10:3478' };

/** Lets pending promise callbacks run (the fetch and the relay check are async). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function node(clock: ManualClock, answers: (() => IceHttpResponse | Error)[], probe?: (s: RTCIceServer[]) => Promise<RelayCheck>) {
  const asked: number[] = [];
  const config = new NodeIceConfig({
    clock,
    fetch: () => {
      asked.push(clock.now());
      const a = (answers.length > 1 ? answers.shift()! : answers[0]!)();
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
    ...(probe ? { probe } : {}),
  });
  return { config, asked };
}
const json = (body: unknown, status = 200) => (): IceHttpResponse => ({ status, json: () => Promise.resolve(body) });

describe('NodeIceConfig', () => {
  it('takes the node’s list and fetches a fresh one before the credentials expire', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const { config, asked } = node(clock, [() => json({ iceServers: [STUN, TURN], expiresAt: clock.now() + 100_000 })()]);
    void config.start();
    await settle();
    expect(config.getSnapshot()).toMatchObject({ servers: [STUN, TURN], expiresAt: t0 + 100_000, answers: 1, problem: null });
    clock.advance(79_000);
    await settle();
    expect(asked).toHaveLength(1);
    clock.advance(1_000);
    await settle();
    // The refresh came at 80 s, before the 100 s expiry, and carries the new expiry.
    expect(asked).toEqual([t0, t0 + 80_000]);
    expect(config.getSnapshot()).toMatchObject({ answers: 2, expiresAt: t0 + 180_000 });
    config.stop();
    expect(clock.pending).toBe(0);
  });

  it('a malformed answer leaves plain words and no servers, and is asked again with back-off', async () => {
    const clock = new ManualClock();
    const { config, asked } = node(clock, [json({ iceServers: [{ urls: 'http://evil.example/' }], expiresAt: 1 }), json({ iceServers: [STUN], expiresAt: clock.now() + 60_000 })]);
    void config.start();
    await settle();
    const s = config.getSnapshot();
    expect(s.servers).toEqual([]);
    expect(s.problem).toMatch(/could not be used: entry 1 names "http:\/\/evil.example\/", which is not a STUN or TURN address\. Links and calls still work where a direct path exists\./);
    clock.advance(5_000);
    await settle();
    expect(asked).toHaveLength(2);
    expect(config.getSnapshot()).toMatchObject({ servers: [STUN], problem: null });
    config.stop();
  });

  it('says so when the node cannot be reached or answers an error, keeping the last good list', async () => {
    const clock = new ManualClock();
    const { config } = node(clock, [json({ iceServers: [STUN], expiresAt: clock.now() + 10_000 }), () => new Error('Failed to fetch'), json('oops', 500)]);
    void config.start();
    await settle();
    clock.advance(8_000);
    await settle();
    expect(config.getSnapshot()).toMatchObject({ servers: [STUN], problem: expect.stringMatching(/could not be fetched \(Failed to fetch\)/) });
    clock.advance(5_000);
    await settle();
    expect(config.getSnapshot().problem).toMatch(/it answered HTTP 500/);
    config.stop();
  });

  it('a node without the endpoint (404) names no servers and nothing is wrong', async () => {
    const clock = new ManualClock();
    const { config } = node(clock, [json(null, 404)]);
    void config.start();
    await settle();
    expect(config.getSnapshot()).toMatchObject({ servers: [], problem: null, relay: 'none' });
    expect(clock.pending).toBe(0);
  });

  it('credentials that arrive already expired are used, with words about the clock', async () => {
    const clock = new ManualClock();
    const { config } = node(clock, [json({ iceServers: [TURN], expiresAt: clock.now() - 1 })]);
    void config.start();
    await settle();
    expect(config.getSnapshot().servers).toEqual([TURN]);
    expect(config.getSnapshot().problem).toMatch(/already expired/);
    config.stop();
  });

  it('reports what the relay check found, in words', async () => {
    for (const [check, words] of [
      [{ kind: 'refused', code: 401, text: 'Unauthorized' }, /^Calls that need the media relay may fail: the relay \(203\.0\.113\.10:3478\) refused our credentials\.$/],
      [{ kind: 'unreachable' }, /the relay \(203\.0\.113\.10:3478\) cannot be reached/],
      [{ kind: 'ready' }, null],
    ] as const) {
      const clock = new ManualClock();
      const probed: RTCIceServer[][] = [];
      const { config } = node(clock, [json({ iceServers: [STUN, TURN], expiresAt: clock.now() + 60_000 })], (s) => {
        probed.push(s);
        return Promise.resolve(check);
      });
      void config.start();
      await settle();
      // Only the TURN entry is checked; STUN needs no credentials.
      expect(probed).toEqual([[TURN]]);
      expect(config.getSnapshot().relay).toBe(check.kind);
      if (words) expect(config.getSnapshot().relayProblem).toMatch(words);
      else expect(config.getSnapshot().relayProblem).toBeNull();
      config.stop();
    }
  });
});

describe('checkIceAnswer', () => {
  it('refuses each kind of malformed answer with words', () => {
    const bad: [unknown, RegExp][] = [
      [null, /not a list/],
      [[], /not a list/],
      [{ expiresAt: 1 }, /no list of servers/],
      [{ iceServers: [STUN] }, /when its credentials expire/],
      [{ iceServers: [STUN], expiresAt: 'soon' }, /when its credentials expire/],
      [{ iceServers: Array(9).fill(STUN), expiresAt: 1 }, /names 9 servers/],
      [{ iceServers: ['stun:x'], expiresAt: 1 }, /entry 1 is not a server/],
      [{ iceServers: [{ urls: [] }], expiresAt: 1 }, /no usable list/],
      [{ iceServers: [{ urls: ['turn:203.0.113.10'] }], expiresAt: 1 }, /TURN server without a usable user name/],
      [{ iceServers: [{ urls: 'turn:203.0.113.10', username: 'u', credential: 'x'.repeat(600) }], expiresAt: 1 }, /password/],
      [{ iceServers: [{ urls: 'stun:203.0.113.10', username: 7 }], expiresAt: 1 }, /malformed user name/],
    ];
    for (const [body, words] of bad) {
      const r = checkIceAnswer(body);
      expect(r.ok, JSON.stringify(body).slice(0, 80)).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(words);
    }
  });

  it('keeps only the fields RTCPeerConnection needs', () => {
    const r = checkIceAnswer({ iceServers: [{ ...TURN, credentialType: 'oauth', extra: 1 }], expiresAt: 5 });
    expect(r).toEqual({ ok: true, servers: [TURN], expiresAt: 5 });
  });

  it('merges the node’s list with the person’s, node first, each entry once', () => {
    const mine = { urls: 'stun:198.51.100.7:3478' };
    expect(mergeIceServers([STUN, TURN], [mine, STUN])).toEqual([STUN, TURN, mine]);
  });
});
