/**
 * Request-response over the Transport: ids, one timeout per request, and
 * replies accepted only from the node that was asked. Callback-based rather
 * than Promise-based so that thousands of simulated nodes run without
 * microtask churn and in a fixed order.
 *
 * Timeouts adapt to measured round trips (TCP's RTO: smoothed RTT plus four
 * deviations, per peer, and node-wide for peers not yet measured), capped by
 * the caller's timeout. Under churn the time to notice a dead neighbour is
 * the time lookups are sent to it (Rhea et al., "Handling churn in a DHT"):
 * a fixed 1.5 s where round trips take 0.1 s kept stale successors around
 * ten times longer than needed. Only a request over a link that is up is
 * timed and measured so: one that waits for a link to be made, or crosses
 * the ring as a routed message (tunnel.ts), takes far longer than a link's
 * round trip without the peer being slow, and gets the caller's timeout.
 *
 * Replies are typed: the reply handed to a request's callback is the type
 * that answers it (REPLY_OF), an error reply, or a `BadReply` when the peer
 * answered with a malformed message or one of the wrong type, so a caller
 * never casts what a peer sent (DESIGN.md, Bad input).
 */
import { type Clock } from '../../common';
import type { OverlayCounters } from '../counters';
import { encodeMessage, REPLY_OF, type Message, type ReplyTo, type RequestType } from '../messages';
import type { Transport } from '../transport';
import { ROUTING_TYPES } from './tunnel';

/** A request message without its id; the RPC layer assigns one. */
export type Request = Message extends infer M ? (M extends { id: number; t: RequestType } ? Omit<M, 'id'> : never) : never;

/** The peer's error reply (it refused the request, with its reason). */
export type ErrorReply = Extract<Message, { t: 'error' }>;

/**
 * A reply this node refused as bad input from the peer: malformed (it failed
 * the message validators) or of a type that does not answer the request.
 * Local only: never sent, not part of the wire's Message union.
 */
export interface BadReply {
  readonly t: 'bad-reply';
  /** What was wrong, e.g. "malformed stored" or "pong does not answer store". */
  readonly reason: string;
}

/** What a request of type `T` may get back from its peer. */
export type Answer<T extends RequestType> = ReplyTo<T> | ErrorReply | BadReply;

/** Whether an answer is the reply proper: not a timeout, not the peer's error, not a bad reply. */
export function isReply<T extends RequestType>(answer: Answer<T> | null): answer is ReplyTo<T> {
  const t = (answer as { t: string } | null)?.t;
  return t !== undefined && t !== 'error' && t !== 'bad-reply';
}

/** Called once: with the answer, or with null on timeout, a lost link or close. */
export type ReplyHandler<T extends RequestType = RequestType> = (reply: Answer<T> | null) => void;

interface Pending {
  to: string;
  /** The request's type, to check that the reply answers it. */
  asked: RequestType;
  done: (reply: Answer<RequestType> | null) => void;
  /** Its timeout; null for the moment between registering the request and sending it. */
  timer: unknown;
  /** Send time of a routing request (its round trip is measured), else -1. */
  sentAt: number;
}

/** Smoothed round trip and its mean deviation, in ms. */
interface RttEstimate {
  srtt: number;
  rttvar: number;
}

/** Sends an encoded message to a node with no link another way (rpc/tunnel.ts); false when it did not take it. */
export type RpcTunnel = (to: string, bytes: Uint8Array) => boolean;

/**
 * How a message left: over a link that is up, over one being made (the
 * transport opens it and the message waits), through the tunnel, or not at
 * all (this RPC layer is closed, or the message could not be encoded).
 */
type Way = 'linked' | 'linking' | 'tunnel' | 'none';

/** No timeout shorter than this, whatever the measurements: a busy event loop must not look like a dead peer. */
export const MIN_RTO_MS = 400;
/**
 * Requests that are answered at once from memory, so their round trip is the
 * network's: only they are timed adaptively and measured. Storage requests
 * wait for signature checks and disk writes and keep the caller's timeout.
 */
const ROUTING_REQUESTS: ReadonlySet<string> = new Set(['ping', 'neighbors', 'find']);
/** Peers whose round trips are remembered (oldest forgotten first). */
const RTT_PEERS = 512;

