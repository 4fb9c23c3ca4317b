/**
 * Padding to size buckets, so that what an encrypted message's carriers see
 * of its length says only which bucket it fell in. The pad is ISO/IEC
 * 7816-4's (one 0x80 byte, then zeros), which unpads without a length field
 * and without ambiguity. Shared by routed messages and sealed mailbox entries.
 */

/** Padded sizes of routed application messages, in bytes: chat fits the first, an INVITE with SDP the second or third. */
export const ROUTED_PAD_BUCKETS: readonly number[] = [1024, 4096, 16_384, 65_536, 69_632];

/**
 * The smallest bucket that holds `length` bytes and the pad's one marker
 * byte; throws RangeError when none does.
 */
export function bucketFor(length: number, buckets: readonly number[]): number {
  for (const b of buckets) if (length + 1 <= b) return b;
  throw new RangeError(`${length} bytes do not fit the largest padding bucket (${buckets[buckets.length - 1] ?? 0} bytes)`);
}

/** `bytes` ‖ 0x80 ‖ zeros, to the smallest bucket that holds them; throws RangeError when none does. */
export function padToBucket(bytes: Uint8Array, buckets: readonly number[]): Uint8Array {
  const out = new Uint8Array(bucketFor(bytes.length, buckets));
  out.set(bytes);
  out[bytes.length] = 0x80;
  return out;
}

/**
 * What `padToBucket` padded, or null when `padded` is not a bucket's size or
 * carries no valid pad (a last non-zero byte other than 0x80). Never throws.
 */
export function unpadBucket(padded: Uint8Array, buckets: readonly number[]): Uint8Array | null {
  if (!buckets.includes(padded.length)) return null;
  let i = padded.length - 1;
  while (i >= 0 && padded[i] === 0) i--;
  if (i < 0 || padded[i] !== 0x80) return null;
  return padded.subarray(0, i);
}
