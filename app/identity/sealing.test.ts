/** Sealing for one recipient key, and padding to buckets: round trips, and refusals of what was altered or is malformed. */
import { describe, expect, it } from 'vitest';
import { InvalidKeyError } from './errors';
import { bucketFor, padToBucket, ROUTED_PAD_BUCKETS, unpadBucket } from './padding';
import { deriveSealingKey, exportAgreementPublic, generateAgreementKeyPair, importAgreementPublic, openBytes, sealBytes, SEAL_OVERHEAD_BYTES } from './sealing';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('padding to buckets', () => {
  it('pads to the smallest bucket that holds the bytes and its marker, and unpads exactly', () => {
    for (const n of [0, 1, 1022, 1023, 1024, 5000, 65_536]) {
      const bytes = new Uint8Array(n).fill(7);
      const padded = padToBucket(bytes, ROUTED_PAD_BUCKETS);
      expect(padded.length).toBe(bucketFor(n, ROUTED_PAD_BUCKETS));
      expect(unpadBucket(padded, ROUTED_PAD_BUCKETS)).toEqual(bytes);
    }
    expect(padToBucket(new Uint8Array(1023), ROUTED_PAD_BUCKETS).length).toBe(1024);
    expect(padToBucket(new Uint8Array(1024), ROUTED_PAD_BUCKETS).length).toBe(4096);
  });

  it('refuses what fits no bucket, and padding that is not a bucket or has no marker', () => {
    expect(() => padToBucket(new Uint8Array(69_632), ROUTED_PAD_BUCKETS)).toThrow(RangeError);
    expect(unpadBucket(new Uint8Array(1000), ROUTED_PAD_BUCKETS)).toBeNull();
    expect(unpadBucket(new Uint8Array(1024), ROUTED_PAD_BUCKETS)).toBeNull();
    const noMarker = new Uint8Array(1024);
    noMarker[10] = 0x81;
    expect(unpadBucket(noMarker, ROUTED_PAD_BUCKETS)).toBeNull();
  });
});

describe('sealing for a recipient key', () => {
  async function pairOfKeys(): Promise<[CryptoKey, CryptoKey]> {
    const sender = await generateAgreementKeyPair();
    const recipient = await generateAgreementKeyPair();
    const salt = enc('salt');
    const info = enc('info');
    return [
      await deriveSealingKey(sender.privateKey, recipient.publicKey, salt, info),
      await deriveSealingKey(recipient.privateKey, sender.publicKey, salt, info),
    ];
  }

  it('opens with the key the recipient derives, and only for the same additional data', async () => {
    const [mine, theirs] = await pairOfKeys();
    const box = await sealBytes(mine, enc('hello bob'), enc('header'));
    expect(box.length).toBe(9 + SEAL_OVERHEAD_BYTES);
    expect(await openBytes(theirs, box, enc('header'))).toEqual(enc('hello bob'));
    expect(await openBytes(theirs, box, enc('other header'))).toBeNull();
  });

  it('refuses a box altered by one byte, cut short, or sealed for another key', async () => {
    const [mine, theirs] = await pairOfKeys();
    const [, stranger] = await pairOfKeys();
    const box = await sealBytes(mine, enc('hello bob'), enc('h'));
    for (let i = 0; i < box.length; i += 7) {
      const altered = box.slice();
      altered[i] = altered[i]! ^ 1;
      expect(await openBytes(theirs, altered, enc('h'))).toBeNull();
    }
    expect(await openBytes(theirs, box.subarray(0, 20), enc('h'))).toBeNull();
    expect(await openBytes(stranger, box, enc('h'))).toBeNull();
  });

  it('imports only uncompressed P-256 points', async () => {
    const raw = await exportAgreementPublic((await generateAgreementKeyPair()).publicKey);
    expect(raw.length).toBe(65);
    await expect(importAgreementPublic(raw)).resolves.toBeTruthy();
    const offCurve = raw.slice();
    offCurve[64] = offCurve[64]! ^ 1;
    for (const bad of [new Uint8Array(0), raw.subarray(0, 33), new Uint8Array(65), offCurve]) {
      await expect(importAgreementPublic(bad)).rejects.toBeInstanceOf(InvalidKeyError);
    }
  });
});
