/**
 * Routed application messages (what SIP over the overlay rides on): a message
 * signed by its origin node crosses the ring hop by hop, each relay handing
 * it to the known node closest before the target's ID, until a node that
 * knows the target sends it there. Relays keep no state; the message carries
 * all a relay needs. The target acknowledges by a routed `app-ack`, and the
 * origin resends once (the target keeps recent message ids so a resend is
 * acknowledged but not delivered twice).
 *
 * End-to-end encryption for the target node (issue 17; ECIES as in SEC 1
 * §5.1 and RFC 9180's DHKEM, from WebCrypto: ECDH P-256, HKDF-SHA-256,
 * AES-256-GCM; message-sealing.ts has the format, agreement-keys.ts the keys):
 * - Keys. Each node has an ECDH P-256 *agreement key* beside its ECDSA node
 *   key; the node key signs `{ node ID, agreement key }`, so the binding is
 *   checked against the key whose hash is the node ID and no relay can put
 *   its own key in. A tab keeps it in IndexedDB next to its node key (the
 *   peer layer passes it in as `agreementKey`); a node given none makes one
 *   per run.
 * - How a sender learns it. Usually from the lookup that found the target:
 *   a node publishes its signed agreement key (`ownAgreementKey`) in its SIP
 *   contact records, and the location service hands the keys it reads to
 *   `learnAgreementKey`, which checks them like any other (the node key's
 *   hash is the node ID, its signature binds the key) and keeps a key the
 *   node itself gave over one read from a record. So a call to a registered
 *   node sends no ask. A node whose key is still unknown (no registration, or
 *   a key that failed the check) is first sent a routed `agreement-ask`,
 *   answered by the target's signed `agreement-key`: one extra trip across
 *   the ring per pair of nodes per run. The first sealed messages of
 *   a conversation carry the sender's own binding inside the box, so the
 *   target answers (SIP responses) without asking back. A target that cannot
 *   open a box (its key changed: a new tab in the slot) refuses it with
 *   `undecryptable`; the sender forgets the key, asks again and resends once.
 * - Forward secrecy per conversation. A sender makes a fresh ephemeral key
 *   per target and keeps it CONVERSATION_KEY_MS (ephemeral-static, as
 *   ECIES): once that key is dropped, neither side's stored keys open what
 *   the sender sent. What was sent *to* a node stays open to whoever later
 *   steals that node's agreement key; rotating agreement keys would close
 *   that, and is not done here.
 * - What relays see: origin and target node IDs, the origin's node key (which
 *   its ID is the hash of), a message id, a time, the conversation's
 *   ephemeral public key, the hop count and a signature, and a body padded to
 *   a bucket of ROUTED_PAD_BUCKETS (1, 4, 16, 64 or 68 KiB) plus 28 bytes.
 *   The topic (`sip`), the SIP text, names, Call-IDs and SDP are inside.
 * - Checks. The target checks the time against the tolerated skew, that the
 *   key's hash is the origin's ID and the origin's signature over everything
 *   a relay sees but the hop count; then it decrypts (AES-GCM also
 *   authenticates the header, so a box moved to another envelope fails) and
 *   checks that the id, both ends and the time inside are the envelope's.
 *   A body altered by one byte fails the signature (`app-bad-signature`); a
 *   box sealed for another node fails to open (`app-undecryptable`); a
 *   message already delivered is acknowledged again, never delivered twice,
 *   and counted (`app-replayed`). Each refusal is counted and answered with
 *   an `app-ack` that names it, so the origin learns at once.
 * - No silent downgrade. A plaintext `app` message (a tab from before this
 *   change) is refused and counted as `app-not-encrypted`, and answered with
 *   `refused: 'not-encrypted'` (an old sender reads it as unreachable); this
 *   node never sends one.
 */
