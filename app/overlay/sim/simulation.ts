/**
 * A deterministic simulation of many overlay nodes running the real node
 * code on a SimNetwork and a VirtualClock: build a ring, crash, join, churn,
 * and check every answer against the true ring. Everything comes from the
 * seed, so a failing run replays.
 */
import { OverlayCounters } from '../counters';
import { bytesToHexId, idToHex, inHalfOpen } from '../id';
import { ChordNode } from '../node';
import type { OverlayComponents, OverlayOptions } from '../options';
import { exponential, randomBytes, SeededRandom, type Random } from '../../common';
import type { RecordVerifier } from '../storage/record';
import { cheapVerifier } from './cheap-crypto';
import { SimNetwork, type SimNetworkOptions } from './sim-network';
import { VirtualClock } from './virtual-clock';

export interface SimulationOptions {
  seed: number;
  network?: SimNetworkOptions;
  overlay?: OverlayOptions;
  /** @default cheapVerifier */
  verifier?: RecordVerifier;
  /** One counters object for all nodes (cheaper) or one per node. @default true */
  sharedCounters?: boolean;
}

export class Simulation {
  readonly clock = new VirtualClock(Date.UTC(2025, 0, 1));
  readonly rng: Random;
  readonly net: SimNetwork;
  readonly nodes = new Map<string, ChordNode>();
  readonly counters = new OverlayCounters();
  /** Live node IDs in ring order, kept sorted (insert and remove in place) for the oracle. */
  private readonly sorted: bigint[] = [];
  /** Live node IDs in no particular order, for picking one at random in O(1). */
  private readonly live: string[] = [];
  private readonly liveIndex = new Map<string, number>();

  constructor(readonly opts: SimulationOptions) {
    this.rng = new SeededRandom(opts.seed);
    this.net = new SimNetwork(this.clock, new SeededRandom(opts.seed ^ 0x5eed), opts.network);
  }

  /** A fresh random node ID (the simulator skips key generation; IDs are uniform either way). */
  randomId(): string {
    return bytesToHexId(randomBytes(this.rng, 20));
  }

  /** Creates a node (not yet joined); `extra` adds components such as a node signer. */
  createNode(id = this.randomId(), overlay: OverlayOptions = {}, extra: Partial<OverlayComponents> = {}): ChordNode {
    const node = new ChordNode(
      {
        transport: this.net.endpoint(id),
        clock: this.clock,
        random: new SeededRandom(Math.floor(this.rng.next() * 2 ** 32)),
        verifier: this.opts.verifier ?? cheapVerifier,
        counters: this.opts.sharedCounters === false ? new OverlayCounters() : this.counters,
        tracker: this.clock.tracker,
        ...extra,
      },
      { ...this.opts.overlay, ...overlay },
    );
    if (this.nodes.has(id)) this.forget(id);
    this.nodes.set(id, node);
    this.intoRing(node);
    return node;
  }

  private intoRing(node: ChordNode): void {
    if (this.liveIndex.has(node.id)) return;
    this.liveIndex.set(node.id, this.live.length);
    this.live.push(node.id);
    this.sorted.splice(this.rank(node.self.id), 0, node.self.id);
  }

  /** Starts a node's join through up to three random live nodes. */
  join(node: ChordNode): Promise<void> {
    const boot: string[] = [];
    for (let i = 0; i < 3 && this.live.length > 1; i++) {
      let pick = this.live[Math.floor(this.rng.next() * this.live.length)]!;
      // Nodes still joining refuse to route; step to the next one in a ring (a tab's join retries the same way).
      for (let k = 0; k < this.live.length && (pick === node.id || !this.nodes.get(pick)!.joined); k++) {
        pick = this.live[(this.liveIndex.get(pick)! + 1) % this.live.length]!;
      }
      boot.push(pick);
    }
    return node.join(boot);
  }

  /** Grows the ring to `n` nodes by real joins spread over `spreadMs`, then lets it stabilize for `settleMs`. */
  async buildByJoins(n: number, spreadMs: number, settleMs: number): Promise<void> {
    if (this.nodes.size === 0) await this.createNode().join([]);
    const joins: Promise<void>[] = [];
    const start = this.clock.now();
    for (let i = this.nodes.size; i < n; i++) {
      const at = start + (spreadMs * i) / n;
      this.clock.setTimeout(() => joins.push(this.join(this.createNode()).catch(() => {})), at - this.clock.now());
    }
    await this.clock.advance(spreadMs + 1);
    await this.clock.until(Promise.all(joins));
    await this.clock.advance(settleMs);
  }

