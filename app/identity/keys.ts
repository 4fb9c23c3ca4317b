/**
 * Keys, IDs, signatures and fingerprints over WebCrypto. Runs in browsers and
 * in Node 20 (globalThis.crypto), so the overlay simulator uses the same code.
 */
import { asBufferSource, fromHex, toHex } from './bytes';
import { InvalidKeyError } from './errors';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** Node IDs are 160 bits: 40 lower-case hex digits. */
export const NODE_ID_BYTES = 20;
export const NODE_ID_PATTERN = /^[0-9a-f]{40}$/;
/** An ECDSA P-256 signature as WebCrypto makes it: r ‖ s, 64 bytes. */
export const SIGNATURE_BYTES = 64;
/** Upper bound on an SPKI we accept from a peer (a P-256 SPKI is 91 bytes). */
export const MAX_SPKI_BYTES = 200;

function subtle(): SubtleCrypto {
  const c = globalThis.crypto as Crypto | undefined;
  if (!c?.subtle) throw new Error('WebCrypto is not available (a secure context is needed)');
  return c.subtle;
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', asBufferSource(data)));
}

/** Node ID = the first 160 bits of SHA-256 over the SPKI, lower-case hex. */
export async function nodeIdFromSpki(spki: Uint8Array): Promise<string> {
  return toHex((await sha256(spki)).subarray(0, NODE_ID_BYTES));
}

export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID_PATTERN.test(value);
}

/**
 * A short fingerprint for people: the first 48 bits of a hex ID, in groups of
 * four (`3f2a 91c0 77de`). Longer `groups` show more of it.
 */
export function fingerprint(hexId: string, groups = 3): string {
  const parts: string[] = [];
  for (let i = 0; i < groups && i * 4 < hexId.length; i++) parts.push(hexId.slice(i * 4, i * 4 + 4));
  return parts.join(' ');
}

/** Fingerprint of a public key: SHA-256 over its SPKI, shown as above. */
export async function keyFingerprint(spki: Uint8Array, groups = 3): Promise<string> {
  return fingerprint(toHex(await sha256(spki)), groups);
}

export async function generateSigningKeyPair(extractable = false): Promise<CryptoKeyPair> {
  return subtle().generateKey(ECDSA, extractable, ['sign', 'verify']);
}

export async function generateEcdhKeyPair(extractable = false): Promise<CryptoKeyPair> {
  return subtle().generateKey(ECDH, extractable, ['deriveKey', 'deriveBits']);
}

/** The SPKI bytes of a public key (public keys are always exportable). */
export async function exportSpki(publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().exportKey('spki', publicKey));
}

const verifyKeyCache = new Map<string, Promise<CryptoKey>>();
const VERIFY_KEY_CACHE_MAX = 4096;

/**
 * Imports an ECDSA P-256 public key from SPKI bytes; throws InvalidKeyError
 * when the bytes are not one. Imports are cached, since the overlay verifies
 * many records from few owners.
 */
export async function importVerifyKey(spki: Uint8Array): Promise<CryptoKey> {
  if (spki.length === 0 || spki.length > MAX_SPKI_BYTES) throw new InvalidKeyError('public key has the wrong size');
  const id = toHex(spki);
  let p = verifyKeyCache.get(id);
  if (!p) {
    p = subtle()
      .importKey('spki', asBufferSource(spki), ECDSA, true, ['verify'])
      .catch(() => {
        verifyKeyCache.delete(id);
        throw new InvalidKeyError('bytes are not an ECDSA P-256 public key');
      });
    if (verifyKeyCache.size >= VERIFY_KEY_CACHE_MAX) {
      const oldest = verifyKeyCache.keys().next().value;
      if (oldest !== undefined) verifyKeyCache.delete(oldest);
    }
    verifyKeyCache.set(id, p);
  }
  return p;
}

/** Imports an ECDH P-256 public key from SPKI bytes; throws InvalidKeyError otherwise. */
export async function importEcdhPublicKey(spki: Uint8Array): Promise<CryptoKey> {
  if (spki.length === 0 || spki.length > MAX_SPKI_BYTES) throw new InvalidKeyError('public key has the wrong size');
  try {
    return await subtle().importKey('spki', asBufferSource(spki), ECDH, true, []);
  } catch {
    throw new InvalidKeyError('bytes are not an ECDH P-256 public key');
  }
}

export async function signBytes(privateKey: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign(ECDSA_SIGN, privateKey, asBufferSource(data)));
}

/**
 * True when `signature` is the owner of `spki` signing `data`. Never throws
 * for bad input from a peer: a key that does not parse verifies nothing.
 */
export async function verifyBytes(spki: Uint8Array, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (signature.length !== SIGNATURE_BYTES) return false;
  try {
    const key = await importVerifyKey(spki);
    return await subtle().verify(ECDSA_SIGN, key, asBufferSource(signature), asBufferSource(data));
  } catch {
    return false;
  }
}

/** Parses a node ID from hex; throws InvalidKeyError when it is not 40 lower-case hex digits. */
export function nodeIdBytes(id: string): Uint8Array {
  if (!isNodeId(id)) throw new InvalidKeyError(`"${String(id).slice(0, 60)}" is not a node ID`);
  return fromHex(id);
}
