/**
 * Presence from a name's registrations (issue 18), and the pace of the
 * reads: one per contact per period with jitter, nothing while inactive,
 * one read in flight, and contact events read early within a rate limit.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../common';
import { ManualClock } from '../common/testing';
import { MAX_CLOCK_SKEW_MS } from '../identity';
import type { Registration, RegistrationsResult } from '../sip';
import { PresenceWatcher, presenceOf } from './presence';

const NOW = 10_000_000;
const reg = (r: Partial<Registration>): Registration => ({ node: 'ab'.repeat(20), gone: false, writtenAt: NOW - 60_000, expires: NOW + 540_000, ...r });

describe('presenceOf', () => {
  it('is online while a registration is live, counting its nodes (tabs)', () => {
    expect(presenceOf([reg({}), reg({ node: 'cd'.repeat(20) }), reg({ gone: true, writtenAt: NOW - 5 })], NOW)).toEqual({ state: 'online', nodes: 2 });
  });

  it('after the last tab unregistered, is offline, last seen when its tombstone was written', () => {
    expect(presenceOf([reg({ gone: true, writtenAt: NOW - 30_000 }), reg({ gone: true, node: 'cd'.repeat(20), writtenAt: NOW - 90_000 })], NOW)).toEqual({
      state: 'offline',
      lastSeen: NOW - 30_000,
    });
  });

  it('a registration that lapsed (a tab that crashed) is offline once surely expired, last seen at its last refresh', () => {
    const lapsed = reg({ writtenAt: NOW - 700_000, expires: NOW - 100_000 });
    expect(presenceOf([lapsed], NOW)).toEqual({ state: 'online', nodes: 1 });
    expect(presenceOf([lapsed], NOW + MAX_CLOCK_SKEW_MS)).toEqual({ state: 'offline', lastSeen: NOW - 700_000 });
  });

  it('no registrations: last seen as remembered, or never; a time ahead of this clock counts as now', () => {
    expect(presenceOf([], NOW)).toEqual({ state: 'offline', lastSeen: null });
    expect(presenceOf([], NOW, NOW - 5)).toEqual({ state: 'offline', lastSeen: NOW - 5 });
    expect(presenceOf([reg({ gone: true, writtenAt: NOW + 3_600_000 })], NOW)).toEqual({ state: 'offline', lastSeen: NOW });
  });
});

function watcher(names: string[], o: { periodMs?: number; slow?: boolean } = {}) {
  const clock = new ManualClock(NOW);
  const reads: { name: string; at: number }[] = [];
  const results: string[] = [];
  const pending: (() => void)[] = [];
  const w = new PresenceWatcher({
    clock,
    random: new SeededRandom(7),
    names: () => names,
    read: (name) => {
      reads.push({ name, at: clock.now() });
      const r: RegistrationsResult = { kind: 'timeout' };
      return o.slow ? new Promise((res) => pending.push(() => res(r))) : Promise.resolve(r);
    },
    onResult: (name) => results.push(name),
    ...(o.periodMs !== undefined ? { periodMs: o.periodMs } : {}),
  });
  const tick = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.advance(100);
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  };
  return { w, clock, reads, results, pending, tick };
}

describe('PresenceWatcher', () => {
  it('reads nothing while inactive; once active, each contact about once per 30 s (24–36 s apart), never more', async () => {
    const { w, reads, tick } = watcher(['bob', 'carol', 'dave']);
    await tick(60_000);
    expect(reads).toHaveLength(0);
    w.setActive(true);
    await tick(300_000);
    for (const name of ['bob', 'carol', 'dave']) {
      const times = reads.filter((r) => r.name === name).map((r) => r.at);
      expect(times.length).toBeGreaterThanOrEqual(9);
      expect(times.length).toBeLessThanOrEqual(13);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(24_000 - 100);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(36_000 + 100);
    }
    w.setActive(false);
    const before = reads.length;
    await tick(120_000);
    expect(reads).toHaveLength(before);
  });

  it('keeps one read in flight at a time', async () => {
    const { w, reads, pending, tick } = watcher(['bob', 'carol'], { slow: true });
    w.setActive(true);
    await tick(60_000);
    expect(reads).toHaveLength(1);
    pending.shift()!();
    await tick(1_000);
    expect(reads.map((r) => r.name)).toEqual(['bob', 'carol']);
  });

  it('a contact event reads early, but never twice within 5 s', async () => {
    const { w, reads, tick } = watcher(['bob']);
    w.setActive(true);
    await tick(1_000);
    expect(reads).toHaveLength(1);
    w.poke('bob');
    w.poke('bob');
    await tick(3_500);
    expect(reads).toHaveLength(1);
    await tick(1_000);
    expect(reads).toHaveLength(2);
    expect(reads[1]!.at - reads[0]!.at).toBeGreaterThanOrEqual(5_000);
  });

  it('a shorter period (tests) applies at once; one shorter than the rate limit is refused', async () => {
    const { w, reads, tick } = watcher(['bob']);
    w.setActive(true);
    await tick(1_000);
    w.setPeriod(10_000);
    await tick(30_000);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(() => w.setPeriod(1_000)).toThrow(RangeError);
  });
});
