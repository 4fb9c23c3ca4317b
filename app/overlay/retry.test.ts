import { describe, expect, it } from 'vitest';
import { ManualClock, settle } from '../common/testing';
import { RetryLoop, type RetryState } from './retry';

class Refused extends Error {}

function loop(clock: ManualClock, results: (Error | 'ok' | 'hang')[], opts: { everyMs?: number } = {}) {
  const tries: number[] = [];
  const states: RetryState[] = [];
  const r = new RetryLoop({
    clock,
    backoff: { initialMs: 1000, maxMs: 8000 },
    isPermanent: (e) => e instanceof Refused,
    attemptTimeoutMs: 5000,
    ...opts,
    attempt: async () => {
      tries.push(clock.now());
      const next = results.shift() ?? 'ok';
      if (next === 'hang') return new Promise<void>(() => undefined);
      if (next !== 'ok') throw next;
    },
  });
  r.onState((s) => states.push(s));
  return { r, tries, states };
}

describe('RetryLoop', () => {
  it('retries transient failures by itself with doubling waits up to the cap, then stays up', async () => {
    const clock = new ManualClock(0);
    const { r, tries } = loop(clock, [new Error('no answer'), new Error('no answer'), new Error('no answer'), new Error('no answer'), new Error('no answer')]);
    r.start();
    await settle();
    await settle();
    expect(r.state).toMatchObject({ kind: 'waiting', reason: 'no answer', failures: 1, retryInMs: 1000 });
    await clock.advanceAsync(60_000, 1000);
    expect(tries).toEqual([0, 1000, 3000, 7000, 15_000, 23_000]);
    expect(r.state.kind).toBe('up');
    await clock.advanceAsync(60_000, 1000);
    expect(tries).toHaveLength(6);
  });

  it('starts over from the first wait after a success, when the thing is lost again', async () => {
    const clock = new ManualClock(0);
    const { r, tries } = loop(clock, [new Error('a'), 'ok', new Error('b')]);
    r.start();
    await settle();
    await clock.advanceAsync(2000, 1000);
    expect(r.state.kind).toBe('up');
    r.lost(new Error('the refresh timed out'));
    expect(r.state).toMatchObject({ kind: 'waiting', reason: 'the refresh timed out', retryInMs: 1000 });
    await clock.advanceAsync(1000, 1000);
    expect(r.state).toMatchObject({ kind: 'waiting', reason: 'b', retryInMs: 2000 });
    await clock.advanceAsync(2000, 1000);
    expect(r.state.kind).toBe('up');
    expect(tries).toHaveLength(4);
  });

  it('stops on a permanent refusal, and tries again only when asked', async () => {
    const clock = new ManualClock(0);
    const { r, tries } = loop(clock, [new Error('slow'), new Refused('the name alice is taken by someone else')]);
    r.start();
    await settle();
    await clock.advanceAsync(60_000, 1000);
    expect(r.state).toEqual({ kind: 'refused', reason: 'the name alice is taken by someone else' });
    expect(tries).toHaveLength(2);
    await r.runNow();
    expect(r.state.kind).toBe('up');
  });

  it('counts a try that never settles as a failure and goes on', async () => {
    const clock = new ManualClock(0);
    const { r, tries } = loop(clock, ['hang', 'ok']);
    r.start();
    await settle();
    await clock.advanceAsync(5000, 1000);
    expect(r.state).toMatchObject({ kind: 'waiting', reason: 'no answer within 5 s' });
    await clock.advanceAsync(1000, 1000);
    expect(r.state.kind).toBe('up');
    expect(tries).toEqual([0, 6000]);
  });

  it('polls periodic work, backs off while it fails, and "now" runs at once without a second try in parallel', async () => {
    const clock = new ManualClock(0);
    const { r, tries } = loop(clock, ['ok', new Error('down'), 'ok'], { everyMs: 15_000 });
    r.start();
    await settle();
    await clock.advanceAsync(15_000, 1000);
    expect(r.state).toMatchObject({ kind: 'waiting', reason: 'down' });
    await clock.advanceAsync(1000, 1000);
    expect(r.state.kind).toBe('up');
    const a = r.runNow();
    const b = r.runNow();
    await Promise.all([a, b]);
    expect(tries).toEqual([0, 15_000, 16_000, 16_000]);
  });

  it('after stop, nothing runs and a late outcome changes nothing; a throwing listener does not break it', async () => {
    const clock = new ManualClock(0);
    const { r, tries, states } = loop(clock, [new Error('x')]);
    r.onState(() => {
      throw new Error('listener bug');
    });
    const err = console.error;
    console.error = () => undefined;
    try {
      r.start();
      await settle();
      r.stop();
      await clock.advanceAsync(60_000, 1000);
    } finally {
      console.error = err;
    }
    expect(tries).toHaveLength(1);
    expect(states.at(-1)).toEqual({ kind: 'stopped' });
  });
});
