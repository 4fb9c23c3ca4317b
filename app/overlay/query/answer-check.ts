/**
 * Checks a final routing answer before believing it: the answering node must
 * precede the key and the claimed successor must follow it, the answer may
 * not name its own sender as the successor of a key it does not own, and it
 * must not contradict what this node itself knows.
 */
import { inHalfOpen } from '../id';
import type { Peer } from '../routing-table/peer';
import type { RoutingContext } from './context';

/**
 * Refusals a truthful node can earn while the ring changes: its successor
 * pointer lags a join by up to one stabilize round (Stoica et al., "Chord",
 * SIGCOMM 2001, §4.4: lookups during joins may see stale pointers and are
 * retried after a pause), or it was alone a moment ago. Such a node is asked
 * again on the lookup's next round, not avoided for the rest of it: in a ring
 * of three it is one of only two nodes to ask. A successor that does not
 * follow the key cannot come from any node's current table, so it stays a lie.
 */
export const STALE_ANSWERS: ReadonlySet<string> = new Set(['claims its own key range', 'contradicts known nodes']);

/**
 * Why a final answer ("done", successor list `nodes`) from `responder` for
 * `key` is not believed, or null when it is. `joining`: this node is joining
 * through the responder and knows nobody else. The reasons in STALE_ANSWERS
 * may be a lagging table rather than a lie.
 */
export function checkFinalAnswer(ctx: RoutingContext, key: bigint, responder: Peer, nodes: readonly Peer[], joining = false): string | null {
  const claimed = nodes[0];
  if (!claimed) return 'empty answer';
  // A node that truly has the key in (itself, successor] names a different node, unless it is
  // alone — believed only by a node joining through it, which knows nobody else to ask.
  if (claimed.id === responder.id) return joining && nodes.length === 1 ? null : 'claims its own key range';
  if (!inHalfOpen(key, responder.id, claimed.id)) return 'successor does not follow the key';
  if (ctx.table.refutes(key, claimed, ctx.clock.now())) return 'contradicts known nodes';
  return null;
}

/** Peers from an answer list: no self-duplicates, at most `max`. */
export function uniquePeers(list: readonly Peer[], max: number): Peer[] {
  const out: Peer[] = [];
  for (const p of list) if (!out.some((q) => q.hex === p.hex) && out.length < max) out.push(p);
  return out;
}
