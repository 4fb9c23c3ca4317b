/**
 * The note of a text message stored for someone who is offline
 * (stored-text.ts): the text, who wrote it to whom, the chat's message id,
 * and the two secrets the recipient needs (the message key, to delete the
 * entry once delivered; the receipt seed, to seal "delivered" and "read"
 * for the sender). Signed by the sender's user key, then sealed for the
 * recipient like a video-mail manifest (sealed-entry.ts), so the holders see
 * neither the sender, nor the text, nor its exact length.
 */
import { canonicalDecode, canonicalEncode, concatBytes, fitsUtf8, MAX_SPKI_BYTES, signBytes, utf8, verifyBytes } from '../identity';
import { MailError } from './errors';

const NOTE_DOMAIN = 'p2p-sip/offline-text/1';
/**
 * Longest stored text, in bytes of UTF-8: the same as a live chat MESSAGE
 * (app/sip MAX_CHAT_BYTES, RFC 3428 §7), so whatever could be sent live can
 * wait. The signed note then fits the sealed entry's 8 KiB bucket.
 */
export const MAX_TEXT_BYTES = 4000;
/** Longest chat message id (a SIP Call-ID, RFC 3261 §8.1.1.4), in bytes. */
export const MAX_CHAT_ID_BYTES = 128;
const MAX_NAME = 64;
/** A PKCS#8 P-256 private key is about 138 bytes; this bounds a forged one. */
const MAX_PKCS8_BYTES = 512;
/** Bytes of the receipt seed (an AES-256 key's worth). */
export const RECEIPT_SEED_BYTES = 32;
const FIELDS = 13;

/** What a stored text carries, once opened and checked. */
export interface TextNote {
  v: 1;
  /** 32 hex digits: the textbox sub-key. */
  id: string;
  /** The chat's own message id (the Call-ID of the MESSAGE that found nobody online): a text seen live and from the store shows once. */
  cid: string;
  from: string;
  /** SPKI of the sender's user signing key. */
  fromKey: Uint8Array;
  to: string;
  toKey: Uint8Array;
  /** SPKI of the one-off key that owns the textbox entry. */
  msgKey: Uint8Array;
  /** PKCS#8 of that key: the recipient deletes the entry with it once the text is delivered. */
  mk: Uint8Array;
  /** Receipt seed (RECEIPT_SEED_BYTES): "delivered" and "read" are sealed with secrets derived from it (receipts.ts). */
  ck: Uint8Array;
  text: string;
  /** When it was written, ms since the epoch (the sender's clock). */
  sent: number;
  expires: number;
}

const bad = (why: string): MailError => new MailError('bad-manifest', `A stored text message is invalid (${why}); it was ignored.`);
const isBytes = (v: unknown, min: number, max: number): v is Uint8Array => v instanceof Uint8Array && v.length >= min && v.length <= max;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && fitsUtf8(v, MAX_NAME);

/** Whether `cid` can be a chat message id: 1..MAX_CHAT_ID_BYTES printable ASCII characters (what a Call-ID's word is made of). */
export function isChatId(cid: unknown): cid is string {
  return typeof cid === 'string' && cid.length > 0 && cid.length <= MAX_CHAT_ID_BYTES && /^[\x21-\x7e]+$/.test(cid);
}

/** Checks every field of an untrusted note; throws MailError('bad-manifest') naming the first problem. */
export function checkTextNote(v: unknown): TextNote {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw bad('not a map');
  const o = v as Record<string, unknown>;
  if (o['v'] !== 1) throw bad('unknown version');
  if (typeof o['id'] !== 'string' || !/^[0-9a-f]{32}$/.test(o['id'])) throw bad('bad id');
  if (!isChatId(o['cid'])) throw bad('bad message id');
  if (!isName(o['from']) || !isName(o['to'])) throw bad('bad name');
  for (const f of ['fromKey', 'toKey', 'msgKey']) if (!isBytes(o[f], 1, MAX_SPKI_BYTES)) throw bad(`bad ${f}`);
  if (!isBytes(o['mk'], 1, MAX_PKCS8_BYTES)) throw bad('bad message key');
  if (!isBytes(o['ck'], RECEIPT_SEED_BYTES, RECEIPT_SEED_BYTES)) throw bad('bad receipt seed');
  if (typeof o['text'] !== 'string' || o['text'].length === 0 || !fitsUtf8(o['text'], MAX_TEXT_BYTES)) throw bad('the text is empty or too long');
  if (!isTime(o['sent']) || !isTime(o['expires']) || o['expires'] <= o['sent']) throw bad('bad times');
  if (Object.keys(o).length !== FIELDS) throw bad('unexpected fields');
  return o as unknown as TextNote;
}

const signed = (body: Uint8Array): Uint8Array => concatBytes(utf8(NOTE_DOMAIN), body);

/** The note and the sender's user-key signature over it (what a sealed textbox entry holds). */
export async function encodeSignedNote(n: TextNote, senderKey: CryptoKey): Promise<Uint8Array> {
  const body = canonicalEncode({ ...n });
  return canonicalEncode({ body, sig: await signBytes(senderKey, signed(body)) });
}

function decodeMap(bytes: unknown): Record<string, unknown> | null {
  if (!(bytes instanceof Uint8Array)) return null;
  try {
    const v = canonicalDecode(bytes, { maxDepth: 3, maxItems: 32 });
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Parses a signed note and checks the sender's signature; throws MailError
 * ('bad-manifest', 'bad-signature'). The words never repeat the claimed
 * sender's name: a forged sender is shown nowhere.
 */
export async function decodeSignedNote(value: Uint8Array): Promise<TextNote> {
  const outer = decodeMap(value);
  if (!outer) throw bad('not readable');
  const { body, sig } = outer;
  if (!(body instanceof Uint8Array) || !(sig instanceof Uint8Array)) throw bad('not signed');
  const note = checkTextNote(decodeMap(body));
  if (!(await verifyBytes(note.fromKey, signed(body), sig))) throw new MailError('bad-signature', 'A stored text message whose sender could not be verified (its signature does not match) was ignored.');
  return note;
}
