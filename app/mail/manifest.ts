/**
 * The manifest of one message: what the recipient needs to find, check,
 * rebuild and open it. It is signed by the sender's user key and then sealed
 * for the recipient (sealed-entry.ts), so only the recipient sees who sent
 * it; the mailbox record that carries it is signed by the message's own key
 * (which also owns the fragments, so whoever holds that key — the sender
 * and, after unwrapping, the recipient — may delete the message).
 */
import { canonicalDecode, canonicalEncode, concatBytes, fitsUtf8, fromHex, MAX_SPKI_BYTES, signBytes, utf8, utf8Prefix, verifyBytes } from '../identity';
import { checkKM } from './coder';
import { FRAGMENT_HEADER_BYTES, MAX_FRAGMENT_BYTES, MAX_MESSAGE_BYTES, MESSAGE_ID_BYTES, MIN_FRAGMENT_BYTES } from './constants';
import type { WrappedSecrets } from './cipher';
import { MailError } from './errors';

const MANIFEST_DOMAIN = 'p2p-sip/mail-manifest/1';
export const KEY_BYTES = 20;
export const SIG_PREFIX_BYTES = 8;
const GCM_TAG = 16;
/** Longest sender or recipient name in a manifest, in bytes of UTF-8. */
const MAX_NAME = 64;
/** Longest media type in a message's details, in bytes of UTF-8; a longer one is shortened on a whole character. */
export const MAX_TYPE_BYTES = 128;

export interface Manifest {
  v: 1;
  /** 32 hex digits; also the mailbox sub-key. */
  id: string;
  from: string;
  fromKey: Uint8Array;
  to: string;
  toKey: Uint8Array;
  /** SPKI of the message key that signs the fragments and this record. */
  msgKey: Uint8Array;
  /** Plaintext bytes. */
  size: number;
  k: number;
  m: number;
  /** Ciphertext bytes per data fragment; a stripe holds k of them. */
  frag: number;
  /** Blob keys (20 bytes each), stripe by stripe, m per stripe. */
  keys: Uint8Array;
  /** The first 8 bytes of each fragment record's signature, same order: lets anyone ask a holder "do you still have it?" without downloading it. */
  sigs: Uint8Array;
  wrap: WrappedSecrets;
  /** IV of the video's AES-GCM encryption. */
  iv: Uint8Array;
  /** Encrypted type, duration and thumbnail. */
  meta: { iv: Uint8Array; ct: Uint8Array };
  sent: number;
  expires: number;
}

/** What the recipient learns after unwrapping `meta`. */
export interface MessageMeta {
  type: string;
  durationMs: number;
  thumbnail: Uint8Array | null;
}

/** The smallest padded video ciphertext, bytes. @default 64 KiB */
export const MIN_PADDED_VIDEO_BYTES = 64 * 1024;

/**
 * Bytes of the video's ciphertext, padded so that the fragments do not tell
 * their holders the message's exact size: a message that fits one stripe
 * (k × frag bytes) is padded to a power of two from 64 KiB up (at most the
 * stripe), a longer one to whole stripes. The exact size is in the sealed
 * manifest; the recipient cuts the padding off after decrypting.
 */
export function ciphertextSize(m: Pick<Manifest, 'size' | 'k' | 'frag'>): number {
  const ct = m.size + GCM_TAG;
  const stripe = m.k * m.frag;
  if (ct > stripe) return Math.ceil(ct / stripe) * stripe;
  let b = MIN_PADDED_VIDEO_BYTES;
  while (b < ct) b *= 2;
  return Math.min(b, stripe);
}

/** The video's plaintext as encrypted: the recording, then zeros up to ciphertextSize minus the tag. */
export function padVideo(bytes: Uint8Array, k: number, frag: number): Uint8Array {
  const out = new Uint8Array(ciphertextSize({ size: bytes.length, k, frag }) - GCM_TAG);
  out.set(bytes);
  return out;
}

