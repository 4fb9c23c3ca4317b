/** A name that is already someone else's. */
export class NameTakenError extends Error {
  override name = 'NameTakenError';
}

/** The overlay did not answer in time. */
export class OverlayTimeoutError extends Error {
  override name = 'OverlayTimeoutError';
}

/**
 * Every replica refused a registration as already expired: this machine's
 * clock is behind the others' by more than the tolerated skew
 * (MAX_CLOCK_SKEW_MS), which only setting the clock repairs.
 */
export class ClockSkewError extends Error {
  override name = 'ClockSkewError';
}
