/**
 * Padding to a few size buckets, so that a sealed value tells the nodes that
 * store it which bucket it is in and nothing finer (the idea of RFC 8467's
 * block padding for DNS, with a length prefix instead of an EDNS option).
 * Format: a 4-byte big-endian length, the bytes, zeros up to the bucket.
 */
import { MailError } from './errors';

const LENGTH_BYTES = 4;

/** The smallest bucket that holds `n` bytes and the length prefix; null when none does. */
export function bucketFor(n: number, buckets: readonly number[]): number | null {
  return buckets.find((b) => b >= n + LENGTH_BYTES) ?? null;
}

/** Pads `bytes` to the smallest bucket (bytes, ascending) that holds them; throws MailError('too-large') when none does. */
export function padToBucket(bytes: Uint8Array, buckets: readonly number[]): Uint8Array {
  const size = bucketFor(bytes.length, buckets);
  if (size === null) throw new MailError('too-large', 'The message is too long for one mailbox entry; record a shorter one.');
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, LENGTH_BYTES);
  return out;
}

/** The bytes inside a padded block, or null when its size is not a bucket, its length runs past the end, or the padding is not all zeros. */
export function unpad(padded: Uint8Array, buckets: readonly number[]): Uint8Array | null {
  if (!buckets.includes(padded.length)) return null;
  const n = new DataView(padded.buffer, padded.byteOffset, padded.byteLength).getUint32(0);
  if (n > padded.length - LENGTH_BYTES) return null;
  for (let i = LENGTH_BYTES + n; i < padded.length; i++) if (padded[i] !== 0) return null;
  return padded.slice(LENGTH_BYTES, LENGTH_BYTES + n);
}
