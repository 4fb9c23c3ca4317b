/**
 * The access rule every write passes (DESIGN.md, Storage), injectable like
 * automerge-repo's SharePolicy. The default: an entry — a single value, one
 * dictionary sub-key, or a blob — belongs to the owner of the live record
 * that holds it; only that owner may replace it until it expires. Different
 * sub-keys of one dictionary may have different owners (senders write into a
 * mailbox; each of a user's nodes writes its own contact entry). Blobs are
 * checked by their hash, not by owner.
 */
import { equalBytes } from '../../identity';
import type { RefusalReason, WireRecord } from './record';

/** Returns null to allow `incoming` to replace `existing` (undefined: the slot is empty), or why not. */
export type AccessRule = (incoming: WireRecord, existing: WireRecord | undefined, now: number) => RefusalReason | null;

export const ownerOnlyAccess: AccessRule = (incoming, existing, now) => {
  if (!existing || existing.expires <= now) return null;
  if (existing.kind !== incoming.kind) return 'wrong-kind';
  if (incoming.kind === 'blob') return null;
  return equalBytes(existing.owner, incoming.owner) ? null : 'wrong-owner';
};
