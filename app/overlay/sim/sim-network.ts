/**
 * The in-memory network of a simulation: one Transport per node, latency
 * from network coordinates (fixed per pair, so each link stays in order),
 * random loss, partitions, crashes. Everything random comes from the seed.
 */
import { type Random } from '../../common';
import type { LinkListener, MessageListener, Transport } from '../transport';
import type { VirtualClock } from './virtual-clock';

export interface SimNetworkOptions {
  /** Latency between the two closest nodes. @default 5 */
  minLatencyMs?: number;
  /** Latency between the two farthest nodes. @default 80 */
  maxLatencyMs?: number;
  /** Chance that one message is lost. @default 0 */
  loss?: number;
  /** How long a sender takes to learn that a node it sent to is gone (keep-alive: 3 × 2 s). @default 6000 */
  failureDetectMs?: number;
  /** Report link-up events (costs memory per pair; large benchmarks turn it off). @default true */
  linkEvents?: boolean;
}

class SimEndpoint implements Transport {
  alive = true;
  readonly x: number;
  readonly y: number;
  readonly messageFns: MessageListener[] = [];
  readonly upFns: LinkListener[] = [];
  readonly downFns: LinkListener[] = [];
  linked: Set<string> | null = null;
  /** Peers whose link-down is already on its way here. */
  downPending: Set<string> | null = null;
  group = 0;
  /** Sees each arriving message before the node does (an adversary's behaviour, sim/adversaries/). */
  interceptor: MessageInterceptor | null = null;

  constructor(
    readonly localId: string,
    private readonly net: SimNetwork,
    rng: Random,
  ) {
    this.x = rng.next();
    this.y = rng.next();
  }

  send(to: string, bytes: Uint8Array): void {
    this.net.deliver(this, to, bytes);
  }

  onMessage(fn: MessageListener): () => void {
    return add(this.messageFns, fn);
  }

  onLinkUp(fn: LinkListener): () => void {
    return add(this.upFns, fn);
  }

  onLinkDown(fn: LinkListener): () => void {
    return add(this.downFns, fn);
  }

  close(): void {
    this.alive = false;
  }
}

/**
 * Takes a message arriving at one node before the node's own code sees it:
 * `pass()` hands it on unchanged; not calling it drops it. A simulated
 * adversary answers in the node's place through the node's own transport.
 */
export type MessageInterceptor = (from: string, bytes: Uint8Array, pass: () => void) => void;

function add<T>(list: T[], fn: T): () => void {
  list.push(fn);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

export class SimNetwork {
  private readonly endpoints = new Map<string, SimEndpoint>();
  private readonly blocked = new Set<string>();
  readonly opts: Required<SimNetworkOptions>;
  messages = 0;
  bytes = 0;
  dropped = 0;

  constructor(
    readonly clock: VirtualClock,
    private readonly rng: Random,
    opts: SimNetworkOptions = {},
  ) {
    this.opts = {
      minLatencyMs: opts.minLatencyMs ?? 5,
      maxLatencyMs: opts.maxLatencyMs ?? 80,
      loss: opts.loss ?? 0,
      failureDetectMs: opts.failureDetectMs ?? 6_000,
      linkEvents: opts.linkEvents ?? true,
    };
  }

  /** A new endpoint (a node coming online); an old one with the same ID is replaced. */
  endpoint(id: string): Transport {
    const e = new SimEndpoint(id, this, this.rng);
    this.endpoints.set(id, e);
    return e;
  }

  /** Puts `fn` in front of node `id`'s message listeners (null removes it): how a simulated node turns adversary. */
  intercept(id: string, fn: MessageInterceptor | null): void {
    const e = this.endpoints.get(id);
    if (e) e.interceptor = fn;
  }

  isAlive(id: string): boolean {
    return this.endpoints.get(id)?.alive ?? false;
  }

  /** The node stops dead: no goodbye, messages to it vanish. */
  crash(id: string): void {
    const e = this.endpoints.get(id);
    if (e) e.alive = false;
    this.endpoints.delete(id);
  }

  /** Splits the network: nodes in different groups cannot reach each other. */
  partition(groupOf: (id: string) => number): void {
    for (const e of this.endpoints.values()) e.group = groupOf(e.localId);
  }

  /** Cuts the path between two nodes only (a link that cannot be made), both ways; the rest of the network is untouched. */
  block(a: string, b: string): void {
    this.blocked.add(pairKey(a, b));
  }

  unblock(a: string, b: string): void {
    this.blocked.delete(pairKey(a, b));
  }

  heal(): void {
    for (const e of this.endpoints.values()) e.group = 0;
  }

  set loss(p: number) {
    this.opts.loss = p;
  }

  latency(a: { x: number; y: number }, b: { x: number; y: number }): number {
    const d = Math.hypot(a.x - b.x, a.y - b.y) / Math.SQRT2;
    // Whole milliseconds, like Date.now(): records carry integer times.
    return Math.round(this.opts.minLatencyMs + d * (this.opts.maxLatencyMs - this.opts.minLatencyMs));
  }

  deliver(from: SimEndpoint, to: string, bytes: Uint8Array): void {
    if (!from.alive || to === from.localId) return;
    const dest = this.endpoints.get(to);
    if (!dest || !dest.alive || dest.group !== from.group || (this.blocked.size > 0 && this.blocked.has(pairKey(from.localId, to)))) {
      this.dropped++;
      this.reportDown(from, to);
      return;
    }
    if (this.opts.loss > 0 && this.rng.next() < this.opts.loss) {
      this.dropped++;
      return;
    }
    this.messages++;
    this.bytes += bytes.length;
    const fromId = from.localId;
    this.clock.setTimeout(() => {
      if (!dest.alive) return;
      if (this.opts.linkEvents) {
        this.linkUp(dest, fromId);
        this.linkUp(from, to);
      }
      const pass = (): void => {
        for (const fn of dest.messageFns) fn(fromId, bytes);
      };
      if (dest.interceptor) dest.interceptor(fromId, bytes, pass);
      else pass();
    }, this.latency(from, dest));
  }

  private linkUp(e: SimEndpoint, peer: string): void {
    if (!e.alive) return;
    e.linked ??= new Set();
    if (e.linked.has(peer)) return;
    e.linked.add(peer);
    for (const fn of e.upFns) fn(peer);
  }

  /** The sender learns after the failure-detection delay that the node is unreachable. */
  private reportDown(from: SimEndpoint, to: string): void {
    from.downPending ??= new Set();
    if (from.downPending.has(to)) return;
    from.downPending.add(to);
    this.clock.setTimeout(() => {
      from.downPending?.delete(to);
      from.linked?.delete(to);
      if (!from.alive) return;
      for (const fn of from.downFns) fn(to);
    }, this.opts.failureDetectMs);
  }

  get size(): number {
    return this.endpoints.size;
  }
}
