/**
 * A stand-in for ECDSA in large simulations: a keyed 64-byte checksum, not
 * a signature (anyone can compute it). It costs microseconds where WebCrypto
 * costs a millisecond, so 10,000 nodes fit on two cores. Benchmarks that use
 * it say so; tests of refusals use real ECDSA.
 */
import { sha256 } from '../../identity';
import type { RecordSigner, RecordVerifier } from '../storage/record';

function checksum(owner: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const b of owner) {
    h1 = Math.imul(h1 ^ b, 16777619);
    h2 = Math.imul(h2 ^ b, 2246822519);
  }
  for (let i = 0; i < payload.length; i++) {
    h1 = Math.imul(h1 ^ payload[i]!, 16777619);
    h2 = Math.imul(h2 ^ payload[i]!, 2246822519) ^ (h1 >>> 13);
  }
  for (let i = 0; i < 64; i += 4) {
    h1 = Math.imul(h1 ^ (h2 >>> 7), 2654435761);
    h2 = Math.imul(h2 ^ (h1 >>> 11), 1597334677);
    out[i] = h1 & 255;
    out[i + 1] = (h1 >>> 8) & 255;
    out[i + 2] = h2 & 255;
    out[i + 3] = (h2 >>> 8) & 255;
  }
  return out;
}

export function cheapSigner(spki: Uint8Array): RecordSigner {
  return { spki, sign: (payload) => Promise.resolve(checksum(spki, payload)) };
}

export const cheapVerifier: RecordVerifier = {
  verify: (spki, payload, signature) => {
    const expect = checksum(spki, payload);
    return Promise.resolve(signature.length === 64 && expect.every((b, i) => b === signature[i]));
  },
  digest: (bytes) => sha256(bytes),
};
