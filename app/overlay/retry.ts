/**
 * One mechanism for everything that must stay up (a SIP registration, a
 * remembered name, mailbox polling, a join): run a try; when it fails for a
 * reason that can pass (the network did not answer), try again after an
 * exponential back-off, by itself, for as long as it takes; stop only on a
 * permanent refusal ("the name is taken") or `stop()`. The state is public,
 * so the UI can say it in words ("trying again in 8 s") and offer "try now".
 *
 * This is the registration recovery of RFC 5626 §4.5 (wait, doubling up to
 * a cap, after every failure; start over after a success), applied alike to
 * the other things a tab keeps up. Pure: waits on an injected Clock.
 */
import { Backoff, type BackoffOptions } from './backoff';
import { createLogger, Listeners, type Clock } from '../common';

export type RetryState =
  /** Not started yet. */
  | { kind: 'idle' }
  /** A try is running; `failures` in a row came before it. */
  | { kind: 'trying'; failures: number }
  /** The last try worked. */
  | { kind: 'up'; since: number }
  /** The last try failed for a reason that can pass; the next one runs at `retryAt` (clock time, ms). */
  | { kind: 'waiting'; reason: string; failures: number; retryAt: number; retryInMs: number }
  /** Refused for good: no more tries until `runNow()` (a person asking again). */
  | { kind: 'refused'; reason: string }
  | { kind: 'stopped' };

export interface RetryLoopOptions {
  /**
   * One try: resolves when the thing is up (or the periodic work is done),
   * rejects when it is not. The signal aborts when the try is given up
   * (timed out, or the loop stopped).
   */
  attempt: (signal: AbortSignal) => Promise<void>;
  clock: Clock;
  /** @default Backoff's defaults: 0.5 s doubling to 5 min */
  backoff?: BackoffOptions;
  /** Whether a failure is a permanent refusal that trying again cannot change. @default never */
  isPermanent?: (err: unknown) => boolean;
  /** A failure in words. @default the error's message */
  describe?: (err: unknown) => string;
  /** Periodic work (polling): the next run this long after a success. @default none: up stays up until `lost()` */
  everyMs?: number;
  /** A try still running after this long counts as failed, so a hung try cannot stop the loop. @default 60_000 */
  attemptTimeoutMs?: number;
}

/** A try that neither worked nor failed in time. */
export class AttemptTimeoutError extends Error {
  override name = 'AttemptTimeoutError';
}

type Listener = (state: RetryState) => void;

const log = createLogger('retry');

const words = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class RetryLoop {
  private readonly backoff: Backoff;
  private _state: RetryState = { kind: 'idle' };
  private readonly listeners = new Listeners<RetryState>(log);
  private timer: unknown = null;
  private inFlight: Promise<void> | null = null;
  private abort: AbortController | null = null;
  /** Bumped by stop(), so a try that settles afterwards changes nothing. */
  private generation = 0;

  constructor(private readonly o: RetryLoopOptions) {
    this.backoff = new Backoff(o.backoff);
  }

  get state(): RetryState {
    return this._state;
  }

  /** Calls `fn` on every state change; returns the unsubscribe function. A throwing listener is logged, not spread. */
  onState(fn: Listener): () => void {
    return this.listeners.add(fn);
  }

  /** Starts the loop with a try now (no-op when already running). */
  start(): void {
    if (this._state.kind === 'idle' || this._state.kind === 'stopped') void this.runNow();
  }

  /**
   * Tries now instead of waiting out the back-off (a "try now" button, or
   * "check now" on periodic work). Resolves when that try has settled; joins
   * the try already running, if any.
   */
  runNow(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.cancelTimer();
    const gen = this.generation;
    const ctl = new AbortController();
    this.abort = ctl;
    this.set({ kind: 'trying', failures: this.backoff.attempts });
    const limit = this.o.attemptTimeoutMs ?? 60_000;
    let timeout: unknown = null;
    const timedOut = new Promise<never>((_, reject) => {
      timeout = this.o.clock.setTimeout(() => reject(new AttemptTimeoutError(`no answer within ${Math.round(limit / 1000)} s`)), limit);
    });
    const run = Promise.race([Promise.resolve().then(() => this.o.attempt(ctl.signal)), timedOut]).then(
      () => {
        if (gen === this.generation) this.succeeded();
      },
      (e: unknown) => {
        if (gen === this.generation) this.failed(e);
      },
    );
    const p = run.finally(() => {
      this.o.clock.clearTimeout(timeout);
      ctl.abort();
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
    return p;
  }

  /**
   * The thing went down outside a try (a refresh that JsSIP ran on its own
   * timer failed): counts as a failed try, so the loop retries, or stops on
   * a permanent refusal. Ignored while a try runs (its outcome decides) or
   * after stop().
   */
  lost(err: unknown): void {
    if (this.inFlight || this._state.kind === 'stopped' || this._state.kind === 'idle') return;
    this.cancelTimer();
    this.failed(err);
  }

  /** Stops for good: no more tries; a running try's outcome is ignored and its signal aborted. */
  stop(): void {
    this.generation++;
    this.cancelTimer();
    this.abort?.abort();
    this.inFlight = null;
    this.set({ kind: 'stopped' });
  }

  private succeeded(): void {
    this.backoff.reset();
    this.set({ kind: 'up', since: this.o.clock.now() });
    if (this.o.everyMs !== undefined) this.schedule(this.o.everyMs);
  }

  private failed(e: unknown): void {
    const reason = (this.o.describe ?? words)(e);
    if (this.o.isPermanent?.(e)) {
      this.set({ kind: 'refused', reason });
      return;
    }
    const failures = this.backoff.attempts + 1;
    const delay = this.backoff.next();
    const retryAt = this.o.clock.now() + delay;
    this.set({ kind: 'waiting', reason, failures, retryAt, retryInMs: delay });
    this.schedule(delay);
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      void this.runNow();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private set(s: RetryState): void {
    this._state = s;
    this.listeners.emit(s);
  }
}
