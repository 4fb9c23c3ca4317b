/** What lookups and handlers need from their node: injected, so each piece stays small and testable. */
import { type Clock } from '../../common';
import type { OverlayCounters } from '../counters';
import type { Message } from '../messages';
import type { Peer } from '../routing-table/peer';
import type { RoutingTable } from '../routing-table/routing-table';
import type { Rpc } from '../rpc/rpc';

export interface RoutingOptions {
  rpcTimeoutMs: number;
  recursiveTimeoutMs: number;
  findCandidates: number;
  successors: number;
}

export interface RoutingContext {
  readonly self: Peer;
  readonly table: RoutingTable;
  readonly rpc: Rpc;
  readonly clock: Clock;
  readonly counters: OverlayCounters;
  readonly options: RoutingOptions;
  /** Forgets a node that did not answer. */
  markDead(hex: string): void;
  /** Waiters for answers to this node's recursive lookups, by lookup id. */
  readonly recursiveWaiters: Map<number, (from: string, msg: Extract<Message, { t: 'routed' }>) => void>;
  nextLookupId(): number;
}

/** The answer of a lookup in routing terms: the successor of the key first, then its successors. */
export interface RouteOutcome {
  nodes: Peer[];
  hops: number;
  messages: number;
}

/** Progress of one lookup, as typed events (STYLE.md, practice 5). */
export type LookupEvent =
  | { type: 'query'; peer: string }
  | { type: 'answer'; peer: string; closer: number }
  | { type: 'timeout'; peer: string }
  | { type: 'refused'; peer: string; reason: string }
  | { type: 'fallback'; reason: string };

export interface StepOptions {
  /** Absolute time (clock.now) after which the lookup gives up. */
  deadline: number;
  signal?: AbortSignal | undefined;
  onEvent?: ((e: LookupEvent) => void) | undefined;
  /** Nodes not to ask (e.g. one that lied during a recursive attempt). */
  avoid?: ReadonlySet<string> | undefined;
  /** Nodes to start from instead of this node's own table (joining through a bootstrap node). */
  start?: readonly Peer[] | undefined;
}

export type LookupFailure = 'no-candidate' | 'deadline' | 'aborted';
export type RouteCallback = (outcome: RouteOutcome | LookupFailure) => void;

/**
 * A request a lookup sent got no usable answer: a malformed reply, or none
 * within `timeoutMs`. The peer is marked dead unless the wait was cut short
 * by the lookup's own deadline (shorter than rpcTimeoutMs), which says
 * nothing about the peer: marking it would have later lookups skip a live node.
 */
export function noAnswerFrom(ctx: RoutingContext, hex: string, timeoutMs: number, malformed: boolean): void {
  if (malformed || timeoutMs >= ctx.options.rpcTimeoutMs) ctx.markDead(hex);
}
