/**
 * Routed application messages (what SIP over the overlay rides on): a message
 * signed by its origin node crosses the ring hop by hop, each relay handing
 * it to the known node closest before the target's ID, until a node that
 * knows the target sends it there. Relays keep no state; the message carries
 * all a relay needs. The target checks the signature against the key whose
 * hash is the origin's node ID, so a relay can neither forge nor alter a
 * message. It can drop one, which the origin sees as a missing
 * acknowledgement: the target acknowledges by a routed `app-ack`, and the
 * origin resends once (the target keeps recent message ids so a resend is
 * acknowledged but not delivered twice).
 */
import { canonicalEncode, compareBytes, withinClockSkew } from '../identity';
import { type Clock } from '../common';
import { APP_ACK_TIMEOUT_MS, MAX_APP_BODY_BYTES, MAX_ROUTE } from './constants';
import type { OverlayCounters } from './counters';
import { bytesToHexId, hexIdToBytes, ID_BYTES, idFromHex } from './id';
import type { Message } from './messages';
import { peerBytes, type Peer } from './routing-table/peer';
import type { RoutingTable } from './routing-table/routing-table';
import type { Rpc } from './rpc/rpc';
import type { RecordSigner, RecordVerifier } from './storage/record';

type AppMessage = Extract<Message, { t: 'app' }>;
type AppAck = Extract<Message, { t: 'app-ack' }>;

/** How a routed send ended: `hops` is how many links the message crossed. */
export type RouteResult = { outcome: 'delivered'; hops: number } | { outcome: 'unreachable' | 'timeout' };

/** Called with the origin's node ID (proven by its signature) and the body. */
export type RoutedListener = (from: string, body: Uint8Array) => void;

export interface MessageRouterHost {
  readonly self: Peer;
  readonly table: RoutingTable;
  readonly rpc: Rpc;
  readonly clock: Clock;
  readonly counters: OverlayCounters;
  readonly isClosed: boolean;
  /** Lets a simulator wait for signature checks before it moves time on. */
  track<T>(p: Promise<T>): Promise<T>;
  /** Whether a live link to `hex` is up now; false when the transport cannot tell. */
  linkedTo(hex: string): boolean;
}

export interface RouteOptions {
  /** Wait for the acknowledgement this long per attempt. @default APP_ACK_TIMEOUT_MS */
  ackTimeoutMs?: number;
}

const DOMAIN = 'p2p-sip/app-message/1';
/** Message ids remembered per target for de-duplication. */
const SEEN_LIMIT = 4096;

function signingPayload(m: Pick<AppMessage, 'aid' | 'to' | 'from' | 'at' | 'topic' | 'body'>): Uint8Array {
  return canonicalEncode({ d: DOMAIN, aid: m.aid, to: m.to, from: m.from, at: m.at, topic: m.topic, body: m.body });
}

export class MessageRouter {
  private nextId: number;
  private readonly pending = new Map<number, { to: string; done: (r: RouteResult) => void }>();
  private readonly listeners = new Map<string, Set<RoutedListener>>();
  /** Node keys of origins whose messages passed the checks, newest last. */
  private readonly keys = new Map<string, Uint8Array>();
  /** `origin/aid` of messages delivered here recently, oldest first. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly host: MessageRouterHost,
    private readonly verifier: RecordVerifier,
    private readonly signer: RecordSigner | undefined,
    random: () => number,
  ) {
    // A fresh start point, so ids of a reloaded tab do not collide with the ones targets remember.
    this.nextId = Math.floor(random() * 2 ** 40);
  }

  /** Listens for messages on `topic`; returns the remover. */
  on(topic: string, fn: RoutedListener): () => void {
    const set = this.listeners.get(topic) ?? new Set();
    set.add(fn);
    this.listeners.set(topic, set);
    return () => set.delete(fn);
  }

