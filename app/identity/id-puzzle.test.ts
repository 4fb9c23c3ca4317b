import { describe, expect, it } from 'vitest';
import { exportSpki, generateSigningKeyPair, sha256 } from './keys';
import {
  generatePuzzleKeyPair,
  idPuzzleProblem,
  ID_PUZZLE_X_BYTES,
  leadingZeroBits,
  meetsStaticPuzzle,
  solveDynamicPuzzle,
  checkIdPuzzleDifficulty,
} from './id-puzzle';

const newSpki = async (): Promise<Uint8Array> => exportSpki((await generateSigningKeyPair()).publicKey);

describe('leadingZeroBits', () => {
  it('counts the zero bits before the first one', () => {
    expect(leadingZeroBits(new Uint8Array([0x80]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0x01]))).toBe(7);
    expect(leadingZeroBits(new Uint8Array([0, 0, 0x10]))).toBe(19);
    expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16);
  });
});

describe('the node ID puzzle (S/Kademlia)', () => {
  const d = { staticBits: 0, dynamicBits: 10 };

  it('a valid solution passes, and it really has the leading zeros', async () => {
    const spki = await newSpki();
    const { x, tries } = await solveDynamicPuzzle(spki, 10);
    expect(x.length).toBe(ID_PUZZLE_X_BYTES);
    expect(tries).toBeGreaterThan(0);
    expect(await idPuzzleProblem(spki, x, d)).toBeNull();
    const p = await sha256(spki);
    const h = await sha256(p.map((b, i) => b ^ x[i]!));
    expect(leadingZeroBits(h)).toBeGreaterThanOrEqual(10);
  });

  it('a missing or wrong-sized solution is `missing`', async () => {
    const spki = await newSpki();
    expect(await idPuzzleProblem(spki, undefined, d)).toBe('missing');
    expect(await idPuzzleProblem(spki, new Uint8Array(5), d)).toBe('missing');
  });

  it('a wrong solution is `dynamic`', async () => {
    const spki = await newSpki();
    const { x } = await solveDynamicPuzzle(spki, 10);
    // Flipping one bit of X changes the hash completely: 10 zero bits again has odds 1/1024.
    const bad = x.slice();
    let problem: string | null = null;
    for (let i = 0; i < 8 && problem === null; i++) {
      bad[i] = x[i]! ^ 0x01;
      problem = await idPuzzleProblem(spki, bad, d);
    }
    expect(problem).toBe('dynamic');
  });

  it('a solution for another key fails', async () => {
    const a = await newSpki();
    const b = await newSpki();
    const { x } = await solveDynamicPuzzle(a, 12);
    expect(await idPuzzleProblem(a, x, { staticBits: 0, dynamicBits: 12 })).toBeNull();
    expect(await idPuzzleProblem(b, x, { staticBits: 0, dynamicBits: 12 })).toBe('dynamic');
  });

  it('a solution to an easier puzzle fails a harder one', async () => {
    const spki = await newSpki();
    let x = (await solveDynamicPuzzle(spki, 4)).x;
    // Find one that meets 4 bits but not 14 (almost every solution of 4 bits).
    while ((await idPuzzleProblem(spki, x, { staticBits: 0, dynamicBits: 14 })) === null) x = (await solveDynamicPuzzle(spki, 4)).x;
    expect(await idPuzzleProblem(spki, x, { staticBits: 0, dynamicBits: 4 })).toBeNull();
    expect(await idPuzzleProblem(spki, x, { staticBits: 0, dynamicBits: 14 })).toBe('dynamic');
  });

  it('the static puzzle is a property of the key: keys are made until one meets it', async () => {
    const { spki, tries } = await generatePuzzleKeyPair(4);
    expect(tries).toBeGreaterThan(0);
    expect(await meetsStaticPuzzle(spki, 4)).toBe(true);
    expect(leadingZeroBits(await sha256(await sha256(spki)))).toBeGreaterThanOrEqual(4);
    // A key that does not meet it is refused whatever X it shows.
    let other = await newSpki();
    while (await meetsStaticPuzzle(other, 4)) other = await newSpki();
    const { x } = await solveDynamicPuzzle(other, 2);
    expect(await idPuzzleProblem(other, x, { staticBits: 4, dynamicBits: 2 })).toBe('static');
  });

  it('no puzzle passes anything, and a silly difficulty is refused', async () => {
    expect(await idPuzzleProblem(await newSpki(), undefined, { staticBits: 0, dynamicBits: 0 })).toBeNull();
    expect(() => checkIdPuzzleDifficulty({ staticBits: -1, dynamicBits: 0 })).toThrow(RangeError);
    expect(() => checkIdPuzzleDifficulty({ staticBits: 0, dynamicBits: 33 })).toThrow(RangeError);
    expect(() => checkIdPuzzleDifficulty({ staticBits: 0, dynamicBits: 1.5 })).toThrow(RangeError);
  });
});
