/**
 * Sealed mailbox entries (sealed sender, the way Signal's sealed sender
 * hides the sender from its server): the signed manifest — the sender's
 * name, user key and signature among it — is sealed for the recipient's
 * ECDH key with an ephemeral key (cipher.ts, sealForRecipient) and padded
 * to one of ENTRY_BUCKETS. The nodes that hold `H("mailbox:" + name)` see
 * a random message id, the message's own one-off key as the record's owner
 * (it authorises the write and, later, the deletion; it is made per message
 * and names nobody), a time, and a bucket size. The recipient opens it and
 * checks the inner signature against the claimed sender (mailbox.ts).
 *
 * The AES-GCM additional data binds the sealed bytes to the entry's
 * sub-key (the message id) and owner, so a holder cannot move them to
 * another entry. Entries in the old, unsealed format (v1: `{ body, sig }`
 * in the clear) are refused with a reason, never read: no silent downgrade.
 */
import { canonicalDecode, canonicalEncode, concatBytes, fromHex, MAX_SPKI_BYTES, utf8 } from '../identity';
import { openAsRecipient, sealForRecipient } from './cipher';
import { MailError } from './errors';
import type { OpenKeys } from './fetch';
import { padToBucket, unpad } from './padding';

const SEAL_DOMAIN = 'p2p-sip/mail-sealed-entry/2';
/** The version a sealed entry carries. */
export const SEALED_ENTRY_VERSION = 2;
/**
 * Plaintext sizes (bytes) a sealed entry is padded to. A manifest without a
 * thumbnail for a message of a few MB fits the first; the last keeps the
 * whole record value under the overlay's 16 KiB (MAX_VALUE_BYTES) with the
 * ephemeral key, IV, tag and encoding around it.
 */
export const ENTRY_BUCKETS: readonly number[] = [2048, 4096, 8192, 16_000];

function aad(id: string, owner: Uint8Array): Uint8Array {
  return concatBytes(utf8(SEAL_DOMAIN), fromHex(id), owner);
}

/** Seals a signed manifest (manifest.ts, encodeSignedManifest) for the recipient's ECDH key; the result is the mailbox entry's value. */
export async function sealEntry(signedManifest: Uint8Array, recipientEcdh: CryptoKey | Uint8Array, id: string, owner: Uint8Array): Promise<Uint8Array> {
  const padded = padToBucket(signedManifest, ENTRY_BUCKETS);
  const s = await sealForRecipient(recipientEcdh, padded, { salt: fromHex(id), domain: SEAL_DOMAIN, aad: aad(id, owner) });
  return canonicalEncode({ v: SEALED_ENTRY_VERSION, epk: s.epk, iv: s.iv, ct: s.ct });
}

function decodeMap(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const v = canonicalDecode(bytes, { maxDepth: 4, maxItems: 64 });
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What a mailbox entry's value is before it is opened. */
export type RawEntry = { kind: 'tombstone'; id: string; at: number } | { kind: 'sealed'; epk: Uint8Array; iv: Uint8Array; ct: Uint8Array };

const bad = (why: string): MailError => new MailError('bad-manifest', `This message's description is invalid (${why}); it was ignored.`);

/** Parses an entry's value without opening it; throws MailError ('old-format' for an unsealed v1 entry, 'bad-manifest' otherwise). */
export function parseEntry(value: Uint8Array): RawEntry {
  const o = decodeMap(value);
  if (!o) throw bad('not readable');
  if (typeof o['tomb'] === 'string' && typeof o['at'] === 'number' && Number.isSafeInteger(o['at']) && o['at'] >= 0) return { kind: 'tombstone', id: o['tomb'], at: o['at'] };
  if (o['body'] instanceof Uint8Array && o['sig'] instanceof Uint8Array) {
    throw new MailError('old-format', 'A message was sent by an older version of the app, which shows its sender to the peers that store it; it was not opened. The sender needs to update the app.');
  }
  const { v, epk, iv, ct } = o;
  if (v !== SEALED_ENTRY_VERSION) throw bad('unknown version');
  if (!(epk instanceof Uint8Array) || epk.length === 0 || epk.length > MAX_SPKI_BYTES || !(iv instanceof Uint8Array) || iv.length !== 12 || !(ct instanceof Uint8Array) || !ENTRY_BUCKETS.includes(ct.length - 16)) throw bad('not a sealed entry');
  return { kind: 'sealed', epk, iv, ct };
}

/** Opens a sealed entry filed under `id` and owned by `owner`; returns the signed manifest inside. Throws MailError('wrong-key') when it was not sealed for these keys or was changed. */
export async function openEntry(e: Extract<RawEntry, { kind: 'sealed' }>, id: string, owner: Uint8Array, keys: OpenKeys): Promise<Uint8Array> {
  if (!/^[0-9a-f]{32}$/.test(id)) throw bad('bad id');
  const plain = await openAsRecipient(e, keys.ecdhPrivateKey, keys.ecdhSpki, { salt: fromHex(id), domain: SEAL_DOMAIN, aad: aad(id, owner) });
  if (!plain) throw new MailError('wrong-key', 'A message in your mailbox was sealed for another key, or changed on the way; it was ignored.');
  const inner = unpad(plain, ENTRY_BUCKETS);
  if (!inner) throw bad('bad padding');
  return inner;
}
