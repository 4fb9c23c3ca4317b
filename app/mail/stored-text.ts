/**
 * Text that waits for someone who is offline: the video-mail path without
 * the video. A text is short (at most MAX_TEXT_BYTES), so it travels inside
 * its sealed entry instead of in erasure-coded fragments: one record, put on
 * the key's replica set like any mailbox entry, so it is replicated and
 * expires the same way, and there is no fragment that could go missing.
 *
 * Where: the dictionary `H("textbox:" + name)`, one entry per text, the
 * sub-key its random id, the record owned by a one-off key (the holders learn
 * nothing of the sender), the value a signed note (text-note.ts) sealed for
 * the recipient's ECDH key (sealed-entry.ts). The recipient deletes the entry
 * with a tombstone once the text is in its chat, and tells the sender
 * "delivered" and later "read" with sealed receipts (receipts.ts) in the
 * sender's receipts dictionary, under two secrets derived from the note's
 * receipt seed.
 */
import { equalBytes, fitsUtf8, fromHex, hasSurelyExpired, toHex } from '../identity';
import { createRecord, overlayLimits, type WireRecord } from '../overlay';
import { deriveMessageSecret, importMessageKey, newMessageKey, randomBytes } from './cipher';
import { MESSAGE_ID_BYTES } from './constants';
import { MailError } from './errors';
import { receiptsKey, textboxKey } from './keys';
import type { IsBlocked, MailboxProblem } from './mailbox';
import { encodeTombstone } from './manifest';
import type { MailOverlay } from './overlay-io';
import { matchReceipts, receiptSecret, RECEIPT_SECRET_BYTES, sendReceipt } from './receipts';
import { openEntry, parseEntry, sealEntry } from './sealed-entry';
import { messageSigner } from './send';
import { decodeSignedNote, encodeSignedNote, isChatId, MAX_TEXT_BYTES, RECEIPT_SEED_BYTES, type TextNote } from './text-note';
import type { MailUser, ResolveUser } from './types';
import type { OpenKeys } from './fetch';

const READ_INFO = 'p2p-sip/offline-text-read/1';

/** What the sender keeps of a stored text, to follow its marks. */
export interface StoredText {
  /** The textbox sub-key (32 hex digits). */
  id: string;
  /** The chat's message id. */
  cid: string;
  to: string;
  sent: number;
  expires: number;
  /** The receipt seed (RECEIPT_SEED_BYTES). */
  ck: Uint8Array;
}

export interface StoreTextOptions {
  overlay: MailOverlay;
  from: MailUser;
  to: string;
  resolve: ResolveUser;
  text: string;
  /** The chat's message id (the MESSAGE's Call-ID), kept so the text shows once however it arrives. */
  cid: string;
  /** How long the text waits, ms; at most the overlay's MAX_TTL_MS. */
  ttlMs: number;
}

/**
 * Stores `text` in `to`'s textbox. Throws MailError: 'bad-input' (empty, too
 * long, a bad id or lifetime), 'unknown-recipient' (nobody holds the name),
 * 'store-failed' (no replica took it).
 */
export async function storeText(o: StoreTextOptions): Promise<StoredText> {
  if (o.text.length === 0) throw new MailError('bad-input', 'The message is empty.');
  if (!fitsUtf8(o.text, MAX_TEXT_BYTES)) throw new MailError('too-large', `The message is longer than ${MAX_TEXT_BYTES} bytes.`);
  if (!isChatId(o.cid)) throw new MailError('bad-input', 'The message id is not valid.');
  if (!(o.ttlMs > 0) || o.ttlMs > overlayLimits.MAX_TTL_MS) throw new MailError('bad-input', 'The message lifetime is out of range.');
  const recipient = await o.resolve(o.to);
  if (!recipient) throw new MailError('unknown-recipient', `Nobody called "${o.to}" was found.`);
  const id = toHex(randomBytes(MESSAGE_ID_BYTES));
  const msgKey = await newMessageKey();
  const ck = randomBytes(RECEIPT_SEED_BYTES);
  const sent = o.overlay.now();
  const expires = sent + o.ttlMs;
  const note: TextNote = { v: 1, id, cid: o.cid, from: o.from.name, fromKey: o.from.signSpki, to: recipient.name, toKey: recipient.signSpki, msgKey: msgKey.spki, mk: msgKey.pkcs8, ck, text: o.text, sent, expires };
  const value = await sealEntry(await encodeSignedNote(note, o.from.signingPrivateKey), recipient.ecdhPublicKey, id, msgKey.spki);
  const record = await createRecord(messageSigner(msgKey.pair.privateKey, msgKey.spki), { key: await textboxKey(recipient.name), kind: 'dict', sub: id, value, version: 1, expires });
  const put = await o.overlay.put(record);
  if (put.stored.length === 0) throw new MailError('store-failed', `The message could not be stored for ${recipient.name} (${Object.values(put.refused)[0] ?? 'no answer'}).`);
  return { id, cid: o.cid, to: recipient.name, sent, expires, ck };
}

/** A stored text, opened and checked: its note and its record's version (a tombstone must be newer). */
export interface TextItem {
  note: TextNote;
  version: number;
}

export interface TextboxListing {
  /** Oldest first. */
  items: TextItem[];
  /** Entries that were ignored, with the reason in words. Nothing is deleted because of them. */
  problems: MailboxProblem[];
  /** Texts from blocked senders: never to be shown; delete them (dropText). */
  blocked: TextItem[];
}

