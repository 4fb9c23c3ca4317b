/**
 * Message encryption (DESIGN.md, Video mail): a fresh AES-GCM key per
 * message; the secrets the recipient needs (that key and the message's own
 * signing key) are wrapped for the recipient's ECDH P-256 key with an
 * ephemeral ECDH key pair and HKDF-SHA-256. WebCrypto only, so it runs the
 * same in browsers and in Node 20.
 */
import { canonicalDecode, canonicalEncode, concatBytes, exportSpki, importEcdhPublicKey, utf8 } from '../identity';
import { MailError } from './errors';

const AES = { name: 'AES-GCM', length: 256 } as const;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const WRAP_INFO = 'p2p-sip/mail-key-wrap/1';

export function subtle(): SubtleCrypto {
  const c = globalThis.crypto as Crypto | undefined;
  if (!c?.subtle) throw new Error('WebCrypto is not available (a secure context is needed)');
  return c.subtle;
}

/** WebCrypto wants ArrayBuffer-backed views; ours always are. */
export const bs = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;

export function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** What the recipient unwraps: the content key and the message key (PKCS#8) that may delete the message. */
export interface MessageSecrets {
  contentKey: Uint8Array;
  messageKeyPkcs8: Uint8Array;
}

export interface WrappedSecrets {
  /** The ephemeral ECDH public key (SPKI). */
  epk: Uint8Array;
  iv: Uint8Array;
  ct: Uint8Array;
}

export async function newContentKey(): Promise<Uint8Array> {
  return randomBytes(32);
}

/** A fresh ECDSA P-256 key per message: it signs the fragments and the manifest record, and may later delete them. */
export async function newMessageKey(): Promise<{ pair: CryptoKeyPair; spki: Uint8Array; pkcs8: Uint8Array }> {
  const pair = (await subtle().generateKey(ECDSA, true, ['sign', 'verify'])) as CryptoKeyPair;
  return { pair, spki: await exportSpki(pair.publicKey), pkcs8: new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey)) };
}

export async function importMessageKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  try {
    return await subtle().importKey('pkcs8', bs(pkcs8), ECDSA, false, ['sign']);
  } catch {
    throw new MailError('damaged', 'The message key inside this message is damaged.');
  }
}

async function aesKey(raw: Uint8Array, usage: KeyUsage[]): Promise<CryptoKey> {
  return subtle().importKey('raw', bs(raw), AES, false, usage);
}

export async function seal(key: Uint8Array, plain: Uint8Array, aad: Uint8Array): Promise<{ iv: Uint8Array; ct: Uint8Array }> {
  const iv = randomBytes(12);
  const ct = await subtle().encrypt({ name: 'AES-GCM', iv: bs(iv), additionalData: bs(aad) }, await aesKey(key, ['encrypt']), bs(plain));
  return { iv, ct: new Uint8Array(ct) };
}

/** Throws MailError('damaged') when the bytes or the key are not the ones sealed. */
export async function open(key: Uint8Array, iv: Uint8Array, ct: Uint8Array, aad: Uint8Array, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: bs(iv), additionalData: bs(aad) }, await aesKey(key, ['decrypt']), bs(ct)));
  } catch {
    throw new MailError('damaged', `${what} did not pass its integrity check: it was changed or damaged on the way.`);
  }
}

async function kek(privateKey: CryptoKey, publicKey: CryptoKey, salt: Uint8Array, info: Uint8Array): Promise<CryptoKey> {
  const shared = await subtle().deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  const ikm = await subtle().importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: bs(salt), info: bs(info) }, ikm, AES, false, ['encrypt', 'decrypt']);
}

function wrapInfo(epk: Uint8Array, recipientEcdhSpki: Uint8Array): Uint8Array {
  return concatBytes(utf8(WRAP_INFO), epk, recipientEcdhSpki);
}

/** Bytes sealed for one recipient's ECDH key: the ephemeral public key (SPKI), the IV, the AES-GCM ciphertext with its tag. */
export type SealedForRecipient = WrappedSecrets;

