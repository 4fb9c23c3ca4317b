/**
 * The overlay node as upper layers see it: lookups, reads and writes of
 * signed records, routed application messages, read-only views of the
 * routing state and of the records this node holds, and the few storage
 * conversations other layers need (asking a blob's holders, handing records
 * over). The routing table, the RPC layer and the replica store stay inside
 * app/overlay/; no other folder builds a wire message.
 */
import type { MessageRouter } from './message-routing';
import type { Clock } from '../common';
import type { OverlayCounters } from './counters';
import { ChordNode, type LookupOptions, type LookupResult } from './node';
import type { OverlayComponents, OverlayOptions, ResolvedOptions } from './options';
import type { GetOptions } from './storage/client';
import type { HandOverOptions, HandOverResult } from './storage/hand-over';
import type { HeldQuery, HeldState, HolderAnswer } from './storage/probe';
import type { PutResult } from './storage/put';
import type { WireRecord } from './storage/record';

/** Routed application messages (SIP rides on these): send, listen, and the node keys seen. */
export type RoutedMessaging = Pick<MessageRouter, 'send' | 'on' | 'spkiOf' | 'ownAgreementKey' | 'learnAgreementKey' | 'reachesOverLinks'>;

/** One overlay node's client API. Node IDs are 40-digit lowercase hex strings throughout. */
export interface OverlayNode {
  /** This node's ID. */
  readonly id: string;
  /** The node's clock (virtual in the simulator). */
  readonly clock: Clock;
  /** Traffic and failure counters, for status pages and benchmarks. */
  readonly counters: OverlayCounters;
  /** The options in force, defaults filled in. */
  readonly config: ResolvedOptions;
  /** Whether this node is in a ring: it joined one, or started its own. */
  readonly joined: boolean;
  readonly isClosed: boolean;
  /** Routed application messages between nodes, signed by the sending node. */
  readonly routed: RoutedMessaging;

  /**
   * Joins the ring through the given nodes (several at once, so that one bad
   * bootstrap node cannot stop a join), or starts a ring with none. Rejects
   * with LookupError ('not-joined' | 'no-candidate') or OverlayClosedError.
   */
  join(bootstrap?: readonly string[]): Promise<void>;
  /** Ring unification through `peer`: adopts the successors that ring names; resolves true when the successor list changed. */
  mergeVia(peer: string): Promise<boolean>;
  /** Finds the successor of `key` (hex ID or bigint) and its replica set. Rejects with LookupError. */
  lookup(key: string | bigint, opts?: LookupOptions): Promise<LookupResult>;
  /** Stores a signed record on its key's replicas. Rejects with RecordRefusedError or LookupError. */
  put(record: WireRecord, opts?: LookupOptions): Promise<PutResult>;
  /** The newest checked records under `key` from every replica (repairing replicas that were behind). Rejects with LookupError. */
  get(key: Uint8Array, opts?: GetOptions): Promise<WireRecord[]>;
  /** Each replica's checked records under `key`, separately (to see disagreement, e.g. two claims of one name). */
  getFromEach(key: Uint8Array, opts?: LookupOptions): Promise<{ replica: string; records: WireRecord[] }[]>;
  /**
   * What node `node` holds under `key` (one sub-key, or all of a dictionary,
   * page by page), checked as a reader; `complete` is false when it stopped
   * answering or paged wrongly part-way. Null when it did not answer.
   */
  readFrom(node: string, key: Uint8Array, sub?: string): Promise<{ records: WireRecord[]; complete: boolean } | null>;
  /** Asks every replica of a blob whether it holds it (see storage/probe.ts). Rejects with LookupError. */
  probeHolders(blob: HeldQuery, opts?: LookupOptions): Promise<HolderAnswer[]>;
  /** Asks one node whether it holds a blob: null when it did not answer; rejects with BadReplyError on a bad reply. */
  askHeld(node: string, blob: HeldQuery): Promise<HeldState | null>;
  /** Gives records (default: every record this node holds) to `node` and counts what it took. Never rejects. */
  handOver(node: string, records?: readonly WireRecord[], opts?: HandOverOptions): Promise<HandOverResult>;

  /** The record this node itself holds under `keyHex` and sub-key `sub` (default '': single values and blobs), expired or not. */
  localRecord(keyHex: string, sub?: string): WireRecord | undefined;
  /** Every record this node holds. */
  localRecords(): WireRecord[];
  /** How many records this node holds. */
  readonly recordCount: number;
  /**
   * Reads the records persisted by an earlier run back into this node's
   * store, keeping those `verify` accepts; resolves how many were loaded.
   * `now` in ms since the epoch, for expiry.
   */
  loadRecords(now: number, verify: (r: WireRecord) => Promise<boolean>): Promise<number>;

  /** The predecessor's ID, or null when none is known. */
  readonly predecessor: string | null;
  /** The successor list, nearest first; empty, or only this node itself, when it is alone. */
  successors(): string[];
  /** The distinct finger nodes, farthest first (the finger table's order). */
  fingers(): string[];
  /** Every node the routing state holds: predecessor, successors and fingers. */
  knownPeers(): string[];
  /** Pings `node`: resolves whether it answered (a pong or an error reply) within `timeoutMs` (@default rpcTimeoutMs). */
  ping(node: string, timeoutMs?: number): Promise<boolean>;
  /** Whether a live link to `node` is up now (false when the transport cannot tell). */
  linkedTo(node: string): boolean;

  /** Leaves gracefully: hands its records to its successor, tells its neighbours, closes. */
  leave(): void;
  /** Stops timers and listeners and closes the transport; pending requests fail. */
  close(): void;
}

/**
 * Makes one overlay node over its injected collaborators (a Transport, a
 * Clock, a Random, a RecordVerifier, optionally a key-value store for its
 * records). Throws OverlayConfigError for options out of range.
 */
export function createOverlayNode(components: OverlayComponents, init: OverlayOptions = {}): OverlayNode {
  return new ChordNode(components, init);
}
