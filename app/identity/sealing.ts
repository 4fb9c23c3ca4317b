/**
 * Authenticated encryption for one recipient key, from WebCrypto only (no
 * hand-written cryptography): ECDH P-256 gives a shared secret, HKDF-SHA-256
 * (RFC 5869) turns it into an AES-256-GCM key (NIST SP 800-38D), and each
 * sealed box is a fresh 96-bit random nonce followed by the ciphertext and
 * its 128-bit tag. This is the ECIES shape (SEC 1 §5.1, as in RFC 9180's
 * DHKEM): whoever holds an ephemeral private key and the recipient's public
 * key derives the same AES key as the recipient from the ephemeral public key.
 *
 * P-256 rather than X25519: Chromium and Node 20 both have ECDH P-256 in
 * WebCrypto, while X25519 arrived in Chromium only in 2025 (M133).
 */
import { asBufferSource, concatBytes } from './bytes';
import { InvalidKeyError } from './errors';

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
/** An uncompressed P-256 point (0x04 ‖ x ‖ y), as `exportKey('raw')` gives it. */
export const AGREEMENT_PUBLIC_BYTES = 65;
/** The AES-GCM nonce in front of every sealed box. */
export const SEAL_NONCE_BYTES = 12;
/** The AES-GCM tag at the end of every sealed box. */
export const SEAL_TAG_BYTES = 16;
/** What a sealed box adds to its plaintext: nonce and tag. */
export const SEAL_OVERHEAD_BYTES = SEAL_NONCE_BYTES + SEAL_TAG_BYTES;

function subtle(): SubtleCrypto {
  const c = globalThis.crypto as Crypto | undefined;
  if (!c?.subtle) throw new Error('WebCrypto is not available (a secure context is needed)');
  return c.subtle;
}

/** A fresh ECDH P-256 key pair whose private half cannot be exported. */
export async function generateAgreementKeyPair(): Promise<CryptoKeyPair> {
  return subtle().generateKey(ECDH, false, ['deriveBits']);
}

/** The 65 raw bytes of an ECDH P-256 public key. */
export async function exportAgreementPublic(publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().exportKey('raw', publicKey));
}

/** Imports 65 raw bytes as an ECDH P-256 public key; throws InvalidKeyError when they are not a point on the curve. */
export async function importAgreementPublic(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== AGREEMENT_PUBLIC_BYTES || raw[0] !== 4) throw new InvalidKeyError('not an uncompressed P-256 point');
  try {
    return await subtle().importKey('raw', asBufferSource(raw), ECDH, true, []);
  } catch {
    throw new InvalidKeyError('bytes are not an ECDH P-256 public key');
  }
}

/**
 * The AES-256-GCM key that `privateKey` and the owner of `publicKey` share:
 * HKDF-SHA-256 over the ECDH secret with `salt` and `info` (bind both into
 * it what the key is for and between whom). Throws InvalidKeyError when the
 * keys do not agree (a key of another curve).
 */
export async function deriveSealingKey(privateKey: CryptoKey, publicKey: CryptoKey, salt: Uint8Array, info: Uint8Array): Promise<CryptoKey> {
  let secret: ArrayBuffer;
  try {
    secret = await subtle().deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  } catch {
    throw new InvalidKeyError('the keys do not agree');
  }
  const ikm = await subtle().importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: asBufferSource(salt), info: asBufferSource(info) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Encrypts `plaintext` under `key`, authenticating `aad` too: nonce ‖ ciphertext ‖ tag. */
export async function sealBytes(key: CryptoKey, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(SEAL_NONCE_BYTES));
  const ct = await subtle().encrypt({ name: 'AES-GCM', iv: nonce, additionalData: asBufferSource(aad), tagLength: 128 }, key, asBufferSource(plaintext));
  return concatBytes(nonce, new Uint8Array(ct));
}

/** Opens a box made by `sealBytes`; null when it was altered, made with another key or for other `aad`. Never throws. */
export async function openBytes(key: CryptoKey, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null> {
  if (sealed.length < SEAL_OVERHEAD_BYTES) return null;
  try {
    const pt = await subtle().decrypt(
      { name: 'AES-GCM', iv: asBufferSource(sealed.subarray(0, SEAL_NONCE_BYTES)), additionalData: asBufferSource(aad), tagLength: 128 },
      key,
      asBufferSource(sealed.subarray(SEAL_NONCE_BYTES)),
    );
    return new Uint8Array(pt);
  } catch {
    return null;
  }
}