export function stripeCount(m: Pick<Manifest, 'size' | 'k' | 'frag'>): number {
  return Math.ceil(ciphertextSize(m) / (m.k * m.frag));
}

/** Bytes of ciphertext in stripe `s`. */
export function stripeLength(m: Pick<Manifest, 'size' | 'k' | 'frag'>, s: number): number {
  const per = m.k * m.frag;
  return Math.min(per, ciphertextSize(m) - s * per);
}

export function fragmentKey(m: Pick<Manifest, 'keys' | 'm'>, stripe: number, index: number): Uint8Array {
  const at = (stripe * m.m + index) * KEY_BYTES;
  return m.keys.subarray(at, at + KEY_BYTES);
}

export function fragmentSigPrefix(m: Pick<Manifest, 'sigs' | 'm'>, stripe: number, index: number): Uint8Array {
  const at = (stripe * m.m + index) * SIG_PREFIX_BYTES;
  return m.sigs.subarray(at, at + SIG_PREFIX_BYTES);
}

/** The bytes stored for a fragment: a header that makes every fragment's hash unique, then the coded bytes. */
export function fragmentValue(id: string, stripe: number, index: number, shard: Uint8Array): Uint8Array {
  const head = new Uint8Array(FRAGMENT_HEADER_BYTES);
  head.set(fromHex(id));
  new DataView(head.buffer).setUint32(MESSAGE_ID_BYTES, stripe);
  head[MESSAGE_ID_BYTES + 4] = index;
  return concatBytes(head, shard);
}

/** The coded bytes of a fetched fragment, or null when its header or length is not what the manifest says. */
export function fragmentShard(value: Uint8Array, id: string, stripe: number, index: number, shardBytes: number): Uint8Array | null {
  if (value.length !== FRAGMENT_HEADER_BYTES + shardBytes) return null;
  const want = fragmentValue(id, stripe, index, new Uint8Array(0));
  for (let i = 0; i < FRAGMENT_HEADER_BYTES; i++) if (value[i] !== want[i]) return null;
  return value.subarray(FRAGMENT_HEADER_BYTES);
}

function manifestToCanonical(m: Manifest): Record<string, unknown> {
  return { ...m, wrap: { ...m.wrap }, meta: { ...m.meta } };
}

const bad = (why: string): MailError => new MailError('bad-manifest', `This message's description is invalid (${why}); it was ignored.`);

const isBytes = (v: unknown, min: number, max: number): v is Uint8Array => v instanceof Uint8Array && v.length >= min && v.length <= max;
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && fitsUtf8(v, MAX_NAME);

