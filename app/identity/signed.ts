/** Signatures over canonical encodings: what every signed record uses. */
import { canonicalEncode, type CanonicalValue } from './canonical';
import { signBytes, verifyBytes } from './keys';

/** Signs the canonical bytes of `value`. */
export async function signValue(privateKey: CryptoKey, value: CanonicalValue): Promise<Uint8Array> {
  return signBytes(privateKey, canonicalEncode(value));
}

/** True when `signature` over the canonical bytes of `value` verifies with `spki`. Never throws. */
export async function verifyValue(spki: Uint8Array, value: CanonicalValue, signature: Uint8Array): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = canonicalEncode(value);
  } catch {
    return false;
  }
  return verifyBytes(spki, bytes, signature);
}
