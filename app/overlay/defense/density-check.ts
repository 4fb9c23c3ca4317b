/**
 * The density test of Castro et al., "Secure routing for structured
 * peer-to-peer overlay networks" (OSDI 2002, §5.2): node IDs are uniform (they
 * are hashes of keys), so the gaps between ring neighbours are about
 * 2^160 / N everywhere, and a node's own successor list estimates that gap.
 * A node that answers "the key lies between me and my successor S" claims
 * that S is its ring neighbour; when the two are many mean gaps apart, the
 * claim is implausible: more likely the responder skipped the honest nodes
 * between them. An implausible answer is kept but not trusted to end a walk.
 */
import { distance } from '../id';
import type { RoutingContext } from '../query/context';
import type { Peer } from '../routing-table/peer';

/**
 * Mean gaps a claimed neighbour may lie from its responder. Gaps are about
 * exponential, so a truthful answer exceeds γ gaps with probability e^-γ
 * (0.25 % at 6), and the estimate from r+1 gaps is itself noisy.
 */
export const DENSITY_GAPS = 6;

/** The mean gap between ring neighbours as this node sees it: predecessor to last successor, over the gaps between. */
export function meanGap(ctx: Pick<RoutingContext, 'table' | 'self'>): bigint {
  const succs = ctx.table.successors.entries();
  const last = succs[succs.length - 1];
  if (!last || last.hex === ctx.self.hex) return 0n;
  const from = ctx.table.predecessor ?? ctx.self;
  const gaps = BigInt(succs.length + (ctx.table.predecessor ? 1 : 0));
  return distance(from.id, last.id) / gaps;
}

/**
 * Whether `successor` may lie within `r` places after `responder` (a wide
 * answer names a node from its successor list of r) at mean gap `gap`
 * (0: unknown, anything goes): at most DENSITY_GAPS + r - 1 mean gaps apart.
 */
export function plausibleNeighbours(responder: Peer, successor: Peer, gap: bigint, r: number): boolean {
  return gap === 0n || distance(responder.id, successor.id) <= BigInt(DENSITY_GAPS + r - 1) * gap;
}

/**
 * Mean gaps per node that a claimed replica set may span from the key. The
 * span of r honest successors is a sum of r exponential gaps (Gamma(r); at
 * r = 4 it exceeds 3.5 r = 14 gaps with probability about 0.05 %), while r
 * colluders named as the successors of a key are spread over about r / f
 * gaps, f their share of the ring (Castro et al. 2002, §5.2: the average
 * distance between the IDs of a claimed replica set, compared with the local
 * one). The margin is wide because the gap is estimated from only r + 1 gaps
 * (meanGap): at 3 r, 7 % of honest answers were flagged at N = 200, and each
 * flag costs a sweep and the other walks.
 */
export const REPLICA_SET_GAPS = 3.5;

/** Whether `list` (a key's successors, nearest first) is as dense as the ring at mean gap `gap` (0: unknown, anything goes). */
export function denseReplicaSet(key: bigint, list: readonly { id: bigint }[], gap: bigint): boolean {
  const last = list[list.length - 1];
  if (gap === 0n || !last) return true;
  return distance(key, last.id) * 2n <= BigInt(Math.round(REPLICA_SET_GAPS * 2)) * BigInt(list.length) * gap;
}
