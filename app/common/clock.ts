/**
 * The time source the overlay waits on. Browsers and Node pass
 * `systemClock`; the simulator passes its virtual clock.
 */
export interface Clock {
  /** Milliseconds since the epoch (or since the start of a simulation). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};
