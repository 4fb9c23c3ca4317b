/**
 * Where a recursive lookup goes next (Chord's closest preceding node, Stoica
 * et al. 2001, §4.3), preferring nodes with a live link: a hop with none would
 * first need a WebRTC link, and through the overlay (the signaling server
 * down) making one can take longer than the whole recursive attempt. RELOAD
 * forwards over the connections it has in the same way (RFC 6940 §6.2).
 */
import type { Peer } from '../routing-table/peer';
import type { RoutingContext } from './context';

/**
 * The node a recursive lookup for `key` goes to next: the closest known node
 * before the key that is not skipped and has a live link, else the closest
 * one without (its link is made on the way); undefined when none is left.
 * Shared by the origin and by relays (rpc/handlers/route.ts).
 */
export function nextHop(ctx: Pick<RoutingContext, 'table' | 'rpc'>, key: bigint, skip: (hex: string) => boolean): Peer | undefined {
  const { table, rpc } = ctx;
  const linked = rpc.knowsLinks ? table.closestPreceding(key, 1, (hex) => skip(hex) || !rpc.isLinked(hex))[0] : undefined;
  return linked ?? table.closestPreceding(key, 1, skip)[0];
}
