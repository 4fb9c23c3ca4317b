/**
 * A cost on node IDs: the crypto puzzles of S/Kademlia (Baumgart and Mies,
 * "S/Kademlia: A practicable approach towards secure key-based routing",
 * 2007, §4.1), over a node key's SPKI. With P = SHA-256(SPKI) (the node ID
 * is its first 160 bits):
 * - the static puzzle: SHA-256(P) has at least `staticBits` leading zero
 *   bits. It is a property of the key itself, so the only way to meet it is
 *   to make keys until one does: it makes choosing where a node sits on the
 *   ring 2^staticBits times dearer (the cost that matters against an eclipse
 *   of one key);
 * - the dynamic puzzle: SHA-256(P ⊕ X) has at least `dynamicBits` leading
 *   zero bits, for a 32-byte X found by trying. It is solved once per key
 *   and kept with it, so a key made before the puzzle existed keeps its
 *   node ID and only solves X (the cost of each node ID an attacker runs).
 * Checking a solution costs two or three hashes. The difficulty is a setting
 * of the overlay, like its name: every peer of one overlay must use the same.
 */
import { exportSpki, generateSigningKeyPair, sha256 } from './keys';

/** Leading zero bits each puzzle asks for; 0 turns a puzzle off. */
export interface IdPuzzleDifficulty {
  /** c1 of S/Kademlia: leading zero bits of SHA-256(SHA-256(SPKI)). */
  readonly staticBits: number;
  /** c2 of S/Kademlia: leading zero bits of SHA-256(SHA-256(SPKI) ⊕ X). */
  readonly dynamicBits: number;
}

/** The dynamic puzzle's X: 32 bytes, as long as P. */
export const ID_PUZZLE_X_BYTES = 32;
/** Above this a puzzle would take a browser tab hours; a setting beyond it is a mistake, not a choice. */
export const MAX_ID_PUZZLE_BITS = 32;
/** No puzzle: what links check when the overlay sets none. */
export const NO_ID_PUZZLE: IdPuzzleDifficulty = { staticBits: 0, dynamicBits: 0 };

/**
 * This overlay's default (`p2p.local`), chosen from `npm run bench:sim --
 * --adversaries` and `npm run bench -- --only id-puzzle`: a static puzzle of
 * 10 bits (about 1,000 keys made once, 0.1–0.6 ms each in Chromium and Node
 * here) and a dynamic puzzle of 12 bits (about 4,000 SHA-256). A tab's first
 * start pays about a second on this loaded machine, once. The static puzzle
 * is what makes an eclipse of one key dear (each ID the attacker tries costs
 * 2^10 keys; the dynamic puzzle only adds its cost for the r IDs it keeps), so
 * it carries most of the work. Keys made before it existed fail it and are
 * replaced (a new node ID; the person or the operator's log is told).
 */
export const DEFAULT_ID_PUZZLE: IdPuzzleDifficulty = { staticBits: 10, dynamicBits: 12 };

/** Why a solution does not pass; null when it does. */
export type IdPuzzleProblem = 'static' | 'missing' | 'dynamic';

/** The words people read for a puzzle problem. */
export const ID_PUZZLE_WORDS: Readonly<Record<IdPuzzleProblem, string>> = {
  static: 'its node key does not meet this overlay’s key puzzle',
  missing: 'it presented no solution to this overlay’s node ID puzzle',
  dynamic: 'its solution to this overlay’s node ID puzzle is wrong',
};

/** Number of leading zero bits of `bytes`. */
export function leadingZeroBits(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) {
    if (b === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(b) - 24;
  }
  return n;
}

/** Throws RangeError unless both bit counts are integers in 0..MAX_ID_PUZZLE_BITS. */
export function checkIdPuzzleDifficulty(d: IdPuzzleDifficulty): IdPuzzleDifficulty {
  for (const bits of [d.staticBits, d.dynamicBits]) {
    if (!Number.isInteger(bits) || bits < 0 || bits > MAX_ID_PUZZLE_BITS) {
      throw new RangeError(`a node ID puzzle difficulty is a whole number of bits from 0 to ${MAX_ID_PUZZLE_BITS}, not ${bits}`);
    }
  }
  return d;
}

function xor32(p: Uint8Array, x: Uint8Array): Uint8Array {
  const out = new Uint8Array(ID_PUZZLE_X_BYTES);
  for (let i = 0; i < ID_PUZZLE_X_BYTES; i++) out[i] = p[i]! ^ x[i]!;
  return out;
}

