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
export { LookupError, RpcError, BadReplyError, RecordRefusedError, OverlayConfigError, OverlayClosedError } from './errors';
export { OverlayCounters, MAINTENANCE_TYPES } from './counters';
export { type OverlayComponents, type OverlayOptions, type AsyncTracker } from './options';
export type { RouteResult, RoutedListener, RouteOptions } from './message-routing';
export { isSignedAgreementKey, type SignedAgreementKey } from './message-sealing';
export { createOverlayNode, type OverlayNode, type RoutedMessaging } from './api';
export type { LookupMode, LookupOptions, LookupResult } from './node';
export { RingUnifier, type UnifierOptions } from './unification';
export type { LookupEvent } from './query/context';
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
export type { GetOptions } from './storage/client';
export { recordBatches } from './storage/batches';
export type { PutResult } from './storage/put';
export type { HandOverOptions, HandOverResult } from './storage/hand-over';
export type { HeldQuery, HeldState, HolderAnswer } from './storage/probe';
export { webCryptoVerifier, webCryptoSigner } from './storage/web-crypto';
