/**
 * Exponential back-off (DESIGN.md, Overlay: reconnect back-off): by default
 * the first retry after 0.5 s, doubling, capped at 5 min, then every 5 min
 * for as long as it takes. The signaling client, lost links and RetryLoop
 * (everything that must stay up) share it; it lives here, in the bottom
 * layer with a clock, so that sip, mail and ui can use it too.
 */
export interface BackoffOptions {
  /** @default 500 */
  initialMs?: number;
  /** @default 300_000 */
  maxMs?: number;
  /** @default 2 */
  factor?: number;
}

/** The waits of one run of failures; `reset()` after a success. */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private failures = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 500;
    this.maxMs = opts.maxMs ?? 300_000;
    this.factor = opts.factor ?? 2;
  }

  /** The wait before the next try; each call counts one more failure. */
  next(): number {
    const delay = Math.min(this.maxMs, this.initialMs * this.factor ** this.failures);
    if (delay < this.maxMs) this.failures++;
    return delay;
  }

  /** How many failures in a row so far. */
  get attempts(): number {
    return this.failures;
  }

  /** After a success: the next failure waits the initial time again. */
  reset(): void {
    this.failures = 0;
  }
}
