/**
 * Reed-Solomon erasure coding over GF(2^8), systematic, in plain TypeScript
 * (the construction of Backblaze's JavaReedSolomon and klauspost/reedsolomon):
 * a Vandermonde matrix turned so its top k rows are the identity, so the
 * first k fragments are the data itself and any k rows stay invertible.
 *
 * Why not a library: the WebAssembly one we measured
 * (@digitaldefiance/reed-solomon-erasure.wasm 1.0.2, the same binary as
 * @subspace's 0.2.5) fails to rebuild 90 of the 163 loss patterns of a 4+8
 * code and then corrupts its own heap (wee_alloc "memory access out of
 * bounds"); the other packages are native Node addons or unmaintained.
 */

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]!;
}

export function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

function gfInv(a: number): number {
  if (a === 0) throw new RangeError('zero has no inverse');
  return EXP[255 - LOG[a]!]!;
}

/** Multiplication tables, one 256-byte row per coefficient, made on first use. */
const MUL_ROWS: (Uint8Array | undefined)[] = [];
function mulRow(c: number): Uint8Array {
  let row = MUL_ROWS[c];
  if (!row) {
    row = new Uint8Array(256);
    for (let x = 0; x < 256; x++) row[x] = gfMul(c, x);
    MUL_ROWS[c] = row;
  }
  return row;
}

type Matrix = Uint8Array[];

function invert(a: Matrix): Matrix {
  const n = a.length;
  const m = a.map((row, i) => {
    const r = new Uint8Array(2 * n);
    r.set(row);
    r[n + i] = 1;
    return r;
  });
  for (let c = 0; c < n; c++) {
    let p = c;
    while (p < n && m[p]![c] === 0) p++;
    if (p === n) throw new RangeError('singular matrix');
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]!;
    const inv = gfInv(pivot[c]!);
    for (let j = 0; j < 2 * n; j++) pivot[j] = gfMul(pivot[j]!, inv);
    for (let r = 0; r < n; r++) {
      if (r === c || m[r]![c] === 0) continue;
      const f = m[r]![c]!;
      const row = m[r]!;
      for (let j = 0; j < 2 * n; j++) row[j]! ^= gfMul(f, pivot[j]!);
    }
  }
  return m.map((r) => r.slice(n));
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const cols = b[0]!.length;
  return a.map((row) => {
    const out = new Uint8Array(cols);
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let i = 0; i < row.length; i++) s ^= gfMul(row[i]!, b[i]![c]!);
      out[c] = s;
    }
    return out;
  });
}

const MATRICES = new Map<string, Matrix>();

/** The m × k coding matrix whose top k rows are the identity. */
export function codingMatrix(k: number, m: number): Matrix {
  const id = `${k}/${m}`;
  let e = MATRICES.get(id);
  if (!e) {
    const v: Matrix = [];
    for (let r = 0; r < m; r++) {
      const row = new Uint8Array(k);
      for (let c = 0; c < k; c++) row[c] = c === 0 ? 1 : r === 0 ? 0 : EXP[(LOG[r]! * c) % 255]!;
      v.push(row);
    }
    e = multiply(v, invert(v.slice(0, k)));
    MATRICES.set(id, e);
  }
  return e;
}

/** out ^= coef × input, byte by byte. */
function addScaled(out: Uint8Array, input: Uint8Array, coef: number): void {
  if (coef === 0) return;
  const n = out.length;
  if (coef === 1) {
    for (let i = 0; i < n; i++) out[i]! ^= input[i]!;
    return;
  }
  const row = mulRow(coef);
  for (let i = 0; i < n; i++) out[i]! ^= row[input[i]!]!;
}

/** out = Σ coefs[j] × inputs[j]; four inputs per pass, so each output byte is read and written once per four. */
function combine(out: Uint8Array, inputs: readonly Uint8Array[], coefs: ArrayLike<number>): void {
  out.fill(0);
  const n = out.length;
  let j = 0;
  for (; j + 4 <= inputs.length; j += 4) {
    const a = inputs[j]!;
    const b = inputs[j + 1]!;
    const c = inputs[j + 2]!;
    const d = inputs[j + 3]!;
    const ra = mulRow(coefs[j]!);
    const rb = mulRow(coefs[j + 1]!);
    const rc = mulRow(coefs[j + 2]!);
    const rd = mulRow(coefs[j + 3]!);
    for (let i = 0; i < n; i++) out[i] = out[i]! ^ ra[a[i]!]! ^ rb[b[i]!]! ^ rc[c[i]!]! ^ rd[d[i]!]!;
  }
  for (; j < inputs.length; j++) addScaled(out, inputs[j]!, coefs[j]!);
}

/** Fills the m - k parity shards from the k data shards (all of one size). */
export function encodeShards(shards: Uint8Array[], k: number, m: number): void {
  const e = codingMatrix(k, m);
  const data = shards.slice(0, k);
  for (let r = k; r < m; r++) combine(shards[r]!, data, e[r]!);
}

/** Rebuilds the missing data shards in place from the first k present shards. */
export function reconstructShards(shards: (Uint8Array | null)[], k: number, m: number, size: number): Uint8Array[] {
  const present: number[] = [];
  for (let i = 0; i < m && present.length < k; i++) if (shards[i]) present.push(i);
  if (present.length < k) throw new RangeError('too few shards');
  const out = shards.slice(0, k) as (Uint8Array | null)[];
  if (present.every((p, i) => p === i)) return out as Uint8Array[];
  const e = codingMatrix(k, m);
  const decode = invert(present.map((p) => e[p]!));
  const inputs = present.map((p) => shards[p]!);
  for (let c = 0; c < k; c++) {
    if (out[c]) continue;
    const shard = new Uint8Array(size);
    combine(shard, inputs, decode[c]!);
    out[c] = shard;
  }
  return out as Uint8Array[];
}