  /** Sends `body` to node `to` across the ring; resolves when acknowledged, or why not. */
  async send(to: string, topic: string, body: Uint8Array, opts: RouteOptions = {}): Promise<RouteResult> {
    if (!this.signer) throw new Error('this node has no key to sign messages with');
    if (body.length > MAX_APP_BODY_BYTES) throw new RangeError(`a routed message can carry at most ${MAX_APP_BODY_BYTES} bytes`);
    if (to === this.host.self.hex) {
      queueMicrotask(() => this.deliver(to, topic, body));
      return { outcome: 'delivered', hops: 0 };
    }
    const unsigned = { aid: this.nextId++, to: hexIdToBytes(to), from: peerBytes(this.host.self), at: this.host.clock.now(), topic, body };
    const msg: AppMessage = { t: 'app', ...unsigned, spki: this.signer.spki, hops: 0, sig: await this.host.track(this.signer.sign(signingPayload(unsigned))) };
    const timeout = opts.ackTimeoutMs ?? APP_ACK_TIMEOUT_MS;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (this.host.isClosed) return { outcome: 'unreachable' };
      const r = await new Promise<RouteResult>((resolve) => {
        const timer = this.host.clock.setTimeout(() => {
          this.pending.delete(msg.aid);
          resolve({ outcome: 'timeout' });
        }, timeout);
        this.pending.set(msg.aid, {
          to,
          done: (result) => {
            this.host.clock.clearTimeout(timer);
            this.pending.delete(msg.aid);
            resolve(result);
          },
        });
        if (!this.forward(msg)) this.pending.get(msg.aid)?.done({ outcome: 'unreachable' });
      });
      if (r.outcome !== 'timeout') return r;
    }
    return { outcome: 'timeout' };
  }

  /** A routed message arrived (from any neighbour: the origin's signature, not the link, says who sent it). Never throws. */
  handle(msg: AppMessage | AppAck): void {
    const target = bytesToHexId(msg.to);
    if (target !== this.host.self.hex) return this.relay(msg);
    if (msg.t === 'app-ack') {
      const p = this.pending.get(msg.aid);
      // via 0: a relay found no way on (the target has left the ring, as far as it knows).
      if (p && p.to === bytesToHexId(msg.from)) p.done(msg.via === 0 ? { outcome: 'unreachable' } : { outcome: 'delivered', hops: msg.via });
      else this.host.counters.countBad('app-unexpected-ack');
      return;
    }
    void this.accept(msg).catch(() => this.host.counters.countBad('app-check-failed'));
  }

  /** The node key of `nodeId`, when a message signed by it has arrived here lately. */
  spkiOf(nodeId: string): Uint8Array | null {
    return this.keys.get(nodeId) ?? null;
  }

  /** Fails the sends still waiting (the node is closing). */
  close(): void {
    for (const p of [...this.pending.values()]) p.done({ outcome: 'unreachable' });
  }

  private relay(msg: AppMessage | AppAck): void {
    if (msg.hops + 1 >= MAX_ROUTE) return this.host.counters.countBad('app-too-many-hops');
    this.host.counters.relayed++;
    if (this.forward({ ...msg, hops: msg.hops + 1 })) return;
    this.host.counters.countBad('app-unroutable');
    // Tell the origin now rather than let it wait out its timeout.
    if (msg.t === 'app') this.forward({ t: 'app-ack', aid: msg.aid, to: msg.from, from: msg.to, hops: 0, via: 0 });
  }

  /**
   * Hands a message one step on, the way Chord routes to a key: straight to
   * the target when it is this node's successor or predecessor, else to the
   * known node closest before the target's ID, so the target's predecessor
   * makes the last hop; straight to the target only when no known node lies
   * between. False when there is no way on (the target is not on the ring
   * as far as this node knows).
   */
  private forward(msg: AppMessage | AppAck): boolean {
    const { table, clock, self, rpc } = this.host;
    const target = bytesToHexId(msg.to);
    const now = clock.now();
    if (target === self.hex) return false;
    // The last hop is tried even to a node suspected of late (a reloaded tab is back within seconds):
    // suspicion only steers the choice of relays.
    const neighbour = table.successors.first().hex === target || table.predecessor?.hex === target;
    const next = neighbour ? undefined : table.closestPreceding(idFromHex(target), 1, (hex) => hex === target || hex === self.hex || table.isSuspect(hex, now))[0];
    if (next) {
      rpc.send(next.hex, msg);
      return true;
    }
    // A live link to the target is a way on even when the table has lost it: a tab that comes back
    // after hanging is linked again before stabilize has put it (or its neighbours) back in the table.
    if (neighbour || table.known().some((p) => p.hex === target) || this.host.linkedTo(target)) {
      rpc.send(target, msg);
      return true;
    }
    return false;
  }

  private async accept(msg: AppMessage): Promise<void> {
    const origin = bytesToHexId(msg.from);
    const key = `${origin}/${msg.aid}`;
    if (this.seen.has(key)) return this.ack(msg);
    const now = this.host.clock.now();
    // The same tolerated skew as every other time exchanged between machines (identity/clock-skew.ts).
    if (!withinClockSkew(msg.at, now)) return this.host.counters.countBad('app-stale');
    const idOfKey = (await this.host.track(this.verifier.digest(msg.spki))).subarray(0, ID_BYTES);
    if (compareBytes(idOfKey, msg.from) !== 0) return this.host.counters.countBad('app-wrong-key');
    if (!(await this.host.track(this.verifier.verify(msg.spki, signingPayload(msg), msg.sig)))) return this.host.counters.countBad('app-bad-signature');
    if (this.host.isClosed || this.seen.has(key)) return;
    this.seen.set(key, now);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.keys().next().value!);
    this.keys.delete(origin);
    this.keys.set(origin, msg.spki);
    if (this.keys.size > SEEN_LIMIT) this.keys.delete(this.keys.keys().next().value!);
    this.ack(msg);
    this.deliver(origin, msg.topic, msg.body);
  }

  private ack(msg: AppMessage): void {
    this.forward({ t: 'app-ack', aid: msg.aid, to: msg.from, from: peerBytes(this.host.self), hops: 0, via: msg.hops + 1 });
  }

  private deliver(from: string, topic: string, body: Uint8Array): void {
    const set = this.listeners.get(topic);
    if (!set || set.size === 0) return this.host.counters.countBad('app-no-listener');
    for (const fn of [...set]) {
      try {
        fn(from, body);
      } catch {
        this.host.counters.countBad('app-listener-threw');
      }
    }
  }
}
