/** What SIP over the overlay needs from the layers below it, as small injected interfaces. */

export type SendResult = 'sent' | 'unreachable' | 'timeout';

/** Carries SIP text between nodes (the overlay routes it; relays keep no SIP state). */
export interface SipNetwork {
  readonly nodeId: string;
  send(nodeId: string, text: string): Promise<SendResult>;
  /**
   * Whether node `nodeId` still runs: an empty message its overlay
   * acknowledges and drops ('sent'), or why not, as for `send`.
   */
  probe(nodeId: string): Promise<SendResult>;
  /** SIP text from another node; `from` is the node that signed the overlay message. */
  onReceive(fn: (from: string, text: string) => void): () => void;
}

export type LookupResult = { kind: 'found'; nodes: string[] } | { kind: 'unknown' } | { kind: 'timeout' };

/** The registrar and location service on the DHT. */
export interface SipLocation {
  /** The nodes registered now for user `name` (expired entries dropped). */
  lookup(name: string): Promise<LookupResult>;
  /** Writes this node's signed contact for `name` with `expiresSec` (0 removes it). */
  register(name: string, expiresSec: number): Promise<void>;
}

export interface ContactDecision {
  allow: boolean;
  reason: string;
}

/** Asks the permission gate (contact scope) whether a person may reach this tab. */
export type ContactPolicy = (caller: { name: string; nodeId: string }) => Promise<ContactDecision>;
