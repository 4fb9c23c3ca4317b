/**
 * Sending: encrypt, code stripe by stripe, store every fragment as a
 * content-addressed blob owned by the message key, then announce the signed
 * manifest, sealed for the recipient, in the recipient's mailbox. Nothing is announced unless at least
 * k fragments of every stripe were stored, so the recipient never sees a
 * message that cannot be rebuilt.
 */
import { blobKey, createRecord, overlayLimits, webCryptoVerifier, type RecordSigner, type WireRecord } from '../overlay';
import { concatBytes, signBytes, toHex, utf8 } from '../identity';
import { checkKM, type ErasureCoder } from './coder';
import { MAX_FRAGMENT_BYTES, MAX_MESSAGE_BYTES, MAX_THUMBNAIL_BYTES, MESSAGE_ID_BYTES, MIN_FRAGMENT_BYTES, STORE_PARALLEL } from './constants';
import { newContentKey, newMessageKey, randomBytes, seal, wrapSecrets } from './cipher';
import { MailError } from './errors';
import { encodeMeta, encodeSignedManifest, fragmentValue, padVideo, SIG_PREFIX_BYTES, stripeCount, stripeLength, type Manifest } from './manifest';
import { mailboxKey } from './keys';
import { receiptSecret } from './receipts';
import { sealEntry } from './sealed-entry';
import type { MailOverlay } from './overlay-io';
import type { MailSettings, MailUser, Recording, ResolveUser, SendProgress } from './types';

export interface SendOptions {
  overlay: MailOverlay;
  coder: ErasureCoder;
  from: MailUser;
  to: string;
  resolve: ResolveUser;
  recording: Recording;
  settings: MailSettings;
  onProgress?: (p: SendProgress) => void;
  signal?: AbortSignal;
}

/** What the sender keeps in its sent list. */
export interface SentMessage {
  id: string;
  to: string;
  toKey: Uint8Array;
  size: number;
  durationMs: number;
  sent: number;
  expires: number;
  k: number;
  m: number;
  /** Fragments stored on at least one holder, of `fragments`. */
  stored: number;
  fragments: number;
  /** PKCS#8 of the message key, so the sender can delete what it sent. */
  messageKey: Uint8Array;
  /** The fragment keys, for deletion and health. */
  keys: Uint8Array;
  /** The secret the recipient's sealed read receipt opens with (receipts.ts); absent in what older versions kept. */
  receipt?: Uint8Array;
}

export function checkSettings(s: MailSettings): void {
  checkKM(s.k, s.m);
  if (!Number.isInteger(s.fragmentBytes) || s.fragmentBytes < MIN_FRAGMENT_BYTES || s.fragmentBytes > MAX_FRAGMENT_BYTES) {
    throw new MailError('bad-input', `The fragment size must be between ${MIN_FRAGMENT_BYTES} and ${MAX_FRAGMENT_BYTES} bytes.`);
  }
  if (!(s.ttlMs > 0) || s.ttlMs > overlayLimits.MAX_TTL_MS) throw new MailError('bad-input', 'The message lifetime is out of range.');
}

