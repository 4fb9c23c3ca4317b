/**
 * The one manual test clock: time moves only when a test says so, and due
 * timers run in time order, so timeouts are tested without real sleeps
 * (STYLE.md, practice 4).
 *
 * The simulator keeps its own `VirtualClock` (overlay/sim): it runs
 * thousands of nodes, so its timers live in a binary-heap event queue, and
 * its `advance` is async because it awaits the signature checks the nodes
 * register with its tracker before time moves on, which is what makes a
 * simulation replay exactly from its seed. This clock's `advance` is
 * synchronous, which the unit tests of timeouts rely on. Both implement the
 * same `Clock`.
 */
import type { Clock } from '../clock';

interface Timer {
  at: number;
  fn: () => void;
}

/** A `Clock` whose time moves only on `advance`, `advanceAsync` or `stall`. */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  /** @param start the time `now()` returns at first, in ms. @default 2025-01-01T00:00:00Z */
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running each timer that falls due, earliest first (ties in the order they were set). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, Timer] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }

  /**
   * The process stops for `ms` (SIGSTOP, a suspended machine): time moves on
   * and nothing runs; the timers that fell due meanwhile fire as soon as it
   * runs again (the next `advance`), late.
   */
  stall(ms: number): void {
    this.time += ms;
    for (const t of this.timers.values()) if (t.at < this.time) t.at = this.time;
  }

  /** Advances in steps of `stepMs`, letting promises and queued deliveries run between them. */
  async advanceAsync(ms: number, stepMs = 100): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) {
      this.advance(Math.min(stepMs, ms - done));
      await settle();
    }
  }
}

/**
 * Lets pending promise callbacks, microtasks and WebCrypto work finish: each
 * round yields one macrotask turn of the real event loop (no time passes on
 * any test clock).
 */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
