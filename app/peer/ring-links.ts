/**
 * What ring membership needs from the links under it, and nothing more: the
 * overlay's Transport, a way to say which links the ring routes through (so
 * they are kept and re-made), and a notice when a link was refused by a
 * permission decision (either side's), which slows re-joins down so a refused
 * question is not asked again every few seconds. The live adapter sits over
 * the authenticated links of app/transport; the simulator's is in
 * ./testing/sim-ring-links.ts.
 */
import { webCryptoVerifier, type Transport } from '../overlay';
import { SeededRandom, systemClock } from '../common';
import { LinkTransport, type LinkManager } from '../transport';
import type { RingMemberComponents } from './ring-member';

/** The narrow links interface a RingMember runs on. */
export interface RingLinks {
  /** The overlay's Transport over these links; the member's node closes it when it leaves. */
  readonly transport: Transport;
  /** The node IDs the ring routes through (predecessor, successors, fingers): kept up, never evicted first. */
  keep(nodeIds: ReadonlySet<string>): void;
  /** Calls `fn` whenever a link was refused by a permission decision; returns its remover. */
  onRefused(fn: () => void): () => void;
}

/** RingLinks over a LinkManager: LinkTransport for the overlay, `keep` through it, refusals from failed dials. */
export function linkManagerRingLinks(links: LinkManager): RingLinks {
  const transport = new LinkTransport(links);
  return {
    transport,
    keep: (nodeIds) => transport.keep(nodeIds),
    onRefused: (fn) =>
      links.onDialFailed((_peer, _why, failure) => {
        if (failure.code === 'refused') fn();
      }),
  };
}

/**
 * What a live member (a tab or the service peer) runs on: its links, the
 * system clock, a random source seeded from the platform's cryptographic
 * generator, and WebCrypto signature checks.
 */
export function liveRingComponents(links: LinkManager): Pick<RingMemberComponents, 'links' | 'clock' | 'random' | 'verifier'> {
  const seed = crypto.getRandomValues(new Uint32Array(1))[0]!;
  return { links: linkManagerRingLinks(links), clock: systemClock, random: new SeededRandom(seed), verifier: webCryptoVerifier };
}
