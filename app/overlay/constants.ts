/**
 * Defaults of the overlay (DESIGN.md, Overlay and Storage). Every one can be
 * overridden through `OverlayOptions`; size limits are explicit constants.
 */

/** Successor-list length r, also the replica count. @default 4 */
export const DEFAULT_SUCCESSORS = 4;
export const MIN_SUCCESSORS = 2;
export const MAX_SUCCESSORS = 8;
/**
 * Length of the successor list kept for routing, beyond the r replicas. Chord
 * keeps O(log N) successors so that the ring stays whole when many nodes fail
 * at once (Stoica et al., "Chord", SIGCOMM 2001, §4.4 and Theorem IV.5):
 * with only r = 4, half the nodes failing leaves 1 node in 16 with no live
 * successor at all, and at 20,000 nodes those 1,250 nodes fall back on far
 * fingers and answer for ranges that are not theirs for minutes. 16 (the
 * longest node list a message may carry) leaves 1 in 65,536. The simulator's
 * large-overlay runs use it (bench-sim, mass-failure test); the overlay's default
 * list is r (options.ts successorListLength says why).
 */
export const SUCCESSOR_LIST_LENGTH = 16;

/** @default 2000 */
export const STABILIZE_MS = 2_000;
/** @default 5000 */
export const FIX_FINGERS_MS = 5_000;
/** Fix-fingers period until the table has been filled once after joining. @default 500 */
export const FIX_FINGERS_FAST_MS = 500;
/** @default 2000 */
export const CHECK_PREDECESSOR_MS = 2_000;
/** Anti-entropy: replicas compare what they hold. @default 30000 */
export const SYNC_MS = 30_000;
/** Delay before a sync triggered by a membership change, so bursts of changes cost one sync. @default 1000 */
export const SYNC_DEBOUNCE_MS = 1_000;

/** Per-hop RPC timeout, then the next candidate. @default 1500 */
export const RPC_TIMEOUT_MS = 1_500;
/** How long a recursive lookup waits for its answer before retrying iteratively. @default 3000 */
export const RECURSIVE_TIMEOUT_MS = 3_000;
/** Whole-lookup deadline. @default 15000 */
export const LOOKUP_DEADLINE_MS = 15_000;
/** A node that failed to answer is skipped for this long. @default 30000 */
export const SUSPECT_MS = 30_000;

/** Candidates one iterative step returns. @default 3 */
export const FIND_CANDIDATES = 3;
/** Longest route a recursive lookup may carry: more hops means a loop or an attack. @default 48 */
export const MAX_ROUTE = 48;

/** Largest message accepted from a peer. @default 600 KiB */
export const MAX_MESSAGE_BYTES = 600 * 1024;
/** Largest body of a routed application message (a SIP message). @default 64 KiB */
export const MAX_APP_BODY_BYTES = 64 * 1024;
/** Largest sealed body of a routed message: the largest padding bucket (identity's ROUTED_PAD_BUCKETS) with nonce and tag. @default 68 KiB + 28 */
export const MAX_SEALED_BOX_BYTES = 69_632 + 28;
/** How long a sender keeps one ephemeral key for its messages to one node (a conversation), for forward secrecy. @default 10 min */
export const CONVERSATION_KEY_MS = 10 * 60_000;
/** How long the sender of a routed application message waits for its acknowledgement. @default 4000 */
export const APP_ACK_TIMEOUT_MS = 4_000;
/**
 * How far apart two machines' clocks may be: one constant for every time exchanged
 * (routed messages, record expiries, claims, mail, certificates). @default 10 min
 */
export { MAX_CLOCK_SKEW_MS } from '../identity';
/** Largest array in a message (routing lists, record batches, digests). @default 4096 */
export const MAX_ITEMS = 4096;
/** Largest node list in a routing answer. @default 16 */
export const MAX_NODE_LIST = 16;

/** Largest value of a single or dictionary record. @default 16 KiB */
export const MAX_VALUE_BYTES = 16 * 1024;
/** Largest immutable blob (a video-mail fragment). @default 256 KiB */
export const MAX_BLOB_BYTES = 256 * 1024;
/** Longest dictionary sub-key, in bytes of UTF-8 (as it is encoded, stored and counted against the quota). @default 128 */
export const MAX_SUBKEY_BYTES = 128;
/** Farthest expiry a record may ask for. @default 31 days */
export const MAX_TTL_MS = 31 * 24 * 3600_000;
/** Records per batch in store and sync messages. @default 64 */
export const MAX_BATCH = 64;

/** Per-owner quota, records held for one owner key. @default 1000 */
export const QUOTA_RECORDS = 1_000;
/** Per-owner quota, value bytes held for one owner key. @default 8 MiB */
export const QUOTA_BYTES = 8 * 1024 * 1024;

/** Positive lookup-cache TTL. @default 30000 */
export const CACHE_TTL_MS = 30_000;
/** Negative ("not found") lookup-cache TTL. @default 5000 */
export const NEGATIVE_CACHE_TTL_MS = 5_000;
/** Entries in the lookup cache. @default 1024 */
export const CACHE_ENTRIES = 1_024;
