/** Bytes that are not a canonical encoding, or a value that has none. */
export class EncodingError extends Error {
  override name = 'EncodingError';
}

/** A key, signature or certificate that does not parse or does not verify. */
export class InvalidKeyError extends Error {
  override name = 'InvalidKeyError';
}

/** The identity could not be loaded or held for this tab. */
export class IdentityUnavailableError extends Error {
  override name = 'IdentityUnavailableError';
}
