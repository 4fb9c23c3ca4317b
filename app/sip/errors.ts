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

/**
 * The registrar refused a REGISTER for good: a 4xx other than 408 and 480,
 * or a 6xx. RFC 3261 §8.1.3.5: such a request must not be retried unchanged
 * (our registrar's 403 says the name is someone else's).
 */
export class RegistrationRefusedError extends Error {
  override name = 'RegistrationRefusedError';
  constructor(
    message: string,
    /** The SIP status code of the refusal. */
    readonly status: number,
  ) {
    super(message);
  }
}

/** A REGISTER that failed for a reason that can pass (408, 480, 5xx, no answer, a lost connection); it is retried. */
export class RegistrationFailedError extends Error {
  override name = 'RegistrationFailedError';
}
