/** A name that is already someone else's. */
export class NameTakenError extends Error {
  override name = 'NameTakenError';
}

/** The overlay did not answer in time. */
export class OverlayTimeoutError extends Error {
  override name = 'OverlayTimeoutError';
}