  /** Builds an `n`-node ring from global knowledge (simulator shortcut), then starts maintenance. */
  buildByOracle(n: number): void {
    for (let i = 0; i < n; i++) this.createNode();
    for (const node of this.nodes.values()) {
      const r = node.config.successorListLength;
      const id = BigInt('0x' + node.id);
      const succs: string[] = [];
      let cur = id;
      for (let i = 0; i < r; i++) {
        cur = this.successorId(cur + 1n);
        succs.push(idToHex(cur));
      }
      node.installRoutingState(idToHex(this.predecessorId(id)), succs, (x) => idToHex(this.successorId(x)));
      node.startMaintenance();
    }
  }

  liveIds(): string[] {
    return [...this.nodes.keys()];
  }

  /** How many live IDs are below `id`. */
  private rank(id: bigint): number {
    const s = this.sorted;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The true successor of `key` among live nodes. */
  successorId(key: bigint): bigint {
    return this.sorted[this.rank(key & ((1n << 160n) - 1n)) % this.sorted.length]!;
  }

  /** The live node before `id` on the ring (`id` itself need not be live). */
  predecessorId(id: bigint): bigint {
    const s = this.sorted;
    return s[(this.rank(id) - 1 + s.length) % s.length]!;
  }

  /** The r true successors of a key: where its replicas belong. */
  replicaIds(key: bigint, r: number): string[] {
    const out: string[] = [];
    let cur = this.successorId(key);
    for (let i = 0; i < Math.min(r, this.nodes.size); i++) {
      out.push(idToHex(cur));
      cur = this.successorId(cur + 1n);
    }
    return out;
  }

  owns(id: string, key: bigint): boolean {
    const me = BigInt('0x' + id);
    return inHalfOpen(key, this.predecessorId(me), me);
  }

  /** Crashes a node: it stops dead, no goodbye. */
  crash(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    this.net.crash(id);
    node.close();
    this.forget(id);
  }

  private forget(id: string): void {
    this.outOfRing(id);
    this.nodes.delete(id);
  }

  /** Takes a node out of the oracle and the random picks (it is not, or no longer, in the ring). */
  private outOfRing(id: string): void {
    const node = this.nodes.get(id);
    if (node) {
      const at = this.rank(node.self.id);
      if (this.sorted[at] === node.self.id) this.sorted.splice(at, 1);
    }
    const i = this.liveIndex.get(id);
    if (i !== undefined) {
      const last = this.live.pop()!;
      if (last !== id) {
        this.live[i] = last;
        this.liveIndex.set(last, i);
      }
      this.liveIndex.delete(id);
    }
  }

  /** A graceful leave with hand-over. */
  leave(id: string): void {
    const node = this.nodes.get(id);
    if (!node) return;
    node.leave();
    this.net.crash(id);
    this.forget(id);
  }

  randomLive(): ChordNode {
    return this.nodes.get(this.live[Math.floor(this.rng.next() * this.live.length)]!)!;
  }

  /**
   * Churn: each node's session lasts an exponential time with the given
   * median; when it ends the node crashes and a fresh node joins, keeping N
   * steady. Returns a stopper.
   */
  startChurn(medianSessionMs: number, onJoin?: (n: ChordNode) => void): () => void {
    let active = true;
    const mean = medianSessionMs / Math.LN2;
    const schedule = (id: string): void => {
      this.clock.setTimeout(() => {
        if (!active || !this.nodes.has(id)) return;
        this.crash(id);
        spawn();
      }, exponential(this.rng, mean));
    };
    // A fresh node is responsible for nothing, and is no lookup origin nor bootstrap node,
    // until its successor has taken it as predecessor: that is when the keys before it are
    // handed over to it (Chord's notify), and until then its successor rightly answers for
    // them. A failed join is retried by a new node a second later.
    const spawn = (): void => {
      const fresh = this.createNode();
      this.outOfRing(fresh.id);
      const admitted = (waited: number): void => {
        if (this.nodes.get(fresh.id) !== fresh) return;
        const succ = this.nodes.get(fresh.table.successors.first().hex);
        if (succ && succ.table.predecessor?.hex !== fresh.id && waited < 10_000) {
          this.clock.setTimeout(() => admitted(waited + 10), 10);
          return;
        }
        this.intoRing(fresh);
        onJoin?.(fresh);
      };
      void this.join(fresh).then(
        () => admitted(0),
        () => {
          if (this.nodes.get(fresh.id) !== fresh) return;
          this.crash(fresh.id);
          if (active) this.clock.setTimeout(spawn, 1_000);
        },
      );
      schedule(fresh.id);
    };
    for (const id of this.liveIds()) schedule(id);
    return () => {
      active = false;
    };
  }

  run(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  until<T>(p: Promise<T>, maxMs?: number): Promise<T> {
    return this.clock.until(p, maxMs);
  }
}
