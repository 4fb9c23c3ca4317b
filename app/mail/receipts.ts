/**
 * Sealed read receipts. A receipt says "message `id` was seen at `at`"; it
 * goes into the sender's receipts dictionary, `H("mail-receipts:" + name)`.
 * It must not tell the nodes that hold that dictionary who read what, so it
 * is not signed by the reader's user key: it is sealed (AES-256-GCM) with a
 * secret that only the two ends of the message have — derived by HKDF from
 * the message's content key (cipher.ts, deriveMessageSecret) — and filed
 * under a sub-key derived from the same secret, in a record signed by a
 * one-off key. The holders see a random sub-key, a one-off owner, a time and
 * one fixed size. The sender knows the receipt is the recipient's because
 * nobody else could seal it (the message's key only ever went to them).
 */
import { canonicalDecode, canonicalEncode, concatBytes, fromHex, hasSurelyExpired, signBytes, toHex, utf8 } from '../identity';
import { createRecord, overlayLimits, type WireRecord } from '../overlay';
import { deriveMessageSecret, newMessageKey, open, seal } from './cipher';
import { receiptsKey } from './keys';
import type { MailOverlay } from './overlay-io';
import { padToBucket, unpad } from './padding';

const RECEIPT_INFO = 'p2p-sip/mail-receipt/1';
const RECEIPT_DOMAIN = 'p2p-sip/mail-receipt-sealed/1';
/** Bytes of a receipt secret: a 32-byte AES key, then 16 bytes that name the receipt's sub-key. */
export const RECEIPT_SECRET_BYTES = 48;
/** Every receipt is padded to this one size (bytes of plaintext), so all receipts look alike. */
const RECEIPT_BUCKETS: readonly number[] = [64];

/** The receipt secret of message `id` (32 hex digits), from its content key. */
export function receiptSecret(contentKey: Uint8Array, id: string): Promise<Uint8Array> {
  return deriveMessageSecret(contentKey, fromHex(id), RECEIPT_INFO, RECEIPT_SECRET_BYTES);
}

const subOf = (secret: Uint8Array): string => toHex(secret.subarray(32, RECEIPT_SECRET_BYTES));
const aadOf = (sub: string): Uint8Array => concatBytes(utf8(RECEIPT_DOMAIN), utf8(sub));

/** What a receipt needs of its message. `secret`: receiptSecret of the message (RECEIPT_SECRET_BYTES). */
export interface ReceiptFor {
  id: string;
  /** The sender's name: whose receipts dictionary it goes to. */
  from: string;
  expires: number;
  secret: Uint8Array;
}

/** The receipt of a message the recipient opened: its manifest's id, sender and expiry, and the secret from its content key. */
export async function receiptFor(m: { id: string; from: string; expires: number }, secrets: { contentKey: Uint8Array }): Promise<ReceiptFor> {
  return { id: m.id, from: m.from, expires: m.expires, secret: await receiptSecret(secrets.contentKey, m.id) };
}

/** Puts a sealed receipt in the sender's receipts dictionary; true when some holder stored it. */
export async function sendReceipt(overlay: MailOverlay, r: ReceiptFor): Promise<boolean> {
  const now = overlay.now();
  if (hasSurelyExpired(r.expires, now) || r.secret.length !== RECEIPT_SECRET_BYTES) return false;
  const sub = subOf(r.secret);
  const sealed = await seal(r.secret.subarray(0, 32), padToBucket(canonicalEncode({ seen: r.id, at: now }), RECEIPT_BUCKETS), aadOf(sub));
  const oneOff = await newMessageKey();
  const record = await createRecord({ spki: oneOff.spki, sign: (p) => signBytes(oneOff.pair.privateKey, p) }, {
    key: await receiptsKey(r.from),
    kind: 'dict',
    sub,
    value: canonicalEncode({ v: 1, iv: sealed.iv, ct: sealed.ct }),
    version: 1,
    expires: Math.min(r.expires, now + overlayLimits.MAX_TTL_MS),
  });
  const put = await overlay.put(record);
  return put.stored.length > 0;
}

async function openReceipt(value: Uint8Array, secret: Uint8Array, sub: string): Promise<{ id: string; seenAt: number } | null> {
  try {
    const o = canonicalDecode(value, { maxDepth: 2, maxItems: 8 }) as Record<string, unknown> | null;
    if (!o || o['v'] !== 1 || !(o['iv'] instanceof Uint8Array) || o['iv'].length !== 12 || !(o['ct'] instanceof Uint8Array)) return null;
    const plain = unpad(await open(secret.subarray(0, 32), o['iv'], o['ct'], aadOf(sub), 'A read receipt'), RECEIPT_BUCKETS);
    const r = plain && (canonicalDecode(plain, { maxDepth: 2, maxItems: 4 }) as Record<string, unknown> | null);
    if (!r || typeof r['seen'] !== 'string' || typeof r['at'] !== 'number' || !Number.isSafeInteger(r['at']) || r['at'] < 0) return null;
    return { id: r['seen'], seenAt: r['at'] };
  } catch {
    return null;
  }
}

/**
 * When each sent message was seen. Only a receipt that opens with that
 * message's secret and names that message counts; anything else in the
 * dictionary (forged, damaged, another message's) is ignored. Sent messages
 * without a secret (kept by an older version) get no receipts.
 */
export async function readReceipts(overlay: MailOverlay, senderName: string, sent: readonly { id: string; receipt?: Uint8Array }[]): Promise<Map<string, number>> {
  return matchReceipts(await overlay.get(await receiptsKey(senderName)), sent);
}

/**
 * The receipts among `records` (what the sender's receipts dictionary
 * holds) that open with one of `sent`'s secrets and name its message: when
 * each was seen. One read of the dictionary can be matched against several
 * lists (a stored text's "delivered" and "read" receipts have two secrets).
 */
export async function matchReceipts(records: readonly WireRecord[], sent: readonly { id: string; receipt?: Uint8Array }[]): Promise<Map<string, number>> {
  const bySub = new Map<string, { id: string; secret: Uint8Array }>();
  for (const s of sent) if (s.receipt instanceof Uint8Array && s.receipt.length === RECEIPT_SECRET_BYTES) bySub.set(subOf(s.receipt), { id: s.id, secret: s.receipt });
  const out = new Map<string, number>();
  for (const r of records) {
    const s = bySub.get(r.sub);
    if (!s || r.kind !== 'dict') continue;
    const receipt = await openReceipt(r.value, s.secret, r.sub);
    if (receipt && receipt.id === s.id) out.set(s.id, Math.max(out.get(s.id) ?? 0, receipt.seenAt));
  }
  return out;
}
