/**
 * What the benchmarks report: messages and bytes by type, lookups, hops,
 * retries, timeouts and refused input. One instance may be shared by many
 * simulated nodes to total them cheaply.
 */
export class OverlayCounters {
  readonly sent = new Map<string, number>();
  readonly sentBytes = new Map<string, number>();
  readonly received = new Map<string, number>();
  receivedBytes = 0;
  /** Refused input by reason. */
  readonly bad = new Map<string, number>();
  retries = 0;
  timeouts = 0;
  lookups = 0;
  lookupFailures = 0;
  lookupHops = 0;
  recordsRefused = 0;
  /** Records sent to replicas that a read found behind (read repair). */
  readRepairs = 0;
  /** Routed application messages this node passed on for others. */
  relayed = 0;
  /** Lookup answers this node handed back along a route (the answering node had no link to the origin). */
  answersPassedBack = 0;
  /** Storage and routing requests and replies this node sent as routed messages because it had no link to their target (rpc/tunnel.ts). */
  tunneled = 0;
  /** Tunnelled storage and routing messages that arrived here. */
  tunneledIn = 0;
  /** Storage messages (and error replies) sent over a link this node did not have yet (each opens one or waits for it); the tunnel keeps this at 0. */
  storageToUnlinked = 0;
  /** Routing requests and replies (`find`, `ping`, `neighbors` and theirs) sent over a link this node did not have yet; the tunnel keeps this at 0 once the node is in a ring. */
  routingToUnlinked = 0;

  countSent(type: string, bytes: number): void {
    this.sent.set(type, (this.sent.get(type) ?? 0) + 1);
    this.sentBytes.set(type, (this.sentBytes.get(type) ?? 0) + bytes);
  }

  countReceived(type: string, bytes: number): void {
    this.received.set(type, (this.received.get(type) ?? 0) + 1);
    this.receivedBytes += bytes;
  }

  countBad(reason: string): void {
    this.bad.set(reason, (this.bad.get(reason) ?? 0) + 1);
  }

  totalSent(types?: ReadonlySet<string>): { messages: number; bytes: number } {
    let messages = 0;
    let bytes = 0;
    for (const [t, n] of this.sent) {
      if (types && !types.has(t)) continue;
      messages += n;
      bytes += this.sentBytes.get(t) ?? 0;
    }
    return { messages, bytes };
  }

  totalBad(): number {
    let n = 0;
    for (const v of this.bad.values()) n += v;
    return n;
  }

  /** A plain snapshot for JSON. */
  snapshot(): Record<string, unknown> {
    return {
      sent: Object.fromEntries(this.sent),
      sentBytes: Object.fromEntries(this.sentBytes),
      received: Object.fromEntries(this.received),
      receivedBytes: this.receivedBytes,
      bad: Object.fromEntries(this.bad),
      retries: this.retries,
      timeouts: this.timeouts,
      lookups: this.lookups,
      lookupFailures: this.lookupFailures,
      lookupHops: this.lookupHops,
      recordsRefused: this.recordsRefused,
      readRepairs: this.readRepairs,
      relayed: this.relayed,
      answersPassedBack: this.answersPassedBack,
      tunneled: this.tunneled,
      tunneledIn: this.tunneledIn,
      storageToUnlinked: this.storageToUnlinked,
      routingToUnlinked: this.routingToUnlinked,
    };
  }
}

/** Message types that keep the ring and the replicas in shape (not lookups or user storage). */
export const MAINTENANCE_TYPES: ReadonlySet<string> = new Set(['ping', 'pong', 'neighbors', 'neighbors-reply', 'notify', 'leave', 'sync', 'sync-reply']);