export function messageSigner(privateKey: CryptoKey, spki: Uint8Array): RecordSigner {
  return { spki, sign: (payload) => signBytes(privateKey, payload) };
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function sendMessage(o: SendOptions): Promise<SentMessage> {
  const { overlay, coder, from, recording, settings } = o;
  checkSettings(settings);
  const { k, m, fragmentBytes: frag } = settings;
  if (recording.bytes.length === 0) throw new MailError('bad-input', 'The recording is empty.');
  if (recording.bytes.length > MAX_MESSAGE_BYTES) {
    throw new MailError('too-large', `The recording is ${(recording.bytes.length / 1048576).toFixed(1)} MB; the most a message may hold is ${MAX_MESSAGE_BYTES / 1048576} MB.`);
  }
  const recipient = await o.resolve(o.to);
  if (!recipient) throw new MailError('unknown-recipient', `Nobody called "${o.to}" was found.`);
  const report = (p: SendProgress): void => o.onProgress?.(p);
  const abort = (): void => {
    if (o.signal?.aborted) throw new MailError('store-failed', 'Sending was cancelled.');
  };

  report({ phase: 'encrypting', stored: 0, total: 0 });
  const idBytes = randomBytes(MESSAGE_ID_BYTES);
  const id = toHex(idBytes);
  const contentKey = await newContentKey();
  const msgKey = await newMessageKey();
  // Padded, so the fragments' count and size tell their holders only a size bucket (manifest.ts, ciphertextSize).
  const video = await seal(contentKey, padVideo(recording.bytes, k, frag), concatBytes(utf8('video:'), idBytes));
  const thumb = recording.thumbnail && recording.thumbnail.length <= MAX_THUMBNAIL_BYTES ? recording.thumbnail : null;
  const meta = await seal(contentKey, encodeMeta({ type: recording.type, durationMs: Math.round(recording.durationMs), thumbnail: thumb }), concatBytes(utf8('meta:'), idBytes));
  const wrap = await wrapSecrets({ contentKey, messageKeyPkcs8: msgKey.pkcs8 }, recipient.ecdhPublicKey, idBytes);

  const now = overlay.now();
  const shape = { size: recording.bytes.length, k, frag };
  const stripes = stripeCount(shape);
  const total = stripes * m;
  const keys = new Uint8Array(total * 20);
  const signer = messageSigner(msgKey.pair.privateKey, msgKey.spki);
  const expires = now + settings.ttlMs;
  const storedPerStripe = new Array<number>(stripes).fill(0);
  let stored = 0;
  let lastRefusal = '';
  const sigs = new Uint8Array(total * SIG_PREFIX_BYTES);
  report({ phase: 'coding', stored: 0, total });

  for (let s = 0; s < stripes; s++) {
    abort();
    const start = s * k * frag;
    const shards = await coder.encodeStripe(video.ct.subarray(start, start + stripeLength(shape, s)), k, m);
    const records: WireRecord[] = [];
    for (let i = 0; i < m; i++) {
      const value = fragmentValue(id, s, i, shards[i]!);
      const key = await blobKey(value, webCryptoVerifier);
      keys.set(key, (s * m + i) * 20);
      const record = await createRecord(signer, { key, kind: 'blob', value, version: 1, expires });
      sigs.set(record.sig.subarray(0, SIG_PREFIX_BYTES), (s * m + i) * SIG_PREFIX_BYTES);
      records.push(record);
    }
    report({ phase: 'storing', stored, total });
    await pool(records, STORE_PARALLEL, async (r) => {
      const put = await overlay.put(r).catch((e: unknown) => ({ stored: [] as string[], refused: { error: String(e) } as Record<string, string> }));
      // `stored` lists only the blob's true replicas (put.ts), never a node a lookup named by mistake.
      if (put.stored.length > 0) {
        stored++;
        storedPerStripe[s]!++;
      } else {
        lastRefusal = Object.values(put.refused)[0] ?? 'no holder answered';
      }
      report({ phase: 'storing', stored, total });
    });
    if (storedPerStripe[s]! < k) {
      throw new MailError('store-failed', `Only ${storedPerStripe[s]} of the ${m} fragments of part ${s + 1} could be stored (${k} are needed; last refusal: ${lastRefusal}); the message was not sent. Try again when more peers are online.`);
    }
  }

  report({ phase: 'announcing', stored, total });
  const manifest: Manifest = {
    v: 1,
    id,
    from: from.name,
    fromKey: from.signSpki,
    to: recipient.name,
    toKey: recipient.signSpki,
    msgKey: msgKey.spki,
    size: recording.bytes.length,
    k,
    m,
    frag,
    keys,
    sigs,
    wrap,
    iv: video.iv,
    meta: { iv: meta.iv, ct: meta.ct },
    sent: now,
    expires,
  };
  // Sealed for the recipient: the holders of the mailbox see neither who sent it nor its exact size (sealed-entry.ts).
  const value = await sealEntry(await encodeSignedManifest(manifest, from.signingPrivateKey), recipient.ecdhPublicKey, id, msgKey.spki);
  if (value.length > overlayLimits.MAX_VALUE_BYTES) throw new MailError('too-large', 'The message is too long for one mailbox entry; record a shorter one.');
  const record = await createRecord(signer, { key: await mailboxKey(recipient.name), kind: 'dict', sub: id, value, version: 1, expires });
  const put = await overlay.put(record);
  if (put.stored.length === 0) {
    const why = Object.values(put.refused)[0] ?? 'no answer';
    throw new MailError('store-failed', `The message could not be put in ${recipient.name}'s mailbox (${why}).`);
  }
  report({ phase: 'done', stored, total });
  return {
    id,
    to: recipient.name,
    toKey: recipient.signSpki,
    size: recording.bytes.length,
    durationMs: Math.round(recording.durationMs),
    sent: now,
    expires,
    k,
    m,
    stored,
    fragments: total,
    messageKey: msgKey.pkcs8,
    keys,
    receipt: await receiptSecret(contentKey, id),
  };
}
