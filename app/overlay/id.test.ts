import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distance, fingerStart, idFromHex, idToHex, inHalfOpen, inOpen, RING } from './id';

const id = fc.bigInt({ min: 0n, max: RING - 1n });
const TOP = RING - 1n;

describe('id arithmetic', () => {
  it('round-trips through hex', () => {
    fc.assert(fc.property(id, (x) => idFromHex(idToHex(x)) === x && idToHex(x).length === 40), { seed: 1 });
  });

  it('distance is clockwise and wraps', () => {
    expect(distance(TOP, 0n)).toBe(1n);
    expect(distance(0n, TOP)).toBe(TOP);
    fc.assert(fc.property(id, id, (a, b) => (distance(a, b) + distance(b, a)) % RING === 0n), { seed: 2 });
  });

  it('finger starts wrap around the ring', () => {
    expect(fingerStart(TOP, 0)).toBe(0n);
    expect(fingerStart(0n, 159)).toBe(1n << 159n);
    expect(fingerStart(1n << 159n, 159)).toBe(0n);
  });

  it('interval membership, including wrap-around', () => {
    expect(inHalfOpen(5n, 3n, 7n)).toBe(true);
    expect(inHalfOpen(7n, 3n, 7n)).toBe(true);
    expect(inHalfOpen(3n, 3n, 7n)).toBe(false);
    // (TOP-1, 2] wraps through zero.
    expect(inHalfOpen(0n, TOP - 1n, 2n)).toBe(true);
    expect(inHalfOpen(TOP, TOP - 1n, 2n)).toBe(true);
    expect(inHalfOpen(TOP - 1n, TOP - 1n, 2n)).toBe(false);
    expect(inHalfOpen(3n, TOP - 1n, 2n)).toBe(false);
    expect(inOpen(2n, TOP - 1n, 2n)).toBe(false);
    expect(inOpen(0n, TOP - 1n, 2n)).toBe(true);
    // a === b: the half-open interval is the whole ring, the open one all but a.
    expect(inHalfOpen(9n, 4n, 4n)).toBe(true);
    expect(inOpen(4n, 4n, 4n)).toBe(false);
    expect(inOpen(5n, 4n, 4n)).toBe(true);
  });

  it('every id lies in exactly one of (a,b] and (b,a] when a ≠ b', () => {
    fc.assert(
      fc.property(id, id, id, (a, b, x) => {
        fc.pre(a !== b);
        return inHalfOpen(x, a, b) !== inHalfOpen(x, b, a);
      }),
      { seed: 3, numRuns: 2000 },
    );
  });

  it('(a,b) is (a,b] without b', () => {
    fc.assert(fc.property(id, id, id, (a, b, x) => inOpen(x, a, b) === (inHalfOpen(x, a, b) && x !== b)), { seed: 4, numRuns: 2000 });
  });
});
