/**
 * Virtual time for simulations: timers are events in a queue and time jumps
 * from one to the next. Async work the nodes register with the tracker
 * (signature checks) is awaited before time moves, so a run replays exactly
 * from its seed even with real WebCrypto underneath.
 *
 * It implements common's `Clock` but stays apart from common's `ManualClock`
 * (the unit tests' clock): thousands of nodes need the heap-ordered event
 * queue, and awaiting the tracker makes `advance` async, where the unit
 * tests of timeouts rely on a synchronous `advance`.
 */
import { type Clock } from '../../common';
import type { AsyncTracker } from '../options';
import { EventQueue, type SimEvent } from './event-queue';

export class SimTracker implements AsyncTracker {
  pending = 0;
  private waiters: (() => void)[] = [];

  track<T>(p: Promise<T>): Promise<T> {
    this.pending++;
    const done = (): void => {
      this.pending--;
      if (this.pending === 0) for (const w of this.waiters.splice(0)) w();
    };
    p.then(done, done);
    return p;
  }

  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

export class VirtualClock implements Clock {
  private time: number;
  readonly queue = new EventQueue();
  readonly tracker = new SimTracker();
  /** Events run so far. */
  events = 0;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return this.queue.push(this.time + Math.max(0, Math.ceil(ms)), fn);
  }

  clearTimeout(handle: unknown): void {
    if (handle && typeof handle === 'object') (handle as SimEvent).fn = null;
  }

  /** Runs one event; false when none is due by `until`. */
  private step(until: number): boolean {
    const next = this.queue.peek();
    if (!next || next.time > until) return false;
    this.queue.pop();
    if (next.time > this.time) this.time = next.time;
    const fn = next.fn;
    if (fn) {
      next.fn = null;
      this.events++;
      fn();
    }
    return true;
  }

  /** Runs every event up to `ms` from now, in order, then sets the time there. */
  async advance(ms: number): Promise<void> {
    const until = this.time + Math.ceil(ms);
    let n = 0;
    while (this.step(until)) {
      if (this.tracker.pending > 0) await this.tracker.idle();
      // Let promise continuations (lookups resolving) run now and then; they only schedule events.
      if (++n % 512 === 0) await null;
    }
    this.time = Math.max(this.time, until);
    await this.tracker.idle();
  }

  /** Runs events until `p` settles (or `maxMs` of virtual time pass), and returns its outcome. */
  async until<T>(p: Promise<T>, maxMs = 600_000): Promise<T> {
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    const limit = this.time + maxMs;
    while (!settled) {
      if (this.step(limit)) {
        if (this.tracker.pending > 0) await this.tracker.idle();
        await null;
        continue;
      }
      // No event is due: let promise chains finish before calling it stuck.
      for (let i = 0; i < 100 && !settled; i++) await null;
      const next = this.queue.peek();
      if (!settled && (!next || next.time > limit)) throw new Error('simulation: the awaited work did not settle in time');
    }
    return p;
  }
}
