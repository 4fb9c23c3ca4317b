/**
 * Request-response over the Transport: ids, one timeout per request, and
 * replies accepted only from the node that was asked. Callback-based rather
 * than Promise-based so that thousands of simulated nodes run without
 * microtask churn and in a fixed order.
 */
import type { Clock } from '../clock';
import type { OverlayCounters } from '../counters';
import { encodeMessage, type Message } from '../messages';
import type { Transport } from '../transport';

/** Called once: with the reply, or with null on timeout or close. */
export type ReplyHandler = (reply: Message | null) => void;

/** A request message without its id; the RPC layer assigns one. */
export type Request = Message extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

interface Pending {
  to: string;
  done: ReplyHandler;
  timer: unknown;
}

export class Rpc {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly counters: OverlayCounters,
  ) {}

  /** Encodes and sends one message, counting it. */
  send(to: string, msg: Message): void {
    if (this.closed) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(msg);
    } catch {
      this.counters.countBad('unencodable-outgoing');
      return;
    }
    this.counters.countSent(msg.t, bytes.length);
    this.transport.send(to, bytes);
  }

  /** Sends a request; `done` gets the reply, or null after `timeoutMs`. */
  request(to: string, req: Request, timeoutMs: number, done: ReplyHandler): void {
    if (this.closed) {
      done(null);
      return;
    }
    const id = this.nextId++;
    const timer = this.clock.setTimeout(() => {
      if (!this.pending.delete(id)) return;
      this.counters.timeouts++;
      done(null);
    }, timeoutMs);
    this.pending.set(id, { to, done, timer });
    this.send(to, { ...req, id } as Message);
  }

  /** Fails every request waiting on `peer` at once (its link went down). */
  failPeer(peer: string): void {
    for (const [id, p] of this.pending) {
      if (p.to !== peer) continue;
      this.pending.delete(id);
      this.clock.clearTimeout(p.timer);
      p.done(null);
    }
  }

  /** Hands a reply to its request; false when nothing waits for it from this sender. */
  deliverReply(from: string, msg: Message & { id: number }): boolean {
    const p = this.pending.get(msg.id);
    if (!p || p.to !== from) return false;
    this.pending.delete(msg.id);
    this.clock.clearTimeout(p.timer);
    p.done(msg);
    return true;
  }

  close(): void {
    this.closed = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      this.clock.clearTimeout(p.timer);
      p.done(null);
    }
  }
}
