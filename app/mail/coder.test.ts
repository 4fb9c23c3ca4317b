/**
 * Erasure coding alone: round trips at awkward sizes (0 and 1 byte, sizes
 * that are not multiples of the stripe, 50 MB), any m - k lost fragments
 * rebuild bit-exact, m - k + 1 lost fail with a clear error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ErasureCoder, shardSize } from './coder';
import { MailError } from './errors';
import { nodeCoder } from './testing/kit';

const coder = nodeCoder();

async function encodeAll(c: ErasureCoder, data: Uint8Array, k: number, m: number, frag: number): Promise<Uint8Array[][]> {
  const out: Uint8Array[][] = [];
  for (let at = 0; at < data.length; at += k * frag) out.push(await c.encodeStripe(data.subarray(at, at + k * frag), k, m));
  return out;
}

async function decodeAll(c: ErasureCoder, stripes: (Uint8Array | null)[][], k: number, m: number, frag: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let s = 0; s < stripes.length; s++) out.set(await c.decodeStripe(stripes[s]!, k, m, Math.min(k * frag, length - s * k * frag)), s * k * frag);
  return out;
}

function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('erasure coding', () => {
  it.each([0, 1, 3, 4095, 4096 * 4 + 1, 300_000])('round-trips %i bytes with any m - k fragments lost (k=4, m=8)', async (n) => {
    const data = bytes(n, n + 1);
    const stripes = await encodeAll(coder, data, 4, 8, 4096);
    expect(stripes.length).toBe(Math.ceil(n / (4 * 4096)));
    // Lose a different set of 4 per stripe, data fragments included.
    const lossy = stripes.map((frags, s) => frags.map((f, i) => (((i + s) % 8) < 4 ? null : f)));
    expect(await decodeAll(coder, lossy, 4, 8, 4096, n)).toEqual(data);
  });

  it('rebuilds bit-exact from every choice of k surviving fragments (property)', async () => {
    const data = bytes(10_000, 7);
    const [frags] = await encodeAll(coder, data, 4, 8, 4096);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 4, maxLength: 4 }), async (keep) => {
        const lossy = frags!.map((f, i) => (keep.includes(i) ? f : null));
        expect(await coder.decodeStripe(lossy, 4, 8, 10_000)).toEqual(data);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses to rebuild with m - k + 1 fragments lost, saying how many were found', async () => {
    const data = bytes(5000);
    const [frags] = await encodeAll(coder, data, 4, 8, 2048);
    const lossy = frags!.map((f, i) => (i < 5 ? null : f));
    const err = await coder.decodeStripe(lossy, 4, 8, 5000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailError);
    expect((err as MailError).code).toBe('unrecoverable');
    expect((err as MailError).message).toMatch(/only 3 of the 4 fragments/i);
  });

  it('codes 10+4 and round-trips 50 MB in stripes with fragments lost', async () => {
    const n = 50 * 1024 * 1024 + 17;
    const data = bytes(n, 3);
    const frag = 192 * 1024;
    const stripes = await encodeAll(coder, data, 10, 14, frag);
    const lossy = stripes.map((frags, s) => frags.map((f, i) => ((i + s) % 14 < 4 ? null : f)));
    const back = await decodeAll(coder, lossy, 10, 14, frag, n);
    expect(back.length).toBe(n);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(data))).toBe(0);
  }, 120_000);

  it('refuses k and m out of range and fragments of the wrong size', async () => {
    for (const [k, m] of [[0, 8], [4, 4], [5, 4], [4, 33], [2.5, 8]] as const) {
      await expect(coder.encodeStripe(bytes(10), k, m)).rejects.toMatchObject({ code: 'bad-input' });
    }
    const frags = await coder.encodeStripe(bytes(100), 4, 8);
    expect(frags.every((f) => f.length === shardSize(100, 4))).toBe(true);
    const cut = frags.map((f, i) => (i === 0 ? f.subarray(1) : f));
    await expect(coder.decodeStripe(cut, 4, 8, 100)).rejects.toMatchObject({ code: 'damaged' });
  });
});
