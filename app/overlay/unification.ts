/**
 * Ring unification. Tabs that load at the same moment can form separate
 * rings, and plain Chord never merges them: each ring is stable on its own,
 * and a node whose successor pointer skips a node of the other ring never
 * hears of it (Liben-Nowell et al., "Observations on the dynamic evolution
 * of peer-to-peer networks"). As in the ring unification of Shafaat et al.,
 * a node that knows of a node nearer than its successor looks its own place
 * up through that node (`ChordNode.mergeVia`), adopts what it finds, and
 * stabilize and notify fix the predecessors.
 *
 * Where the nodes to check come from: hints (the peers the signaling server
 * lists as online, the same list for every tab) plus every node the routing
 * table knows. Each round a node checks only the nearest of them clockwise:
 * if it lies between the node and its successor, the successor is wrong.
 * So every node repairs its own successor in about one round, instead of
 * the merge travelling around the ring node by node; once the ring is right
 * a round sends nothing. A probe that changes nothing (a peer still joining,
 * in another overlay, or refusing links) backs off for that peer. Now and
 * then one random hinted peer the table does not know is asked too, for a
 * ring whose members sit beyond the successor of every node that hints at it.
 */
import { type Clock, type Random } from '../common';
import { distance, hexIdToBytes, idFromHex, idToHex, inHalfOpen, inOpen, isHexId, RING } from './id';
import type { OverlayNode } from './api';
import type { RoutingContext } from './query/context';
import { peerFromBytes, type Peer } from './routing-table/peer';

/** Most nodes one walk through another ring asks. */
const MAX_WALK = 24;

export interface UnifierOptions {
  /** How often a node checks its successor against what it has heard of. @default 1000 */
  roundMs?: number;
  /** Mean time between probes of a random unknown hinted peer. @default 30000 */
  strangerMs?: number;
  /** First wait before probing again a peer whose probe changed nothing; doubles. @default 1000 */
  backoffMs?: number;
  /** @default 30000 */
  maxBackoffMs?: number;
}

type UnifiableNode = Pick<OverlayNode, 'id' | 'joined' | 'isClosed' | 'mergeVia' | 'knownPeers' | 'successors'>;

/** Peers remembered with a back-off; past this, expired ones are forgotten. */
const MAX_COOLING = 1024;

interface Cooling {
  until: number;
  wait: number;
}

export class RingUnifier {
  /** Probes sent and probes that changed the successor list, for tests and the benchmark. */
  readonly stats = { probes: 0, merges: 0 };
  private readonly cooling = new Map<string, Cooling>();
  private readonly opts: Required<UnifierOptions>;
  private timer: unknown = null;
  private nextStrangerAt: number;

  constructor(
    private readonly node: UnifiableNode,
    private readonly clock: Clock,
    private readonly random: Random,
    /** Peers that may be in the overlay (the signaling server's list of online peers). */
    private readonly hints: () => readonly string[],
    options: UnifierOptions = {},
  ) {
    this.opts = { roundMs: 1000, strangerMs: 30_000, backoffMs: 1000, maxBackoffMs: 30_000, ...options };
    this.nextStrangerAt = clock.now() + this.opts.strangerMs * random.next();
  }

