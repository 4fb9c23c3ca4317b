/** Defaults and hard limits of video mail (DESIGN.md, Video mail). */

/** Fragments any `k` of which rebuild a stripe. @default 4 */
export const DEFAULT_K = 4;
/** Fragments per stripe. @default 8 */
export const DEFAULT_M = 8;
/** Bounds of k and m: the coding library's GF(2^8) allows up to 256 shards; more than 32 would only bloat the manifest. */
export const MIN_K = 1;
export const MAX_M = 32;
/** Bytes of ciphertext per fragment (a stripe holds k of them). @default 128 KiB */
export const DEFAULT_FRAGMENT_BYTES = 128 * 1024;
/** Fragment size bounds; the top stays well under the overlay's 256 KiB blob limit. */
export const MIN_FRAGMENT_BYTES = 1024;
export const MAX_FRAGMENT_BYTES = 192 * 1024;
/** A message lives this long unless deleted. @default 30 days */
export const DEFAULT_TTL_MS = 30 * 24 * 3600_000;
/** Largest recording accepted for sending (2 minutes at about 1 Mbit/s; the manifest must list every fragment in one 16 KiB record). @default 16 MiB */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Longest recording. @default 2 minutes */
export const DEFAULT_MAX_DURATION_MS = 120_000;
/** Largest thumbnail kept in the manifest (it must fit the overlay's 16 KiB record value). @default 4 KiB */
export const MAX_THUMBNAIL_BYTES = 4 * 1024;
/** Fragments fetched at once. @default 8 */
export const FETCH_PARALLEL = 8;
/** Fragments stored at once. @default 6 */
export const STORE_PARALLEL = 6;
/** Bytes in front of each fragment: message id (16), stripe (4), index (1); makes every fragment's hash unique. */
export const FRAGMENT_HEADER_BYTES = 21;
/** Message ids are 16 random bytes, written as 32 hex digits (the mailbox sub-key). */
export const MESSAGE_ID_BYTES = 16;
