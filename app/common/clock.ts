/**
 * The time source everything that waits takes by injection (STYLE.md,
 * practice 4). Browsers and Node pass `systemClock`; tests pass a
 * `ManualClock` (common/testing) and the simulator its event-queue
 * `VirtualClock` (overlay/sim).
 */
export interface Clock {
  /** Milliseconds since the epoch (or since the start of a simulation or test). */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer by the handle `setTimeout` returned; unknown or spent handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/** The real clock: `Date.now` and the global timers. The one name for it. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};