  start(): void {
    if (this.timer !== null) return;
    const arm = (delay: number): void => {
      this.timer = this.clock.setTimeout(() => {
        if (this.node.isClosed) return this.stop();
        this.round();
        arm(this.opts.roundMs);
      }, delay);
    };
    arm(this.random.next() * this.opts.roundMs);
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One check; returns the peer probed, or null when the successor needs no probe. */
  round(): string | null {
    const n = this.node;
    if (n.isClosed || !n.joined) return null;
    const now = this.clock.now();
    if (this.cooling.size > MAX_COOLING) for (const [hex, c] of this.cooling) if (c.until <= now) this.cooling.delete(hex);
    const hinted = new Set(this.hints().filter((h) => isHexId(h) && h !== n.id));
    const known = new Set(n.knownPeers());
    // Suspected nodes are asked too: a probe that gets an answer clears the suspicion (a tab that
    // was busy for a moment is not kept out of the ring for the whole suspicion time), and one
    // that does not backs off like any other.
    const usable = (hex: string): boolean => hex !== n.id && (this.cooling.get(hex)?.until ?? 0) <= now;

    // The nearest node clockwise that this node has heard of should be its successor.
    const self = idFromHex(n.id);
    let nearest: string | null = null;
    let best = RING;
    for (const hex of [...hinted, ...known]) {
      if (!usable(hex)) continue;
      const d = distance(self, idFromHex(hex));
      if (d < best) {
        best = d;
        nearest = hex;
      }
    }
    const succ = n.successors()[0] ?? n.id;
    const succId = idFromHex(succ);
    if (nearest !== null && (succId === self || inOpen(idFromHex(nearest), self, succId))) return this.probe(nearest);

    if (now < this.nextStrangerAt) return null;
    this.nextStrangerAt = now + this.opts.strangerMs * (0.5 + this.random.next());
    // A hinted peer the table does not know; failing that, any known node (without hints, nodes
    // of the other ring reach the table through successor lists and fingers, and only a probe
    // through one of them tells whether the successor is still right).
    const strangers = [...hinted].filter((h) => !known.has(h) && usable(h));
    const pool = strangers.length > 0 ? strangers : [...known].filter((h) => h !== succ && usable(h));
    const pick = pool[Math.floor(this.random.next() * pool.length)];
    return pick === undefined ? null : this.probe(pick);
  }

  private probe(peer: string): string {
    this.stats.probes++;
    const prev = this.cooling.get(peer);
    const wait = prev ? Math.min(this.opts.maxBackoffMs, prev.wait * 2) : this.opts.backoffMs;
    // Not asked again while this probe runs; after it, only once its back-off has passed.
    this.cooling.set(peer, { until: Infinity, wait });
    const settle = (changed: boolean): void => {
      if (!changed) return void this.cooling.set(peer, { until: this.clock.now() + wait, wait });
      this.stats.merges++;
      this.cooling.delete(peer);
    };
    this.node.mergeVia(peer).then(settle, () => settle(false));
    return peer;
  }
}

/**
 * Finds the successor of `key` as the ring of `start` sees it: an iterative
 * walk that asks only the nodes that ring names. Unlike a lookup, the answer
 * is not checked against this node's own table: that it contradicts this
 * node's ring is the point (a lookup would take it for a lie). Only its shape
 * is checked: the named successor must follow the key as seen from the node
 * that names it. Resolves with the successor list found there (null when
 * the walk found none: in a ring that already holds this node, only this
 * node could answer), and whether `start` answered as a member of a ring.
 */
export function walkOtherRing(ctx: RoutingContext, start: Peer, key: bigint): Promise<{ nodes: Peer[] | null; startInRing: boolean }> {
  const keyBytes = hexIdToBytes(idToHex(key));
  const asked = new Set<string>([ctx.self.hex]);
  const byNearness = (a: Peer, b: Peer): number => (distance(a.id, key) < distance(b.id, key) ? -1 : 1);
  const candidates: Peer[] = [start];
  let startInRing = false;
  return new Promise((resolve) => {
    const step = (): void => {
      const next = candidates.shift();
      if (!next || asked.size > MAX_WALK) return resolve({ nodes: null, startInRing });
      asked.add(next.hex);
      ctx.rpc.request(next.hex, { t: 'find', key: keyBytes }, ctx.options.rpcTimeoutMs, (reply) => {
        if (reply?.t !== 'found') return step();
        if (next === start) startInRing = true;
        const nodes = reply.nodes.map(peerFromBytes);
        if (reply.done) {
          const claimed = nodes[0];
          // A node alone in its ring names itself; anyone else names a node after the key.
          const believable = claimed !== undefined && (claimed.hex === next.hex ? nodes.length === 1 : inHalfOpen(key, next.id, claimed.id));
          if (believable) return resolve({ nodes, startInRing });
          ctx.counters.countBad('lying-answer');
          return step();
        }
        for (const p of nodes) {
          if (!inOpen(p.id, next.id, key)) ctx.counters.countBad('non-progressing-candidate');
          else if (!asked.has(p.hex) && !candidates.some((c) => c.hex === p.hex)) candidates.push(p);
        }
        candidates.sort(byNearness);
        step();
      });
    };
    step();
  });
}