import { compareBytes, withinClockSkew } from '../identity';
import { SerialQueue, type Clock } from '../common';
import { AgreementKeys, type Conversation } from './agreement-keys';
import { APP_ACK_TIMEOUT_MS, MAX_APP_BODY_BYTES, MAX_ROUTE } from './constants';
import type { OverlayCounters } from './counters';
import { bytesToHexId, hexIdToBytes, ID_BYTES, idFromHex, isHexId } from './id';
import { envelopeSigningPayload, isSignedAgreementKey, openInner, sealInner, type SealedAppMessage, type SignedAgreementKey } from './message-sealing';
import type { Message } from './messages';
import { peerBytes, type Peer } from './routing-table/peer';
import type { RoutingTable } from './routing-table/routing-table';
import type { Rpc } from './rpc/rpc';
import type { RecordSigner, RecordVerifier } from './storage/record';

type AppAck = Extract<Message, { t: 'app-ack' }>;
type AgreementAsk = Extract<Message, { t: 'agreement-ask' }>;
type AgreementKeyMessage = Extract<Message, { t: 'agreement-key' }>;
/** Every message routed to a node ID rather than sent to a neighbour. */
export type RoutedWireMessage = Extract<Message, { t: 'app' | 'app-sealed' | 'app-ack' | 'agreement-ask' | 'agreement-key' }>;

/**
 * How a routed send ended: `hops` is how many links the message crossed;
 * `refused` names why the target would not take it (`undecryptable`,
 * `bad-binding`, ...) or that nobody gave the target's agreement key.
 */
export type RouteResult =
  | { outcome: 'delivered'; hops: number }
  | { outcome: 'unreachable' | 'timeout' }
  | { outcome: 'refused'; reason: string };

/** Called with the origin's node ID (proven by its signature) and the decrypted body. */
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

/** Message ids remembered per target for de-duplication. */
const SEEN_LIMIT = 4096;

type AskOutcome = 'known' | 'unreachable' | 'timeout';

export class MessageRouter {
  private nextId: number;
  private readonly pending = new Map<number, { to: string; done: (r: RouteResult) => void }>();
  private readonly asks = new Map<number, { to: string; done: (r: AskOutcome) => void }>();
  /** One ask per target at a time. */
  private readonly asking = new Map<string, Promise<AskOutcome>>();
  private readonly listeners = new Map<string, Set<RoutedListener>>();
  /** Node keys of origins whose messages passed the checks, newest last. */
  private readonly keys = new Map<string, Uint8Array>();
  /** `origin/aid` of messages delivered here recently, oldest first. */
  private readonly seen = new Map<string, number>();
  private readonly agreement: AgreementKeys | null;
  /** Per target: sealing in send order. Per origin: opening in arrival order. */
  private readonly sending = new Map<string, { queue: SerialQueue; waiting: number }>();
  private readonly opening = new Map<string, { queue: SerialQueue; waiting: number }>();

  constructor(
    private readonly host: MessageRouterHost,
    private readonly verifier: RecordVerifier,
    private readonly signer: RecordSigner | undefined,
    random: () => number,
    /** This node's persisted agreement key pair (ECDH P-256); none: one is made for this run. */
    agreementKey?: CryptoKeyPair,
  ) {
    // A fresh start point, so ids of a reloaded tab do not collide with the ones targets remember.
    this.nextId = Math.floor(random() * 2 ** 40);
    this.agreement = signer ? new AgreementKeys(peerBytes(host.self), signer, verifier, host.clock, agreementKey) : null;
  }

  /** Listens for messages on `topic`; returns the remover. */
  on(topic: string, fn: RoutedListener): () => void {
    const set = this.listeners.get(topic) ?? new Set();
    set.add(fn);
    this.listeners.set(topic, set);
    return () => set.delete(fn);
  }

