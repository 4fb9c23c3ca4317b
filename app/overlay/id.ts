/**
 * 160-bit identifier arithmetic on the Chord ring. IDs are bigints in
 * [0, 2^160); the wire and the Transport use 40-digit lower-case hex.
 */

export const ID_BITS = 160;
export const ID_BYTES = 20;
/** 2^160: the size of the ring. */
export const RING = 1n << 160n;
const MASK = RING - 1n;

const HEX_ID = /^[0-9a-f]{40}$/;

/** True for a 40-digit lower-case hex ID. */
export function isHexId(value: unknown): value is string {
  return typeof value === 'string' && HEX_ID.test(value);
}

export function idFromHex(hex: string): bigint {
  if (!isHexId(hex)) throw new RangeError('not a 160-bit hex id');
  return BigInt('0x' + hex);
}

export function idToHex(id: bigint): string {
  return (id & MASK).toString(16).padStart(40, '0');
}

const HEX = '0123456789abcdef';

/** Hex of 20 ID bytes; callers have checked the length. */
export function bytesToHexId(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < ID_BYTES; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** Value of one lower-case hex digit (callers pass checked IDs). */
function nibble(c: number): number {
  return c >= 97 ? c - 87 : c - 48;
}

export function hexIdToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(ID_BYTES);
  for (let i = 0; i < ID_BYTES; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  return out;
}

/** Clockwise distance from a to b: how far one walks from a to reach b. 0 when equal. */
export function distance(a: bigint, b: bigint): bigint {
  return (b - a) & MASK;
}

/** a + 2^i on the ring: the start of finger i. */
export function fingerStart(a: bigint, i: number): bigint {
  return (a + (1n << BigInt(i))) & MASK;
}

/**
 * x ∈ (a, b] going clockwise. When a === b the interval is the whole ring
 * (a single node is the successor of every key), as in the Chord paper.
 */
export function inHalfOpen(x: bigint, a: bigint, b: bigint): boolean {
  if (a === b) return true;
  return distance(a, x) !== 0n && distance(a, x) <= distance(a, b);
}

/** x ∈ (a, b) going clockwise. When a === b it is the whole ring except a. */
export function inOpen(x: bigint, a: bigint, b: bigint): boolean {
  if (a === b) return x !== a;
  const dx = distance(a, x);
  return dx !== 0n && dx < distance(a, b);
}

/** log2 of a positive bigint, rounded down (the finger index that covers a gap). */
export function log2Floor(x: bigint): number {
  return x <= 0n ? -1 : x.toString(2).length - 1;
}
