/**
 * Checks a final routing answer before believing it: the answering node must
 * precede the key and the claimed successor must follow it, the answer may
 * not name its own sender as the successor of a key it does not own, and it
 * must not contradict what this node itself knows.
 */
import { inHalfOpen } from '../id';
import type { Peer } from '../routing-table/peer';
import type { RoutingContext } from './context';

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
