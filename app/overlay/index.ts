/**
 * The overlay: a Chord DHT with signed, replicated, multi-master storage.
 * Pure TypeScript; it sees the world through `Transport`, `Clock`, `Random`
 * and `RecordVerifier` (DESIGN.md, Overlay and Storage).
 */
export type { Transport, MessageListener, LinkListener } from './transport';
export { Backoff, type BackoffOptions } from './backoff';
export { RetryLoop, AttemptTimeoutError, type RetryState, type RetryLoopOptions } from './retry';
export {
  ID_BITS,
  ID_BYTES,
  RING,
  isHexId,
  idFromHex,
  idToHex,
  bytesToHexId,
  hexIdToBytes,
  distance,
  fingerStart,
  inHalfOpen,
  inOpen,
} from './id';
export * as overlayLimits from './constants';
export { LookupError, RpcError, RecordRefusedError, OverlayConfigError, OverlayClosedError } from './errors';
export { OverlayCounters, MAINTENANCE_TYPES } from './counters';
export { type OverlayComponents, type OverlayOptions, type AsyncTracker } from './options';
export { AppRouter, type AppSendResult, type AppListener, type AppSendOptions } from './app-routing';
export { OverlayNode, type LookupMode, type LookupOptions, type LookupResult } from './node';
export { RingUnifier, type UnifierOptions } from './unification';
export type { LookupEvent } from './query/context';
export { parseMessage, encodeMessage, type Message, type MessageType } from './messages';
export {
  type WireRecord,
  type RecordKind,
  type RefusalReason,
  type RecordSigner,
  type RecordVerifier,
  type RecordFields,
  createRecord,
  checkRecord,
  isWireRecord,
  signingPayload,
  blobKey,
  compareRecords,
} from './storage/record';
export { type AccessRule, ownerOnlyAccess } from './storage/access';
export { getRecords, getRecordsFromEach, type GetOptions } from './storage/client';
export { putRecord, type PutResult } from './storage/put';
export { recordBatches } from './storage/batches';
export { webCryptoVerifier, webCryptoSigner } from './storage/web-crypto';