/**
 * Seals `plain` for the holder of `recipient`'s ECDH private key, the ECIES
 * way (SEC 1 §5.1; RFC 9180's DHKEM shape, without its wire format): a fresh
 * ephemeral P-256 key, ECDH, HKDF-SHA-256 (salt = `salt`, info = `domain`,
 * the ephemeral key and the recipient's key), AES-256-GCM with `aad`. Only
 * the recipient can open it, and the ephemeral key says nothing about the
 * sender. WebCrypto only.
 */
export async function sealForRecipient(recipient: CryptoKey | Uint8Array, plain: Uint8Array, o: { salt: Uint8Array; domain: string; aad: Uint8Array }): Promise<SealedForRecipient> {
  const recipientKey = recipient instanceof Uint8Array ? await importEcdhPublicKey(recipient) : recipient;
  const recipientSpki = await exportSpki(recipientKey);
  const eph = (await subtle().generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
  const epk = await exportSpki(eph.publicKey);
  const key = await kek(eph.privateKey, recipientKey, o.salt, concatBytes(utf8(o.domain), epk, recipientSpki));
  const iv = randomBytes(12);
  const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: bs(iv), additionalData: bs(o.aad) }, key, bs(plain)));
  return { epk, iv, ct };
}

/** Opens what `sealForRecipient` sealed; null when it was sealed for another key, or changed on the way (the two cannot be told apart). */
export async function openAsRecipient(s: SealedForRecipient, privateKey: CryptoKey, publicKeySpki: Uint8Array, o: { salt: Uint8Array; domain: string; aad: Uint8Array }): Promise<Uint8Array | null> {
  try {
    const epk = await importEcdhPublicKey(s.epk);
    const key = await kek(privateKey, epk, o.salt, concatBytes(utf8(o.domain), s.epk, publicKeySpki));
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: bs(s.iv), additionalData: bs(o.aad) }, key, bs(s.ct)));
  } catch {
    return null;
  }
}

/**
 * A secret both ends of one message share (HKDF-SHA-256 over the message's
 * content key, salt = message id): read receipts are sealed and filed with
 * it, so a receipt needs no signature that names the reader. `bytes` long.
 */
export async function deriveMessageSecret(contentKey: Uint8Array, id: Uint8Array, info: string, bytes: number): Promise<Uint8Array> {
  const ikm = await subtle().importKey('raw', bs(contentKey), 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: bs(id), info: bs(utf8(info)) }, ikm, bytes * 8));
}

/** Wraps the secrets for the recipient's ECDH public key; `salt` binds them to one message id. */
export async function wrapSecrets(secrets: MessageSecrets, recipient: CryptoKey | Uint8Array, salt: Uint8Array): Promise<WrappedSecrets> {
  const recipientKey = recipient instanceof Uint8Array ? await importEcdhPublicKey(recipient) : recipient;
  const recipientSpki = await exportSpki(recipientKey);
  const eph = (await subtle().generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
  const epk = await exportSpki(eph.publicKey);
  const key = await kek(eph.privateKey, recipientKey, salt, wrapInfo(epk, recipientSpki));
  const iv = randomBytes(12);
  const plain = canonicalEncode({ ck: secrets.contentKey, mk: secrets.messageKeyPkcs8 });
  const ct = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: bs(iv) }, key, bs(plain)));
  return { epk, iv, ct };
}

/** Unwraps with the recipient's ECDH private key; a different key fails with MailError('wrong-key'). */
export async function unwrapSecrets(w: WrappedSecrets, privateKey: CryptoKey, publicKeySpki: Uint8Array, salt: Uint8Array): Promise<MessageSecrets> {
  let plain: Uint8Array;
  try {
    const epk = await importEcdhPublicKey(w.epk);
    const key = await kek(privateKey, epk, salt, wrapInfo(w.epk, publicKeySpki));
    plain = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: bs(w.iv) }, key, bs(w.ct)));
  } catch {
    throw new MailError('wrong-key', 'This message cannot be opened with your key: it was encrypted for someone else, or its key was damaged.');
  }
  let v: { ck?: unknown; mk?: unknown } | null;
  try {
    v = canonicalDecode(plain) as typeof v;
  } catch {
    v = null;
  }
  if (!v || !(v.ck instanceof Uint8Array) || v.ck.length !== 32 || !(v.mk instanceof Uint8Array)) {
    throw new MailError('damaged', 'The key inside this message is damaged.');
  }
  return { contentKey: v.ck, messageKeyPkcs8: v.mk };
}
