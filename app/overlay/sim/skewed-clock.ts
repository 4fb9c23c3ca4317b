/**
 * A clock that reads another clock's time plus a fixed offset, for
 * simulating machines whose clocks disagree (a tab 6 minutes behind). Timers
 * still run on the base clock: a skewed machine waits as long as any other,
 * only the time it reads and writes into records is off.
 */
import { type Clock } from '../../common';

/**
 * `base` read `offsetMs` milliseconds ahead (negative: behind); a function
 * gives an offset that changes, like a clock that the system corrects.
 */
export function skewedClock(base: Clock, offsetMs: number | (() => number)): Clock {
  const offset = typeof offsetMs === 'number' ? () => offsetMs : offsetMs;
  return {
    now: () => base.now() + offset(),
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    clearTimeout: (h) => base.clearTimeout(h),
  };
}
