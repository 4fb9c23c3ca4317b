/** Construction of a node: injected collaborators and documented options (kad-dht's `(components, init)`). */
import type { KeyValueStore } from '../identity';
import { type Clock, type Random } from '../common';
import * as C from './constants';
import type { OverlayCounters } from './counters';
import { OverlayConfigError } from './errors';
import type { AccessRule } from './storage/access';
import type { RecordSigner, RecordVerifier } from './storage/record';
import type { Transport } from './transport';

/** Counts async work (signature checks, storage) so a simulator can wait for it before moving time. */
export interface AsyncTracker {
  track<T>(p: Promise<T>): Promise<T>;
}

export interface OverlayComponents {
  transport: Transport;
  clock: Clock;
  random: Random;
  /** Checks record signatures and blob hashes (WebCrypto, or a cheap stand-in in large simulations). */
  verifier: RecordVerifier;
  /** Signs routed application messages as this node (its node key, whose hash is its ID); none: it cannot send them. */
  nodeSigner?: RecordSigner;
  /**
   * This node's ECDH P-256 agreement key pair, kept with its node key, for
   * routed messages encrypted to it (message-routing.ts); none: one is made
   * for each run, so senders that learnt the old one must ask again.
   */
  agreementKey?: CryptoKeyPair;
  /** Where stored records persist; none keeps them in memory only. */
  kv?: KeyValueStore;
  /** Shared by many simulated nodes to total their traffic. */
  counters?: OverlayCounters;
  tracker?: AsyncTracker;
}

export interface OverlayOptions {
  /** Replica count r, 2..8: a key's successor and the r-1 nodes after it hold its records. @default 4 */
  successors?: number;
  /**
   * Successor-list length kept for routing and repair, r..16. Large overlays want
   * SUCCESSOR_LIST_LENGTH (16; constants.ts says why); the default stays r because the live
   * app keeps a link to every successor, so a list of 16 would link every tab of a ring of
   * up to 17 to every other (no relays, many more data channels) until links and the
   * successor list are decoupled. Lookups answer with r nodes either way. @default r
   */
  successorListLength?: number;
  /** @default 2000 */
  stabilizeMs?: number;
  /** @default 5000 */
  fixFingersMs?: number;
  /** @default 500 */
  fixFingersFastMs?: number;
  /** @default 2000 */
  checkPredecessorMs?: number;
  /** @default 30000 */
  syncMs?: number;
  /** @default 1000 */
  syncDebounceMs?: number;
  /** @default 1500 */
  rpcTimeoutMs?: number;
  /** @default 3000 */
  recursiveTimeoutMs?: number;
  /** @default 15000 */
  lookupDeadlineMs?: number;
  /** @default 30000 */
  suspectMs?: number;
  /** @default 3 */
  findCandidates?: number;
  /** @default 1000 */
  quotaRecords?: number;
  /** @default 8 MiB */
  quotaBytes?: number;
  /** @default 30000 */
  cacheTtlMs?: number;
  /** @default 5000 */
  negativeCacheTtlMs?: number;
  /** Who may replace what. @default ownerOnlyAccess */
  access?: AccessRule;
  /** Routing mode of lookups that do not choose one. @default 'recursive' */
  defaultMode?: 'recursive' | 'iterative';
  /**
   * Defense (issue 20): lookups walk this many disjoint paths iteratively and
   * keep the answer naming the successor nearest the key (S/Kademlia, Baumgart
   * & Mies 2007). 1 is the plain lookup of `defaultMode`. @default 1
   */
  lookupPaths?: number;
  /**
   * Defense (issue 20): a claimed successor is checked against the successor
   * lists of other nodes near the key before it is trusted (Castro et al.,
   * OSDI 2002); lookups then run iteratively. @default false
   */
  checkSuccessor?: boolean;
}

export type ResolvedOptions = Required<Omit<OverlayOptions, 'access'>> & { access?: AccessRule | undefined };

export function resolveOptions(o: OverlayOptions): ResolvedOptions {
  const r = o.successors ?? C.DEFAULT_SUCCESSORS;
  if (!Number.isInteger(r) || r < C.MIN_SUCCESSORS || r > C.MAX_SUCCESSORS) {
    throw new OverlayConfigError(`successors must be an integer in ${C.MIN_SUCCESSORS}..${C.MAX_SUCCESSORS}`);
  }
  const list = o.successorListLength ?? r;
  if (!Number.isInteger(list) || list < r || list > C.MAX_NODE_LIST) {
    throw new OverlayConfigError(`successorListLength must be an integer in ${r}..${C.MAX_NODE_LIST}`);
  }
  return {
    successors: r,
    successorListLength: list,
    stabilizeMs: o.stabilizeMs ?? C.STABILIZE_MS,
    fixFingersMs: o.fixFingersMs ?? C.FIX_FINGERS_MS,
    fixFingersFastMs: o.fixFingersFastMs ?? C.FIX_FINGERS_FAST_MS,
    checkPredecessorMs: o.checkPredecessorMs ?? C.CHECK_PREDECESSOR_MS,
    syncMs: o.syncMs ?? C.SYNC_MS,
    syncDebounceMs: o.syncDebounceMs ?? C.SYNC_DEBOUNCE_MS,
    rpcTimeoutMs: o.rpcTimeoutMs ?? C.RPC_TIMEOUT_MS,
    recursiveTimeoutMs: o.recursiveTimeoutMs ?? C.RECURSIVE_TIMEOUT_MS,
    lookupDeadlineMs: o.lookupDeadlineMs ?? C.LOOKUP_DEADLINE_MS,
    suspectMs: o.suspectMs ?? C.SUSPECT_MS,
    findCandidates: o.findCandidates ?? C.FIND_CANDIDATES,
    quotaRecords: o.quotaRecords ?? C.QUOTA_RECORDS,
    quotaBytes: o.quotaBytes ?? C.QUOTA_BYTES,
    cacheTtlMs: o.cacheTtlMs ?? C.CACHE_TTL_MS,
    negativeCacheTtlMs: o.negativeCacheTtlMs ?? C.NEGATIVE_CACHE_TTL_MS,
    defaultMode: o.defaultMode ?? 'recursive',
    lookupPaths: checkedPaths(o.lookupPaths ?? 1),
    checkSuccessor: o.checkSuccessor ?? false,
    access: o.access,
  };
}

/** Disjoint lookup paths allowed: 1 (plain) to 8 (each path costs a walk). */
export const MAX_LOOKUP_PATHS = 8;

function checkedPaths(d: number): number {
  if (!Number.isInteger(d) || d < 1 || d > MAX_LOOKUP_PATHS) throw new OverlayConfigError(`lookupPaths must be an integer in 1..${MAX_LOOKUP_PATHS}`);
  return d;
}
