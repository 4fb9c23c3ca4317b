import type { TimerClock } from '../signaling-client';

/** Time that moves only when told; due timers run in time order. For tests. */
export class VirtualClock implements TimerClock {
  t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }

  /**
   * The process stops for `ms` (SIGSTOP, a suspended machine): time moves on
   * and nothing runs; the timers that fell due meanwhile fire as soon as it
   * runs again (the next `advance`), late.
   */
  stall(ms: number): void {
    this.t += ms;
    for (const e of this.timers.values()) if (e.at < this.t) e.at = this.t;
  }

  /** Advances in steps, letting promises and queued deliveries run between them. */
  async advanceAsync(ms: number, stepMs = 100): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) {
      this.advance(Math.min(stepMs, ms - done));
      await settle();
    }
  }
}

/** Lets pending promise callbacks, microtasks and WebCrypto work finish. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