export class Rpc {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private readonly rtt = new Map<string, RttEstimate>();
  private overall: RttEstimate | null = null;
  private tunnel: RpcTunnel | null = null;
  /** Off: every message goes over a link, opened when needed (the behaviour before issue 16; benchmarks compare). */
  tunnelling = true;
  private tunneledTypes: ReadonlySet<string> = new Set();

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly counters: OverlayCounters,
  ) {}

  /** Encodes and sends one message, counting it. */
  send(to: string, msg: Message): void {
    this.dispatch(to, msg);
  }

  private dispatch(to: string, msg: Message): Way {
    if (this.closed) return 'none';
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(msg);
    } catch {
      this.counters.countBad('unencodable-outgoing');
      return 'none';
    }
    this.counters.countSent(msg.t, bytes.length);
    const linked = this.transport.isLinked?.(to) ?? true;
    // No link to the target: storage and routing traffic goes across the ring rather than wait for one (see setTunnel).
    if (!linked && this.tunneledTypes.has(msg.t)) {
      if (this.tunnel && this.tunnelling && this.tunnel(to, bytes)) return 'tunnel';
      if (ROUTING_TYPES.has(msg.t)) this.counters.routingToUnlinked++;
      else this.counters.storageToUnlinked++;
    }
    this.transport.send(to, bytes);
    return linked ? 'linked' : 'linking';
  }

  /** Messages of `types` to a node with no live link go through `tunnel` (when it takes them) instead of opening a link. */
  setTunnel(tunnel: RpcTunnel, types: ReadonlySet<string>): void {
    this.tunnel = tunnel;
    this.tunneledTypes = types;
  }

  /** False when the transport knows it has no live link to `peer` (see Transport.isLinked); true when linked or it cannot tell. */
  isLinked(peer: string): boolean {
    return this.transport.isLinked?.(peer) ?? true;
  }

  /** Whether the transport tells linked nodes from others (real links do; the simulator's sends are all direct). */
  get knowsLinks(): boolean {
    return this.transport.isLinked !== undefined;
  }

  /** How long to wait for `peer`: its RTO, or the node-wide one for a peer not measured yet; at most `cap`. */
  timeoutFor(peer: string, cap: number): number {
    const e = this.rtt.get(peer) ?? this.overall;
    if (!e) return cap;
    return Math.min(cap, Math.max(MIN_RTO_MS, Math.ceil(e.srtt + 4 * e.rttvar)));
  }

  private measured(peer: string, sample: number): void {
    this.overall = update(this.overall, sample);
    const next = update(this.rtt.get(peer) ?? null, sample);
    this.rtt.delete(peer);
    this.rtt.set(peer, next);
    if (this.rtt.size > RTT_PEERS) this.rtt.delete(this.rtt.keys().next().value!);
  }

  /**
   * Sends a request; `done` gets the typed answer (see Answer), or null after
   * the peer's RTO (at most `timeoutMs`; exactly `timeoutMs` when the request
   * did not go over a link that was up), when its link goes down, or on close.
   */
  request<R extends Request>(to: string, req: R, timeoutMs: number, done: ReplyHandler<R['t']>): void {
    if (this.closed) {
      done(null);
      return;
    }
    const id = this.nextId++;
    const pending: Pending = { to, asked: req.t, done: done as Pending['done'], timer: null, sentAt: -1 };
    this.pending.set(id, pending);
    const way = this.dispatch(to, { ...req, id } as Message);
    // Answered or failed while being sent (a transport may call back at once): no timer to set.
    if (this.pending.get(id) !== pending) return;
    // A routing request over a link that is up is timed by the link's round trip, and measures it.
    const direct = way === 'linked' && ROUTING_REQUESTS.has(req.t);
    if (direct) pending.sentAt = this.clock.now();
    pending.timer = this.clock.setTimeout(
      () => {
        if (!this.pending.delete(id)) return;
        this.counters.timeouts++;
        done(null);
      },
      direct ? this.timeoutFor(to, timeoutMs) : timeoutMs,
    );
  }

  /** Fails every request waiting on `peer` at once (its link went down). */
  failPeer(peer: string): void {
    for (const [id, p] of this.pending) {
      if (p.to !== peer) continue;
      this.pending.delete(id);
      if (p.timer !== null) this.clock.clearTimeout(p.timer);
      p.done(null);
    }
  }

  /**
   * Hands a reply to its request; false when nothing waits for it from this
   * sender. A reply of a type that does not answer the request reaches it as
   * a BadReply (and is counted as bad input).
   */
  deliverReply(from: string, msg: Message & { id: number }): boolean {
    const p = this.take(from, msg.id);
    if (!p) return false;
    if (msg.t !== 'error' && msg.t !== REPLY_OF[p.asked]) {
      this.counters.countBad('wrong-reply-type');
      p.done({ t: 'bad-reply', reason: `${msg.t} does not answer ${p.asked}` });
      return true;
    }
    if (p.sentAt >= 0 && msg.t !== 'error') this.measured(from, this.clock.now() - p.sentAt);
    p.done(msg as Answer<RequestType>);
    return true;
  }

  /** A reply from `from` to request `id` failed the message validators: that request fails now, with why. */
  refuseReply(from: string, id: number, refused: string): void {
    this.take(from, id)?.done({ t: 'bad-reply', reason: refused });
  }

  private take(from: string, id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p || p.to !== from) return undefined;
    this.pending.delete(id);
    if (p.timer !== null) this.clock.clearTimeout(p.timer);
    return p;
  }

  close(): void {
    this.closed = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (p.timer !== null) this.clock.clearTimeout(p.timer);
      p.done(null);
    }
  }
}

/** RFC 6298's estimator: gains 1/8 and 1/4; the first sample sets the mean and half of it as deviation. */
function update(e: RttEstimate | null, sample: number): RttEstimate {
  if (!e) return { srtt: sample, rttvar: sample / 2 };
  const rttvar = 0.75 * e.rttvar + 0.25 * Math.abs(e.srtt - sample);
  return { srtt: 0.875 * e.srtt + 0.125 * sample, rttvar };
}