async function checkText(r: WireRecord, user: MailUser & OpenKeys, resolve: ResolveUser): Promise<TextItem | null> {
  let raw;
  try {
    raw = parseEntry(r.value);
  } catch {
    throw new MailError('bad-manifest', 'A stored text message is invalid (not a sealed entry); it was ignored.');
  }
  if (raw.kind === 'tombstone') return null;
  const note = await decodeSignedNote(await openEntry(raw, r.sub, r.owner, user));
  if (note.id !== r.sub) throw new MailError('bad-manifest', 'A stored text message is filed under another id; it was ignored.');
  if (!equalBytes(note.msgKey, r.owner)) throw new MailError('bad-signature', 'A stored text message whose sender could not be verified (it is not signed by its own key) was ignored.');
  if (note.to !== user.name || !equalBytes(note.toKey, user.signSpki)) throw new MailError('not-for-you', 'A stored text message in your textbox was meant for someone else; it was ignored.');
  // Unlike video mail, a text is shown only once its sender's name is confirmed: a chat line must name who wrote it.
  const sender = await resolve(note.from).catch(() => {
    throw new MailError('store-failed', 'A stored text message could not be checked now (the name directory did not answer); it stays for the next check.');
  });
  if (!sender || !equalBytes(sender.signSpki, note.fromKey)) throw new MailError('bad-signature', 'A stored text message whose sender could not be verified (it claims a name that belongs to another key, or to nobody) was ignored.');
  return { note, version: r.version };
}

/**
 * Reads the user's textbox: every text for them, checked (sealed for their
 * key, signed by the sender's key, that key the one behind the sender's
 * name). Bad entries are reported, not thrown, and left where they are;
 * texts from a sender `isBlocked` names go to `blocked`.
 */
export async function listTexts(overlay: MailOverlay, user: MailUser & OpenKeys, resolve: ResolveUser, isBlocked?: IsBlocked): Promise<TextboxListing> {
  const records = await overlay.get(await textboxKey(user.name));
  const items: TextItem[] = [];
  const blocked: TextItem[] = [];
  const problems: MailboxProblem[] = [];
  for (const r of records) {
    if (r.kind !== 'dict') continue;
    try {
      const item = await checkText(r, user, resolve);
      if (!item || hasSurelyExpired(Math.min(item.note.expires, r.expires), overlay.now())) continue;
      if (isBlocked && (await isBlocked({ name: item.note.from, signSpki: item.note.fromKey }))) blocked.push(item);
      else if (!items.some((i) => i.note.id === item.note.id)) items.push(item);
    } catch (e) {
      problems.push({ id: r.sub, message: e instanceof MailError ? e.message : `A stored text message could not be read (${String(e)}).` });
    }
  }
  items.sort((a, b) => a.note.sent - b.note.sent);
  return { items, problems, blocked };
}

/** Deletes a stored text (a tombstone signed by its key, newer than the entry); throws MailError('store-failed') when no replica took it. */
export async function dropText(overlay: MailOverlay, user: Pick<MailUser, 'name'>, item: TextItem): Promise<void> {
  const n = item.note;
  const signer = messageSigner(await importMessageKey(n.mk), n.msgKey);
  const now = overlay.now();
  const expires = Math.min(Math.max(n.expires, now + 60_000), now + overlayLimits.MAX_TTL_MS);
  const tomb = await createRecord(signer, { key: await textboxKey(user.name), kind: 'dict', sub: n.id, value: encodeTombstone(n.id, now), version: item.version + 1, expires });
  const put = await overlay.put(tomb);
  if (put.stored.length === 0) throw new MailError('store-failed', `The delivered text could not be removed from the network (${Object.values(put.refused)[0] ?? 'no answer'}).`);
}

/** A mark the recipient seals for the sender. */
export type TextMark = 'delivered' | 'read';

/** The receipt secret of one mark of stored text `id`, from its receipt seed. */
export function textMarkSecret(ck: Uint8Array, id: string, mark: TextMark): Promise<Uint8Array> {
  return mark === 'delivered' ? receiptSecret(ck, id) : deriveMessageSecret(ck, fromHex(id), READ_INFO, RECEIPT_SECRET_BYTES);
}

/** Puts the sealed `mark` receipt of a stored text in its sender's receipts dictionary; true when some replica took it. */
export async function sendTextMark(overlay: MailOverlay, t: { id: string; from: string; expires: number; ck: Uint8Array }, mark: TextMark): Promise<boolean> {
  return sendReceipt(overlay, { id: t.id, from: t.from, expires: t.expires, secret: await textMarkSecret(t.ck, t.id, mark) });
}

/** When each stored text was delivered and read, as far as the sender's receipts dictionary says (one read of it). */
export async function readTextMarks(overlay: MailOverlay, senderName: string, sent: readonly Pick<StoredText, 'id' | 'ck'>[]): Promise<Map<string, { deliveredAt: number | null; readAt: number | null }>> {
  const out = new Map<string, { deliveredAt: number | null; readAt: number | null }>();
  if (sent.length === 0) return out;
  const records = await overlay.get(await receiptsKey(senderName));
  const withSecret = (mark: TextMark) => Promise.all(sent.map(async (s) => ({ id: s.id, receipt: await textMarkSecret(s.ck, s.id, mark) })));
  const delivered = await matchReceipts(records, await withSecret('delivered'));
  const read = await matchReceipts(records, await withSecret('read'));
  for (const s of sent) out.set(s.id, { deliveredAt: delivered.get(s.id) ?? null, readAt: read.get(s.id) ?? null });
  return out;
}
