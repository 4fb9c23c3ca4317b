/**
 * Video mail (DESIGN.md, Video mail): record, encrypt for the recipient,
 * erasure-code into fragments stored as blobs across the overlay, list the
 * mailbox, fetch from several holders, rebuild, decrypt, delete, receipts.
 */
export * as mailLimits from './constants';
export { DEFAULT_K, DEFAULT_M, DEFAULT_FRAGMENT_BYTES, DEFAULT_TTL_MS, DEFAULT_MAX_DURATION_MS, MAX_MESSAGE_BYTES } from './constants';
export { MailError, type MailErrorCode } from './errors';
export { type ErasureCoder, RsStripeCoder, InlineCoder, checkKM, shardSize } from './coder';
export { WorkerCoder } from './worker-coder';
export { type MailOverlay, type BlobState, overlayIo } from './overlay-io';
export { type Manifest, type MessageMeta, checkManifest, decodeSignedManifest, encodeSignedManifest, stripeCount } from './manifest';
export { sealEntry, parseEntry, openEntry, ENTRY_BUCKETS, SEALED_ENTRY_VERSION } from './sealed-entry';
export { sendReceipt, readReceipts, matchReceipts, receiptFor, receiptSecret, RECEIPT_SECRET_BYTES, type ReceiptFor } from './receipts';
export { wrapSecrets, unwrapSecrets, type MessageSecrets } from './cipher';
export { sendMessage, checkSettings, type SendOptions, type SentMessage } from './send';
export { fetchMessage, messageHealth, openSecrets, type FetchOptions, type Health, type OpenKeys } from './fetch';
export { listMailbox, deleteMessage, deleteFragments, type IsBlocked, type MailSender, type MailItem, type MailboxListing, type MailboxProblem } from './mailbox';
export { mailboxKey, receiptsKey, textboxKey } from './keys';
export { storeText, listTexts, dropText, sendTextMark, readTextMarks, textMarkSecret, type StoredText, type StoreTextOptions, type TextItem, type TextboxListing, type TextMark } from './stored-text';
export { MAX_TEXT_BYTES, isChatId, type TextNote } from './text-note';
export { type Recorder, MediaRecorderRecorder } from './recorder';
export type { ResolvedUser, ResolveUser, MailUser, MailSettings, Recording, SendPhase, SendProgress, FetchProgress } from './types';