  /**
   * Sends `body` to node `to` across the ring, encrypted for it; resolves
   * when acknowledged, or why not. Throws when this node has no node key, or
   * RangeError when the body is over MAX_APP_BODY_BYTES.
   */
  async send(to: string, topic: string, body: Uint8Array, opts: RouteOptions = {}): Promise<RouteResult> {
    if (!this.signer || !this.agreement) throw new Error('this node has no key to sign messages with');
    if (body.length > MAX_APP_BODY_BYTES) throw new RangeError(`a routed message can carry at most ${MAX_APP_BODY_BYTES} bytes`);
    if (to === this.host.self.hex) {
      queueMicrotask(() => this.deliver(to, topic, body));
      return { outcome: 'delivered', hops: 0 };
    }
    const timeout = opts.ackTimeoutMs ?? APP_ACK_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      if (!this.agreement.peerKey(to)) {
        const asked = await this.askKey(to, timeout);
        if (asked !== 'known') return { outcome: asked };
      }
      const r = await this.sendSealed(to, topic, body, timeout);
      // The target's key changed since this node learnt it: learn it again and resend, once.
      if (r.outcome === 'refused' && r.reason === 'undecryptable' && attempt === 0) {
        this.agreement.forget(to);
        continue;
      }
      return r;
    }
  }

  private async sendSealed(to: string, topic: string, body: Uint8Array, timeout: number): Promise<RouteResult> {
    const agreement = this.agreement!;
    // Sealing takes real time (WebCrypto), and messages to one node must leave in the order they were sent.
    const first = await this.serially(this.sending, to, async () => {
      const toBytes = hexIdToBytes(to);
      let conversation: Conversation;
      try {
        conversation = await this.host.track(agreement.conversationTo(to, toBytes));
      } catch {
        return null;
      }
      const header = { aid: this.nextId++, to: toBytes, from: peerBytes(this.host.self), at: this.host.clock.now() };
      const bind = conversation.confirmed ? undefined : await this.host.track(agreement.ownBinding());
      const box = await this.host.track(sealInner(conversation.key, { ...header, topic, body, ...(bind ? { bind } : {}) }, conversation.eph));
      const unsigned = { ...header, eph: conversation.eph, box };
      const sig = await this.host.track(this.signer!.sign(envelopeSigningPayload(unsigned)));
      const msg: SealedAppMessage = { t: 'app-sealed', ...unsigned, spki: this.signer!.spki, hops: 0, sig };
      return { msg, conversation, result: this.attempt(msg, timeout) };
    });
    if (!first) return { outcome: 'refused', reason: 'bad-agreement-key' };
    let r = await first.result;
    // One resend, the same message: the target acknowledges it again without delivering it twice.
    if (r.outcome === 'timeout' && !this.host.isClosed) r = await this.attempt(first.msg, timeout);
    if (r.outcome === 'delivered') first.conversation.confirmed = true;
    return r;
  }

  /** Runs `op` after the ones queued under `key` before it (a FIFO per node). */
  private serially<T>(queues: Map<string, { queue: SerialQueue; waiting: number }>, key: string, op: () => Promise<T>): Promise<T> {
    const q = queues.get(key) ?? { queue: new SerialQueue(), waiting: 0 };
    queues.set(key, q);
    q.waiting++;
    return q.queue.run(op).finally(() => {
      if (--q.waiting === 0) queues.delete(key);
    });
  }

  /** Sends `msg` once and waits up to `timeout` for its acknowledgement. */
  private attempt(msg: SealedAppMessage, timeout: number): Promise<RouteResult> {
    if (this.host.isClosed) return Promise.resolve({ outcome: 'unreachable' });
    const to = bytesToHexId(msg.to);
    return new Promise<RouteResult>((resolve) => {
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
  }

  /** Asks node `to` for its agreement key (routed), once more after `timeout`. */
  private askKey(to: string, timeout: number): Promise<AskOutcome> {
    let p = this.asking.get(to);
    if (p) return p;
    p = (async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        if (this.host.isClosed) return 'unreachable';
        const ask: AgreementAsk = { t: 'agreement-ask', aid: this.nextId++, to: hexIdToBytes(to), from: peerBytes(this.host.self), hops: 0 };
        const r = await new Promise<AskOutcome>((resolve) => {
          const timer = this.host.clock.setTimeout(() => {
            this.asks.delete(ask.aid);
            resolve('timeout');
          }, timeout);
          this.asks.set(ask.aid, {
            to,
            done: (result) => {
              this.host.clock.clearTimeout(timer);
              this.asks.delete(ask.aid);
              resolve(result);
            },
          });
          if (!this.forward(ask)) this.asks.get(ask.aid)?.done('unreachable');
        });
        if (r !== 'timeout') return r;
      }
      return 'timeout';
    })().finally(() => this.asking.delete(to));
    this.asking.set(to, p);
    return p;
  }

  /** A routed message arrived (from any neighbour: the origin's signature, not the link, says who sent it). Never throws. */
  handle(msg: RoutedWireMessage): void {
    const target = bytesToHexId(msg.to);
    if (target !== this.host.self.hex) return this.relay(msg);
    switch (msg.t) {
      case 'app-ack':
        return this.acknowledged(msg);
      case 'app':
        // A tab that does not encrypt: refused, never delivered (no silent downgrade).
        this.host.counters.countBad('app-not-encrypted');
        return this.refuse(msg, 'not-encrypted');
      case 'agreement-ask':
        return void this.answerAsk(msg).catch(() => this.host.counters.countBad('agreement-check-failed'));
      case 'agreement-key':
        return void this.takeKey(msg).catch(() => this.host.counters.countBad('agreement-check-failed'));
      case 'app-sealed':
        // Opening takes real time (WebCrypto): one origin's messages are delivered in the order they came.
        return void this.host.track(this.serially(this.opening, bytesToHexId(msg.from), () => this.accept(msg))).catch(() => this.host.counters.countBad('app-check-failed'));
    }
  }

  /** This node's agreement key, bound to its node ID by its node key, for others to send to it without asking. Throws when this node has no node key. */
  async ownAgreementKey(): Promise<SignedAgreementKey> {
    if (!this.signer || !this.agreement) throw new Error('this node has no key to sign messages with');
    const { key, sig } = await this.host.track(this.agreement.ownBinding());
    return { spki: this.signer.spki, key, sig };
  }

  /**
   * Takes node `nodeId`'s agreement key from somewhere other than the node
   * (its SIP contact record), so the next message to it needs no
   * agreement-ask. Checked like a key the node sent (its hash and signature);
   * a key the node gave itself is kept over it. Resolves false, and counts
   * `agreement-record-bad-binding`, when the key is not that node's; never throws.
   */
  async learnAgreementKey(nodeId: string, k: SignedAgreementKey): Promise<boolean> {
    if (!this.agreement || !isHexId(nodeId) || nodeId === this.host.self.hex || !isSignedAgreementKey(k)) return false;
    const ok = await this.host.track(this.agreement.learn(hexIdToBytes(nodeId), k.spki, { key: k.key, sig: k.sig }, { replace: false }));
    if (!ok) this.host.counters.countBad('agreement-record-bad-binding');
    return ok;
  }

  /** The node key of `nodeId`, when a message signed by it has arrived here lately. */
  spkiOf(nodeId: string): Uint8Array | null {
    return this.keys.get(nodeId) ?? null;
  }

  /** Fails the sends still waiting (the node is closing). */
  close(): void {
    for (const p of [...this.pending.values()]) p.done({ outcome: 'unreachable' });
    for (const p of [...this.asks.values()]) p.done('unreachable');
  }

  private acknowledged(msg: AppAck): void {
    const p = this.pending.get(msg.aid);
    const from = bytesToHexId(msg.from);
    if (p && p.to === from) {
      if (msg.refusal !== undefined) return p.done({ outcome: 'refused', reason: msg.refusal });
      // via 0: a relay found no way on (the target has left the ring, as far as it knows).
      return p.done(msg.via === 0 ? { outcome: 'unreachable' } : { outcome: 'delivered', hops: msg.via });
    }
    const ask = this.asks.get(msg.aid);
    if (ask && ask.to === from && msg.via === 0) return ask.done('unreachable');
    this.host.counters.countBad('app-unexpected-ack');
  }

  private relay(msg: RoutedWireMessage): void {
    if (msg.hops + 1 >= MAX_ROUTE) return this.host.counters.countBad('app-too-many-hops');
    this.host.counters.relayed++;
    if (this.forward({ ...msg, hops: msg.hops + 1 })) return;
    this.host.counters.countBad('app-unroutable');
    // Tell the origin now rather than let it wait out its timeout.
    if (msg.t === 'app' || msg.t === 'app-sealed' || msg.t === 'agreement-ask') {
      this.forward({ t: 'app-ack', aid: msg.aid, to: msg.from, from: msg.to, hops: 0, via: 0 });
    }
  }

  /**
   * Hands a message one step on, the way Chord routes to a key: straight to
   * the target when it is this node's successor or predecessor, else to the
   * known node closest before the target's ID, so the target's predecessor
   * makes the last hop; straight to the target only when no known node lies
   * between. Relays with a live link are preferred, and a neighbour this node
   * has no link to is reached through the linked successor beyond it, so a
   * routed message does not wait for a link to be opened (RELOAD routes
   * Attach requests the same way, over connections that exist). False when
   * there is no way on (the target is not on the ring as far as this node knows).
   */
  private forward(msg: RoutedWireMessage): boolean {
    const { table, clock, self, rpc } = this.host;
    const target = bytesToHexId(msg.to);
    const now = clock.now();
    if (target === self.hex) return false;
    const neighbour = this.isNeighbour(target);
    if (neighbour && rpc.isLinked(target)) {
      rpc.send(target, msg);
      return true;
    }
    // The last hop is tried even to a node suspected of late (a reloaded tab is back within seconds):
    // suspicion only steers the choice of relays.
    const relay = (linkedOnly: boolean): Peer | undefined => this.relayFor(target, now, linkedOnly);
    // Over links that are up: a send to a node with none would first open a WebRTC link, which needs
    // signaling, which (attach.ts) may be this very message. Only nodes closer to the target qualify.
    // For a neighbour with no link that is this node's predecessor, they lie the long way round the
    // ring; a message that starts here takes it (its successor side, below, would come back here),
    // one passing through goes straight to the neighbour as before, so a dead one cannot loop it.
    const linkedRelay = neighbour && msg.hops > 0 ? undefined : relay(true);
    if (linkedRelay) {
      rpc.send(linkedRelay.hex, msg);
      return true;
    }
    // A live link to the target is a way on even when the table has lost it: a tab that comes back
    // after hanging is linked again before stabilize has put it (or its neighbours) back in the table.
    if (this.host.linkedTo(target)) {
      rpc.send(target, msg);
      return true;
    }
    // The target is a neighbour this node has no link to (yet): a linked successor beyond it knows it as its predecessor.
    const beyond = neighbour && rpc.knowsLinks ? this.linkedSuccessorBeyond(target) : undefined;
    if (beyond) {
      rpc.send(beyond.hex, msg);
      return true;
    }
    const next = neighbour ? undefined : relay(false);
    if (next) {
      rpc.send(next.hex, msg);
      return true;
    }
    if (neighbour || table.known().some((p) => p.hex === target)) {
      rpc.send(target, msg);
      return true;
    }
    return false;
  }

  /**
   * Whether a message that starts here for `target` (a node with no link
   * from here) would leave over a link that is up now: a linked relay
   * closer to it, or, for a neighbour, a linked successor beyond it. A node
   * alone in its ring, or linked only to nodes past the target, has no such
   * way: what it sends must open a link instead (a join's first `find` to
   * its bootstrap node, a tab that comes back after hanging). True when
   * the transport cannot tell links (the simulator).
   */
  reachesOverLinks(target: string): boolean {
    const { clock, self, rpc } = this.host;
    if (!rpc.knowsLinks || rpc.isLinked(target)) return true;
    if (target === self.hex) return false;
    if (this.relayFor(target, clock.now(), true)) return true;
    return this.isNeighbour(target) && this.linkedSuccessorBeyond(target) !== undefined;
  }

  /** Whether `target` is this node's first successor or its predecessor. */
  private isNeighbour(target: string): boolean {
    const { table } = this.host;
    return table.successors.first().hex === target || table.predecessor?.hex === target;
  }

  /** The known node closest before `target` to hand a message to (not the target, this node or a suspect), optionally only one with a live link. */
  private relayFor(target: string, now: number, linkedOnly: boolean): Peer | undefined {
    const { table, self, rpc } = this.host;
    return table.closestPreceding(idFromHex(target), 1, (hex) => hex === target || hex === self.hex || table.isSuspect(hex, now) || (linkedOnly && !rpc.isLinked(hex)))[0];
  }

  /** The first successor after `target` in this node's list that it has a live link to. */
  private linkedSuccessorBeyond(target: string): Peer | undefined {
    const list = this.host.table.successors.entries();
    const at = list.findIndex((p) => p.hex === target);
    if (at < 0) return undefined;
    return list.slice(at + 1).find((p) => this.host.rpc.isLinked(p.hex) && !this.host.table.isSuspect(p.hex, this.host.clock.now()));
  }

  private async answerAsk(msg: AgreementAsk): Promise<void> {
    if (!this.signer || !this.agreement) return this.host.counters.countBad('agreement-no-key');
    const { key, sig } = await this.host.track(this.agreement.ownBinding());
    this.forward({ t: 'agreement-key', aid: msg.aid, to: msg.from, from: peerBytes(this.host.self), hops: 0, spki: this.signer.spki, key, sig });
  }

  private async takeKey(msg: AgreementKeyMessage): Promise<void> {
    const ask = this.asks.get(msg.aid);
    if (!ask || ask.to !== bytesToHexId(msg.from) || !this.agreement) return this.host.counters.countBad('agreement-unexpected');
    // A forged answer is counted and ignored: the true one may still come.
    if (!(await this.host.track(this.agreement.learn(msg.from, msg.spki, { key: msg.key, sig: msg.sig })))) {
      return this.host.counters.countBad('agreement-bad-binding');
    }
    ask.done('known');
  }

  private async accept(msg: SealedAppMessage): Promise<void> {
    const origin = bytesToHexId(msg.from);
    const key = `${origin}/${msg.aid}`;
    if (this.seen.has(key)) {
      this.host.counters.countBad('app-replayed');
      return this.ack(msg);
    }
    const now = this.host.clock.now();
    // The same tolerated skew as every other time exchanged between machines (identity/clock-skew.ts).
    if (!withinClockSkew(msg.at, now)) return this.host.counters.countBad('app-stale');
    const idOfKey = (await this.host.track(this.verifier.digest(msg.spki))).subarray(0, ID_BYTES);
    if (compareBytes(idOfKey, msg.from) !== 0) return this.host.counters.countBad('app-wrong-key');
    if (!(await this.host.track(this.verifier.verify(msg.spki, envelopeSigningPayload(msg), msg.sig)))) return this.host.counters.countBad('app-bad-signature');
    if (!this.agreement) return this.refuse(msg, 'undecryptable');
    let conversationKey: CryptoKey;
    try {
      conversationKey = await this.host.track(this.agreement.conversationFrom(msg.from, msg.eph));
    } catch {
      return this.refuse(msg, 'undecryptable');
    }
    const inner = await this.host.track(openInner(conversationKey, msg, now));
    if (typeof inner === 'string') return this.refuse(msg, inner);
    if (inner.bind && !(await this.host.track(this.agreement.learn(msg.from, msg.spki, inner.bind)))) return this.refuse(msg, 'bad-binding');
    if (this.host.isClosed) return;
    if (this.seen.has(key)) {
      this.host.counters.countBad('app-replayed');
      return this.ack(msg);
    }
    this.seen.set(key, now);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.keys().next().value!);
    this.keys.delete(origin);
    this.keys.set(origin, msg.spki);
    if (this.keys.size > SEEN_LIMIT) this.keys.delete(this.keys.keys().next().value!);
    this.ack(msg);
    this.deliver(origin, inner.topic, inner.body);
  }

  /** Counts a refused message (`app-` + reason) and tells its origin why. */
  private refuse(msg: SealedAppMessage | Extract<Message, { t: 'app' }>, reason: string): void {
    if (msg.t === 'app-sealed') this.host.counters.countBad(`app-${reason}`);
    // via 0 as well, so a sender from before `refusal` existed reads it as unreachable, not delivered.
    this.forward({ t: 'app-ack', aid: msg.aid, to: msg.from, from: peerBytes(this.host.self), hops: 0, via: 0, refusal: reason });
  }

  private ack(msg: SealedAppMessage): void {
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
