/**
 * The mailbox: reading, opening and checking the sealed entries in
 * `H("mailbox:" + name)` (sealed-entry.ts), dropping mail from blocked
 * senders without fetching it, and deleting a message (a tombstone entry,
 * then a tombstone per fragment so every holder drops the bytes).
 */
import { equalBytes, hasSurelyExpired } from '../identity';
import { createRecord, overlayLimits, type RecordSigner, type WireRecord } from '../overlay';
import { importMessageKey, type MessageSecrets } from './cipher';
import { MailError } from './errors';
import { openMeta, openSecrets, type OpenKeys } from './fetch';
import { mailboxKey } from './keys';
import { decodeSignedManifest, encodeTombstone, KEY_BYTES, type Manifest, type MessageMeta } from './manifest';
import type { MailOverlay } from './overlay-io';
import { openEntry, parseEntry } from './sealed-entry';
import { messageSigner } from './send';
import type { MailUser, ResolveUser } from './types';

export interface MailItem {
  id: string;
  from: string;
  sent: number;
  expires: number;
  size: number;
  meta: MessageMeta;
  manifest: Manifest;
  /** The mailbox record's version (a tombstone must be newer). */
  version: number;
  secrets: MessageSecrets;
  /** The sender's key matched the name directory; false when the name could not be looked up. */
  senderConfirmed: boolean;
}

export interface MailboxProblem {
  id: string;
  message: string;
}

export interface MailboxListing {
  items: MailItem[];
  /** Entries that were ignored, with the reason in words. */
  problems: MailboxProblem[];
  /** Messages from blocked senders: not to be shown; delete them (deleteMessage needs no fragment). */
  blocked: MailItem[];
}

/** Who sent a message, as its sealed, verified manifest says. */
export interface MailSender {
  name: string;
  /** SPKI of the sender's user signing key. */
  signSpki: Uint8Array;
}

/**
 * Whether the recipient blocked this sender (by name or key). Asked only
 * after the entry was opened and its signature checked, and before any
 * fragment is fetched.
 */
export type IsBlocked = (sender: MailSender) => boolean | Promise<boolean>;

async function checkEntry(r: WireRecord, user: MailUser & OpenKeys, resolve: ResolveUser): Promise<MailItem | null> {
  const raw = parseEntry(r.value);
  if (raw.kind === 'tombstone') return null;
  const m = await decodeSignedManifest(await openEntry(raw, r.sub, r.owner, user));
  if (m.id !== r.sub) throw new MailError('bad-manifest', 'A mailbox entry is filed under another message id; it was ignored.');
  if (!equalBytes(m.msgKey, r.owner)) throw new MailError('bad-signature', 'A message whose sender could not be verified (it is not signed by its own message key) was ignored.');
  if (m.to !== user.name) throw new MailError('not-for-you', `A message in your mailbox is addressed to ${m.to}, not to you; it was ignored.`);
  // Same name, other key: someone resolved the name wrongly (or lies); saying "addressed to bob, not to you" to bob would confuse.
  if (!equalBytes(m.toKey, user.signSpki)) throw new MailError('not-for-you', 'A message in your mailbox was meant for another key under your name; it was ignored.');
  let senderConfirmed = false;
  const sender = await resolve(m.from).catch(() => null);
  if (sender) {
    // A forged sender: the name is registered to another key. Its claimed name is not repeated anywhere.
    if (!equalBytes(sender.signSpki, m.fromKey)) throw new MailError('bad-signature', 'A message whose sender could not be verified (it claims a name that belongs to another key) was ignored.');
    senderConfirmed = true;
  }
  const secrets = await openSecrets(m, user);
  const meta = await openMeta(m, secrets);
  return { id: m.id, from: m.from, sent: m.sent, expires: Math.min(m.expires, r.expires), size: m.size, meta, manifest: m, version: r.version, secrets, senderConfirmed };
}

/**
 * Lists the messages in the user's mailbox, newest first; bad entries are
 * reported, not thrown. Messages from a sender `isBlocked` names are left
 * out of `items` and returned in `blocked` (opened, never fetched), so the
 * caller can delete them.
 */
export async function listMailbox(overlay: MailOverlay, user: MailUser & OpenKeys, resolve: ResolveUser, isBlocked?: IsBlocked): Promise<MailboxListing> {
  const records = await overlay.get(await mailboxKey(user.name));
  const items: MailItem[] = [];
  const blocked: MailItem[] = [];
  const problems: MailboxProblem[] = [];
  for (const r of records) {
    if (r.kind !== 'dict') continue;
    try {
      const item = await checkEntry(r, user, resolve);
      if (!item || hasSurelyExpired(item.expires, overlay.now())) continue;
      if (isBlocked && (await isBlocked({ name: item.from, signSpki: item.manifest.fromKey }))) {
        blocked.push(item);
        continue;
      }
      // Rival owners' entries under one id can both be read (newest first); one message per id is listed.
      if (!items.some((i) => i.id === item.id)) items.push(item);
    } catch (e) {
      problems.push({ id: r.sub, message: e instanceof MailError ? e.message : `A mailbox entry could not be read (${String(e)}).` });
    }
  }
  items.sort((a, b) => b.sent - a.sent);
  return { items, problems, blocked };
}

/** Writes a tombstone over every fragment; returns how many fragments some holder dropped. */
export async function deleteFragments(overlay: MailOverlay, signer: RecordSigner, keys: Uint8Array, expires: number): Promise<number> {
  let dropped = 0;
  const list: Uint8Array[] = [];
  for (let at = 0; at + KEY_BYTES <= keys.length; at += KEY_BYTES) list.push(keys.slice(at, at + KEY_BYTES));
  let next = 0;
  const life = Math.min(expires, overlay.now() + overlayLimits.MAX_TTL_MS);
  if (hasSurelyExpired(life, overlay.now())) return 0;
  await Promise.all(
    Array.from({ length: Math.min(8, list.length) }, async () => {
      while (next < list.length) {
        const key = list[next++]!;
        const tomb = await createRecord(signer, { key, kind: 'blob', value: new Uint8Array(0), version: 2, expires: life });
        const put = await overlay.put(tomb).catch(() => null);
        if (put && put.stored.length > 0) dropped++;
      }
    }),
  );
  return dropped;
}

async function signerFor(pkcs8: Uint8Array, spki: Uint8Array): Promise<RecordSigner> {
  return messageSigner(await importMessageKey(pkcs8), spki);
}

/** Deletes a message from the mailbox and from every holder of its fragments. */
export async function deleteMessage(overlay: MailOverlay, user: MailUser, item: Pick<MailItem, 'manifest' | 'secrets' | 'version' | 'expires'>): Promise<{ fragmentsDropped: number }> {
  const m = item.manifest;
  const signer = await signerFor(item.secrets.messageKeyPkcs8, m.msgKey);
  const life = Math.max(item.expires, overlay.now() + 60_000);
  const tomb = await createRecord(signer, { key: await mailboxKey(user.name), kind: 'dict', sub: m.id, value: encodeTombstone(m.id, overlay.now()), version: item.version + 1, expires: Math.min(life, overlay.now() + overlayLimits.MAX_TTL_MS) });
  const put = await overlay.put(tomb);
  if (put.stored.length === 0) throw new MailError('store-failed', `The message could not be deleted (${Object.values(put.refused)[0] ?? 'no answer'}); try again.`);
  return { fragmentsDropped: await deleteFragments(overlay, signer, m.keys, m.expires) };
}
