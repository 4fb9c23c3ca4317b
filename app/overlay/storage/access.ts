/**
 * The access rule every write passes (DESIGN.md, Storage), injectable like
 * automerge-repo's SharePolicy. The default: an entry — a single value, one
 * dictionary sub-key, or a blob — belongs to the owner of the live record
 * that holds it; only that owner may replace it until it expires. Different
 * sub-keys of one dictionary may have different owners (senders write into a
 * mailbox; each of a user's nodes writes its own contact entry). Blob bytes
 * are checked by their hash; a blob's owner is who may delete it.
 *
 * Blob tombstones: a blob record with an empty value deletes the live blob
 * under its key (holders drop the bytes and keep the small tombstone until
 * it expires, so a stale replica cannot bring the blob back). Only the live
 * blob's owner may write one, and only over a live blob: on an empty slot a
 * tombstone could squat a key before its blob arrives.
 */
import { equalBytes, hasSurelyExpired } from '../../identity';
import type { RefusalReason, WireRecord } from './record';

/** Returns null to allow `incoming` to replace `existing` (undefined: the slot is empty), or why not. */
export type AccessRule = (incoming: WireRecord, existing: WireRecord | undefined, now: number) => RefusalReason | null;

export const ownerOnlyAccess: AccessRule = (incoming, existing, now) => {
  const live = existing && !hasSurelyExpired(existing.expires, now) ? existing : undefined;
  if (!live) return incoming.kind === 'blob' && incoming.value.length === 0 ? 'nothing-to-delete' : null;
  if (live.kind !== incoming.kind) return 'wrong-kind';
  return equalBytes(live.owner, incoming.owner) ? null : 'wrong-owner';
};
