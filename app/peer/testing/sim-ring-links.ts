/**
 * RingLinks on the simulator's network, for tests: a RingMember then runs
 * on virtual time with hundreds of peers in one process. Permission
 * refusals are modelled as the live links show them: a send to a peer whose
 * link is refused is dropped, the member hears of the refusal at once (a
 * failed dial's "not allowed"), and the peer is reported down a moment
 * later, as LinkTransport reports a dial that failed.
 */
import type { LinkListener, Transport } from '../../overlay';
import type { SimNetwork } from '../../overlay/sim';
import type { RingLinks } from '../ring-links';

/** RingLinks over one simulated endpoint, with what the member asked to keep. */
export interface SimRingLinks extends RingLinks {
  /** The node IDs the member last asked to keep (its predecessor, successors and fingers). */
  readonly kept: ReadonlySet<string>;
}

export interface SimRingLinksOptions {
  /** Whether the link between this node and `peer` is refused by a permission decision, either side's. @default () => false */
  refuses?: (peer: string) => boolean;
  /** How long a refused dial takes to fail, in virtual ms. @default 50 */
  dialMs?: number;
}

/** A new endpoint for node `id` on `net`, wrapped as RingLinks. */
export function simRingLinks(net: SimNetwork, id: string, opts: SimRingLinksOptions = {}): SimRingLinks {
  const refuses = opts.refuses ?? (() => false);
  const dialMs = opts.dialMs ?? 50;
  const endpoint = net.endpoint(id);
  const refusedFns = new Set<() => void>();
  const downFns = new Set<LinkListener>();
  let kept: ReadonlySet<string> = new Set();
  const transport: Transport = {
    localId: id,
    send(to, bytes) {
      if (!refuses(to)) return endpoint.send(to, bytes);
      for (const fn of [...refusedFns]) fn();
      net.clock.setTimeout(() => {
        for (const fn of [...downFns]) fn(to);
      }, dialMs);
    },
    // A refused link carries nothing either way.
    onMessage: (fn) =>
      endpoint.onMessage((from, bytes) => {
        if (!refuses(from)) fn(from, bytes);
      }),
    onLinkUp: (fn) =>
      endpoint.onLinkUp((peer) => {
        if (!refuses(peer)) fn(peer);
      }),
    onLinkDown(fn) {
      downFns.add(fn);
      const off = endpoint.onLinkDown(fn);
      return () => {
        downFns.delete(fn);
        off();
      };
    },
    close: () => endpoint.close(),
  };
  return {
    transport,
    get kept() {
      return kept;
    },
    keep(nodeIds) {
      kept = new Set(nodeIds);
    },
    onRefused(fn) {
      refusedFns.add(fn);
      return () => refusedFns.delete(fn);
    },
  };
}
