/**
 * Reed-Solomon erasure coding of one stripe at a time: k data fragments and
 * m - k parity fragments, any k of which rebuild the stripe (GF(2^8), see
 * gf256.ts). `ErasureCoder` hides whether it runs inline (Node tests) or in
 * a Web Worker (the browser, app/mail/worker-coder.ts).
 */
import { MAX_M, MIN_K } from './constants';
import { MailError } from './errors';
import { encodeShards, reconstructShards } from './gf256';

export interface ErasureCoder {
  /** Codes `data` (at most k × fragment size) into m fragments of ceil(len / k) bytes each. */
  encodeStripe(data: Uint8Array, k: number, m: number): Promise<Uint8Array[]>;
  /** Rebuilds `length` bytes from any k of the m fragments (null: missing). */
  decodeStripe(fragments: readonly (Uint8Array | null)[], k: number, m: number, length: number): Promise<Uint8Array>;
  close(): void;
}

export function checkKM(k: number, m: number): void {
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < MIN_K || m <= k || m > MAX_M) {
    throw new MailError('bad-input', `k = ${k} and m = ${m} are out of range: need whole numbers with ${MIN_K} ≤ k < m ≤ ${MAX_M}.`);
  }
}

/** Fragment size for a stripe of `length` bytes. */
export function shardSize(length: number, k: number): number {
  return Math.max(1, Math.ceil(length / k));
}

/** The coding itself, synchronous; used inline and inside the worker. */
export class RsStripeCoder {
  encode(data: Uint8Array, k: number, m: number): Uint8Array[] {
    checkKM(k, m);
    const size = shardSize(data.length, k);
    const shards: Uint8Array[] = [];
    for (let i = 0; i < m; i++) {
      const shard = new Uint8Array(size);
      if (i < k) shard.set(data.subarray(i * size, Math.min(data.length, (i + 1) * size)));
      shards.push(shard);
    }
    encodeShards(shards, k, m);
    return shards;
  }

  decode(fragments: readonly (Uint8Array | null)[], k: number, m: number, length: number): Uint8Array {
    checkKM(k, m);
    if (fragments.length !== m) throw new MailError('bad-input', `A stripe needs ${m} fragment slots, got ${fragments.length}.`);
    const size = shardSize(length, k);
    const have = fragments.filter((f) => f !== null).length;
    if (have < k) throw new MailError('unrecoverable', `Only ${have} of the ${k} fragments needed to rebuild a part of this message could be found.`);
    fragments.forEach((f, i) => {
      if (f && f.length !== size) throw new MailError('damaged', `Fragment ${i} has ${f.length} bytes where ${size} were expected.`);
    });
    const data = reconstructShards([...fragments], k, m, size);
    const out = new Uint8Array(length);
    data.forEach((d, i) => {
      const at = i * size;
      if (at < length) out.set(d.subarray(0, Math.min(size, length - at)), at);
    });
    return out;
  }
}

/** Runs the coding on the calling thread (Node, tests, and the browser when workers are unavailable). */
export class InlineCoder implements ErasureCoder {
  constructor(private readonly coder: RsStripeCoder) {}

  encodeStripe(data: Uint8Array, k: number, m: number): Promise<Uint8Array[]> {
    return new Promise((resolve) => resolve(this.coder.encode(data, k, m)));
  }

  decodeStripe(fragments: readonly (Uint8Array | null)[], k: number, m: number, length: number): Promise<Uint8Array> {
    return new Promise((resolve) => resolve(this.coder.decode(fragments, k, m, length)));
  }

  close(): void {}
}