/** Checks every field of an untrusted manifest; throws MailError('bad-manifest') naming the first problem. */
export function checkManifest(v: unknown): Manifest {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw bad('not a map');
  const o = v as Record<string, unknown>;
  if (o['v'] !== 1) throw bad('unknown version');
  if (typeof o['id'] !== 'string' || !/^[0-9a-f]{32}$/.test(o['id'])) throw bad('bad id');
  if (!isName(o['from']) || !isName(o['to'])) throw bad('bad name');
  for (const f of ['fromKey', 'toKey', 'msgKey']) if (!isBytes(o[f], 1, MAX_SPKI_BYTES)) throw bad(`bad ${f}`);
  if (!isInt(o['size'], 0, MAX_MESSAGE_BYTES)) throw bad('size out of range');
  if (!isInt(o['k'], 0, 1000) || !isInt(o['m'], 0, 1000)) throw bad('k or m out of range');
  try {
    checkKM(o['k'], o['m']);
  } catch {
    throw bad(`k = ${String(o['k'])} and m = ${String(o['m'])} out of range`);
  }
  if (!isInt(o['frag'], MIN_FRAGMENT_BYTES, MAX_FRAGMENT_BYTES)) throw bad('fragment size out of range');
  const shape = { size: o['size'], k: o['k'], frag: o['frag'], m: o['m'] };
  const fragments = stripeCount(shape) * shape.m;
  if (!(o['keys'] instanceof Uint8Array) || o['keys'].length !== fragments * KEY_BYTES) throw bad('the fragment list does not match the size');
  if (!(o['sigs'] instanceof Uint8Array) || o['sigs'].length !== fragments * SIG_PREFIX_BYTES) throw bad('the fragment signatures do not match the size');
  const wrap = o['wrap'] as Record<string, unknown> | null;
  if (typeof wrap !== 'object' || wrap === null || !isBytes(wrap['epk'], 1, MAX_SPKI_BYTES) || !isBytes(wrap['iv'], 12, 12) || !isBytes(wrap['ct'], 1, 1024)) throw bad('bad wrapped key');
  const meta = o['meta'] as Record<string, unknown> | null;
  if (typeof meta !== 'object' || meta === null || !isBytes(meta['iv'], 12, 12) || !isBytes(meta['ct'], GCM_TAG, 12 * 1024)) throw bad('bad details');
  if (!isBytes(o['iv'], 12, 12)) throw bad('bad iv');
  if (!isInt(o['sent'], 0, Number.MAX_SAFE_INTEGER) || !isInt(o['expires'], 0, Number.MAX_SAFE_INTEGER) || o['expires'] <= o['sent']) throw bad('bad times');
  if (Object.keys(o).length !== 18) throw bad('unexpected fields');
  return o as unknown as Manifest;
}

function signedBytes(body: Uint8Array): Uint8Array {
  return concatBytes(utf8(MANIFEST_DOMAIN), body);
}

/** The mailbox entry's value: the manifest and the sender's user-key signature over it. */
export async function encodeSignedManifest(m: Manifest, senderKey: CryptoKey): Promise<Uint8Array> {
  const body = canonicalEncode(manifestToCanonical(m) as never);
  return canonicalEncode({ body, sig: await signBytes(senderKey, signedBytes(body)) });
}

function decodeMap(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const v = canonicalDecode(bytes, { maxDepth: 4, maxItems: 64 });
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Parses a signed manifest (what a sealed mailbox entry holds) and checks
 * the sender's signature over it; throws MailError naming what is wrong. The
 * words never repeat the claimed sender's name: a forged sender is shown
 * nowhere.
 */
export async function decodeSignedManifest(value: Uint8Array): Promise<Manifest> {
  const outer = decodeMap(value);
  if (!outer) throw bad('not readable');
  const body = outer['body'];
  const sig = outer['sig'];
  if (!(body instanceof Uint8Array) || !(sig instanceof Uint8Array)) throw bad('no signed body');
  const manifest = checkManifest(decodeMap(body));
  if (!(await verifyBytes(manifest.fromKey, signedBytes(body), sig))) {
    throw new MailError('bad-signature', 'A message whose sender could not be verified (its signature does not match) was ignored.');
  }
  return manifest;
}

export function encodeTombstone(id: string, at: number): Uint8Array {
  return canonicalEncode({ tomb: id, at });
}

/** Encodes a message's details; a type over MAX_TYPE_BYTES is shortened, so the recipient's check always passes. */
export function encodeMeta(meta: MessageMeta): Uint8Array {
  return canonicalEncode({ type: utf8Prefix(meta.type, MAX_TYPE_BYTES), dur: meta.durationMs, thumb: meta.thumbnail });
}

export function decodeMeta(bytes: Uint8Array): MessageMeta {
  const o = decodeMap(bytes);
  if (!o || typeof o['type'] !== 'string' || !fitsUtf8(o['type'], MAX_TYPE_BYTES) || !isInt(o['dur'], 0, 24 * 3600_000) || !(o['thumb'] === null || o['thumb'] instanceof Uint8Array)) {
    throw new MailError('damaged', 'The details of this message (type, length, picture) are damaged.');
  }
  return { type: o['type'], durationMs: o['dur'], thumbnail: o['thumb'] };
}
