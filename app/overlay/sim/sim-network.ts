/**
 * The in-memory network of a simulation: one Transport per node, latency
 * from network coordinates (fixed per pair, so each link stays in order),
 * random loss, partitions, crashes. Everything random comes from the seed.
 *
 * Links are optional (`linkSetupMs`). Without them every send is direct, as
 * large benchmarks want. With them the network behaves like a tab's
 * LinkTransport (app/transport/link-transport.ts): a send to a node with no
 * link first makes one, the message waiting `linkSetupMs` for it (a WebRTC
 * connection signaled through the server or the overlay), endpoints answer
 * `isLinked` and make the links they are told to `keep` (a tab's ring member
 * keeps those to its routing table), and a test can close a link (`unlink`)
 * as a tab closes one.
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
  /**
   * Model links: a message to a node with no link waits this long (ms) for
   * one to be made, and endpoints implement Transport.isLinked. 0 leaves
   * links out: every send is direct and `isLinked` is absent. @default 0
   */
  linkSetupMs?: number;
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
  /** Whether a link to `peer` is up: only when the network models links (SimNetworkOptions.linkSetupMs). */
  readonly isLinked?: (peer: string) => boolean;
  /** Makes a link to each of `nodeIds` that has none and is not being made: only when the network models links. */
  readonly keep?: (nodeIds: Iterable<string>) => void;

  constructor(
    readonly localId: string,
    private readonly net: SimNetwork,
    rng: Random,
  ) {
    this.x = rng.next();
    this.y = rng.next();
    if (net.opts.linkSetupMs > 0) {
      this.isLinked = (peer) => net.hasLink(localId, peer);
      this.keep = (nodeIds) => {
        for (const id of nodeIds) if (this.alive && id !== localId) net.connect(this, id);
      };
    }
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

/** A message waiting for its link to be made. */
interface Waiting {
  from: SimEndpoint;
  to: string;
  bytes: Uint8Array;
}

export class SimNetwork {
  private readonly endpoints = new Map<string, SimEndpoint>();
  private readonly blocked = new Set<string>();
  /** Pairs with a link up (only when links are modelled). */
  private readonly links = new Set<string>();
  /** Pairs whose link is being made, with the messages waiting for it. */
  private readonly making = new Map<string, Waiting[]>();
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
      linkSetupMs: opts.linkSetupMs ?? 0,
    };
  }

  /** Whether a link between `a` and `b` is up (always false when links are not modelled). */
  hasLink(a: string, b: string): boolean {
    return this.links.has(pairKey(a, b));
  }

  /**
   * Closes the link between `a` and `b`, as a tab closing it: both sides
   * hear it go down at once; the next message between them makes it again.
   * Nothing happens when there is no such link.
   */
  unlink(a: string, b: string): void {
    if (!this.links.delete(pairKey(a, b))) return;
    for (const [e, peer] of [
      [this.endpoints.get(a), b],
      [this.endpoints.get(b), a],
    ] as const) {
      if (!e?.alive) continue;
      e.linked?.delete(peer);
      for (const fn of [...e.downFns]) fn(peer);
    }
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

  /** Changes how long new links take (a server that went down: links are then made through the overlay). Throws when links are not modelled. */
  set linkSetupMs(ms: number) {
    if (this.opts.linkSetupMs <= 0 || ms <= 0) throw new RangeError('links are modelled only when the network was made with linkSetupMs > 0');
    this.opts.linkSetupMs = ms;
  }

  latency(a: { x: number; y: number }, b: { x: number; y: number }): number {
    const d = Math.hypot(a.x - b.x, a.y - b.y) / Math.SQRT2;
    // Whole milliseconds, like Date.now(): records carry integer times.
    return Math.round(this.opts.minLatencyMs + d * (this.opts.maxLatencyMs - this.opts.minLatencyMs));
  }

  /** The endpoint `to` when `from` can reach it now (alive, same partition, not blocked), else null. */
  private reachable(from: SimEndpoint, to: string): SimEndpoint | null {
    const dest = this.endpoints.get(to);
    if (!dest || !dest.alive || dest.group !== from.group || (this.blocked.size > 0 && this.blocked.has(pairKey(from.localId, to)))) return null;
    return dest;
  }

  deliver(from: SimEndpoint, to: string, bytes: Uint8Array): void {
    if (!from.alive || to === from.localId) return;
    const dest = this.reachable(from, to);
    if (!dest) {
      this.dropped++;
      this.reportDown(from, to);
      return;
    }
    if (this.opts.linkSetupMs > 0 && !this.links.has(pairKey(from.localId, to))) return this.waitForLink(from, to, bytes);
    this.transmit(from, dest, bytes);
  }

  /** Holds a message until the link between its two ends is made (one set-up per pair, whoever sends first). */
  private waitForLink(from: SimEndpoint, to: string, bytes: Uint8Array): void {
    this.connect(from, to);
    this.making.get(pairKey(from.localId, to))!.push({ from, to, bytes });
  }

  /** Starts making the link between `from` and `to` unless it is up or being made (links modelled only). */
  connect(from: SimEndpoint, to: string): void {
    const pair = pairKey(from.localId, to);
    if (this.opts.linkSetupMs <= 0 || this.links.has(pair) || this.making.has(pair)) return;
    this.making.set(pair, []);
    this.clock.setTimeout(() => {
      const waiting = this.making.get(pair) ?? [];
      this.making.delete(pair);
      const dest = from.alive ? this.reachable(from, to) : null;
      if (!dest) {
        if (from.alive) this.reportDown(from, to);
        for (const w of waiting) {
          this.dropped++;
          if (w.from.alive && w.from !== from) this.reportDown(w.from, w.to);
        }
        return;
      }
      this.links.add(pair);
      this.linkUp(from, to);
      this.linkUp(dest, from.localId);
      for (const w of waiting) this.deliver(w.from, w.to, w.bytes);
    }, this.opts.linkSetupMs);
  }

  private transmit(from: SimEndpoint, dest: SimEndpoint, bytes: Uint8Array): void {
    const to = dest.localId;
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
      this.links.delete(pairKey(from.localId, to));
      if (!from.alive) return;
      for (const fn of from.downFns) fn(to);
    }, this.opts.failureDetectMs);
  }

  get size(): number {
    return this.endpoints.size;
  }
}