/** True when the key itself meets the static puzzle (SHA-256(SHA-256(SPKI)) has `staticBits` leading zeros). */
export async function meetsStaticPuzzle(spki: Uint8Array, staticBits: number): Promise<boolean> {
  if (staticBits <= 0) return true;
  return leadingZeroBits(await sha256(await sha256(spki))) >= staticBits;
}

/**
 * Checks a node key and its dynamic-puzzle solution `x` against `difficulty`.
 * Returns null when they pass, else what is wrong. Never throws on a peer's
 * bad input: a missing or wrong-sized X is `missing`.
 */
export async function idPuzzleProblem(spki: Uint8Array, x: Uint8Array | undefined, difficulty: IdPuzzleDifficulty): Promise<IdPuzzleProblem | null> {
  if (difficulty.staticBits <= 0 && difficulty.dynamicBits <= 0) return null;
  const p = await sha256(spki);
  if (difficulty.staticBits > 0 && leadingZeroBits(await sha256(p)) < difficulty.staticBits) return 'static';
  if (difficulty.dynamicBits <= 0) return null;
  if (!(x instanceof Uint8Array) || x.length !== ID_PUZZLE_X_BYTES) return 'missing';
  return leadingZeroBits(await sha256(xor32(p, x))) >= difficulty.dynamicBits ? null : 'dynamic';
}

/** Progress of a puzzle search: tries so far and the expected number (2^bits). */
export type IdPuzzleProgress = (tries: number, expected: number) => void;

export interface SolveIdPuzzleOptions {
  /** Called about every 4,096 tries, so a long search can show progress. */
  onProgress?: IdPuzzleProgress;
  /** Stops the search (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Tries per batch: WebCrypto's digest is async, and awaiting many at once halves its overhead. */
const BATCH = 256;

/**
 * Finds an X for the dynamic puzzle of `spki` by trying counters from a
 * random start (so two solvers of one key do not repeat each other's work).
 * Returns X (32 bytes) and how many tries it took; with `dynamicBits` 0 it
 * returns a random X at once.
 */
export async function solveDynamicPuzzle(spki: Uint8Array, dynamicBits: number, opts: SolveIdPuzzleOptions = {}): Promise<{ x: Uint8Array; tries: number }> {
  checkIdPuzzleDifficulty({ staticBits: 0, dynamicBits });
  const start = crypto.getRandomValues(new Uint8Array(ID_PUZZLE_X_BYTES));
  if (dynamicBits === 0) return { x: start, tries: 0 };
  const p = await sha256(spki);
  const expected = 2 ** dynamicBits;
  let tries = 0;
  for (let counter = 0; ; counter += BATCH) {
    opts.signal?.throwIfAborted();
    const xs: Uint8Array[] = [];
    for (let i = 0; i < BATCH; i++) {
      const x = start.slice();
      const n = counter + i;
      // The counter goes into the last 6 bytes; the random prefix keeps X unique.
      for (let b = 0; b < 6; b++) x[ID_PUZZLE_X_BYTES - 1 - b] = (x[ID_PUZZLE_X_BYTES - 1 - b]! + Math.floor(n / 2 ** (8 * b))) & 255;
      xs.push(x);
    }
    const hashes = await Promise.all(xs.map((x) => sha256(xor32(p, x))));
    for (let i = 0; i < BATCH; i++) {
      tries++;
      if (leadingZeroBits(hashes[i]!) >= dynamicBits) return { x: xs[i]!, tries };
    }
    if (opts.onProgress && tries % 4096 === 0) opts.onProgress(tries, expected);
  }
}

/**
 * Makes ECDSA P-256 node keys until one meets the static puzzle of
 * `staticBits` (2^staticBits keys expected). Returns the key pair, its SPKI
 * and how many keys it made.
 */
export async function generatePuzzleKeyPair(
  staticBits: number,
  extractable = false,
  opts: SolveIdPuzzleOptions = {},
): Promise<{ keys: CryptoKeyPair; spki: Uint8Array; tries: number }> {
  checkIdPuzzleDifficulty({ staticBits, dynamicBits: 0 });
  for (let tries = 1; ; tries++) {
    opts.signal?.throwIfAborted();
    const keys = await generateSigningKeyPair(extractable);
    const spki = await exportSpki(keys.publicKey);
    if (await meetsStaticPuzzle(spki, staticBits)) return { keys, spki, tries };
    if (opts.onProgress && tries % 64 === 0) opts.onProgress(tries, 2 ** staticBits);
  }
}
