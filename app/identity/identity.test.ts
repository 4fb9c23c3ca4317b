import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MemoryKeyValueStore,
  MemoryLockManager,
  NODE_SLOT_PREFIX,
  NODE_AGREEMENT_PREFIX,
  exportAgreementPublic,
  generateAgreementKeyPair,
  USER_KEY,
  acquireNodeIdentity,
  canonicalDecode,
  canonicalEncode,
  exportSpki,
  fingerprint,
  fromHex,
  generateSigningKeyPair,
  isNodeId,
  loadUserIdentity,
  nodeIdFromSpki,
  sha256,
  signBytes,
  signValue,
  toHex,
  verifyBytes,
  verifyValue,
  type CanonicalValue,
} from './index';

describe('node IDs', () => {
  it('are the first 160 bits of SHA-256 over the SPKI, lower-case hex', async () => {
    const pair = await generateSigningKeyPair();
    const spki = await exportSpki(pair.publicKey);
    const id = await nodeIdFromSpki(spki);
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(id).toBe(toHex((await sha256(spki)).subarray(0, 20)));
    expect(isNodeId(id)).toBe(true);
    expect(isNodeId(id.toUpperCase())).toBe(false);
    expect(isNodeId(id.slice(1))).toBe(false);
  });

  it('differ between key pairs', async () => {
    const a = await nodeIdFromSpki(await exportSpki((await generateSigningKeyPair()).publicKey));
    const b = await nodeIdFromSpki(await exportSpki((await generateSigningKeyPair()).publicKey));
    expect(a).not.toBe(b);
  });

  it('have short grouped fingerprints', () => {
    expect(fingerprint('3f2a91c077de0011223344556677889900aabbcc')).toBe('3f2a 91c0 77de');
  });
});

describe('signatures', () => {
  it('verify, and fail when any byte of data, signature or key changes', async () => {
    const pair = await generateSigningKeyPair();
    const spki = await exportSpki(pair.publicKey);
    const data = new TextEncoder().encode('REGISTER sip:alice@p2p.local');
    const sig = await signBytes(pair.privateKey, data);
    expect(await verifyBytes(spki, data, sig)).toBe(true);
    for (const i of [0, 7, data.length - 1]) {
      const d = data.slice();
      d[i]! ^= 1;
      expect(await verifyBytes(spki, d, sig)).toBe(false);
    }
    for (const i of [0, 31, 63]) {
      const s = sig.slice();
      s[i]! ^= 0x80;
      expect(await verifyBytes(spki, data, s)).toBe(false);
    }
    const other = await exportSpki((await generateSigningKeyPair()).publicKey);
    expect(await verifyBytes(other, data, sig)).toBe(false);
  });

  it('never throw on garbage keys or signatures', async () => {
    expect(await verifyBytes(new Uint8Array([1, 2, 3]), new Uint8Array(1), new Uint8Array(64))).toBe(false);
    expect(await verifyBytes(new Uint8Array(0), new Uint8Array(1), new Uint8Array(3))).toBe(false);
    expect(await verifyBytes(new Uint8Array(5000), new Uint8Array(1), new Uint8Array(64))).toBe(false);
  });

  it('cover records through their canonical encoding', async () => {
    const pair = await generateSigningKeyPair();
    const spki = await exportSpki(pair.publicKey);
    const record = { key: 'user:alice', version: 3, value: new Uint8Array([9, 9]), expires: 1_700_000_000_000 };
    const sig = await signValue(pair.privateKey, record);
    // Key order does not matter to the canonical form.
    expect(await verifyValue(spki, { expires: record.expires, value: record.value, version: 3, key: 'user:alice' }, sig)).toBe(true);
    expect(await verifyValue(spki, { ...record, version: 4 }, sig)).toBe(false);
  });
});

const canonicalArb: fc.Arbitrary<CanonicalValue> = fc.letrec<{ v: CanonicalValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie('v'), { maxKeys: 5 }),
  ),
})).v;

describe('canonical encoding', () => {
  it('round-trips every value and has one encoding per value', () => {
    fc.assert(
      fc.property(canonicalArb, (v) => {
        const bytes = canonicalEncode(v);
        const back = canonicalDecode(bytes);
        expect(back).toEqual(v);
        expect(toHex(canonicalEncode(back))).toBe(toHex(bytes));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('refuses random bytes with EncodingError, or decodes them canonically', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        let v: CanonicalValue;
        try {
          v = canonicalDecode(bytes, { maxItems: 1000 });
        } catch (e) {
          expect((e as Error).name).toBe('EncodingError');
          return;
        }
        expect(toHex(canonicalEncode(v))).toBe(toHex(bytes));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('refuses non-canonical forms and hostile sizes', () => {
    expect(() => canonicalDecode(fromHex('038000'))).toThrow(/non-canonical/); // padded varint
    expect(() => canonicalDecode(fromHex('0902' + '0162' + '00' + '0161' + '00'))).toThrow(/order/);
    expect(() => canonicalDecode(fromHex('08ffffffff0f'))).toThrow(/items/);
    expect(() => canonicalDecode(fromHex('07ffffff7f'))).toThrow(/past the end/);
    expect(() => canonicalDecode(new Uint8Array(200).fill(8))).toThrow(/deep|end/);
    expect(() => canonicalEncode({ a: new Date() as unknown as CanonicalValue })).toThrow(/plain/);
    const proto = canonicalDecode(canonicalEncode(JSON.parse('{"__proto__": 1}') as CanonicalValue)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__']);
  });
});

describe('node identity pool', () => {
  it('gives two live tabs different IDs and a reloaded tab its own ID back', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const a = await acquireNodeIdentity({ store, locks });
    const b = await acquireNodeIdentity({ store, locks });
    expect(a.identity.nodeId).not.toBe(b.identity.nodeId);
    expect([a.identity.slot, b.identity.slot]).toEqual([0, 1]);
    // Tab a reloads: its lock goes, and the new page asks for its slot first.
    a.lock.release();
    const a2 = await acquireNodeIdentity({ store, locks, preferredSlot: a.identity.slot });
    expect(a2.identity.nodeId).toBe(a.identity.nodeId);
    // Tab b reloads while slot 0 is held.
    b.lock.release();
    const b2 = await acquireNodeIdentity({ store, locks, preferredSlot: 1 });
    expect(b2.identity.nodeId).toBe(b.identity.nodeId);
    expect(a2.warnings).toEqual([]);
  });

  it('keeps the agreement key with the node key across a reload, and replaces a damaged one', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const a = await acquireNodeIdentity({ store, locks });
    const key = await exportAgreementPublic(a.identity.agreementKey.publicKey);
    a.lock.release();
    const again = await acquireNodeIdentity({ store, locks, preferredSlot: 0 });
    expect(await exportAgreementPublic(again.identity.agreementKey.publicKey)).toEqual(key);
    again.lock.release();
    const stored = (await store.get(NODE_AGREEMENT_PREFIX + 0)) as Record<string, unknown>;
    const other = await generateAgreementKeyPair();
    await store.set(NODE_AGREEMENT_PREFIX + 0, { ...stored, publicKey: other.publicKey });
    const repaired = await acquireNodeIdentity({ store, locks, preferredSlot: 0 });
    expect(repaired.identity.nodeId).toBe(a.identity.nodeId);
    expect(await exportAgreementPublic(repaired.identity.agreementKey.publicKey)).not.toEqual(key);
  });

  it('waits briefly for a preferred slot the old page still holds', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const a = await acquireNodeIdentity({ store, locks });
    setTimeout(() => a.lock.release(), 20);
    const again = await acquireNodeIdentity({ store, locks, preferredSlot: 0, preferredWaitMs: 2000 });
    expect(again.identity.nodeId).toBe(a.identity.nodeId);
  });

  it('takes another slot when the preferred one stays busy', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const a = await acquireNodeIdentity({ store, locks });
    const b = await acquireNodeIdentity({ store, locks, preferredSlot: 0, preferredWaitMs: 10 });
    expect(b.identity.slot).toBe(1);
    expect(b.identity.nodeId).not.toBe(a.identity.nodeId);
  });

  it('detects tampered stored keys and replaces them with a clear warning', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const a = await acquireNodeIdentity({ store, locks });
    a.lock.release();
    const stored = (await store.get(NODE_SLOT_PREFIX + 0)) as Record<string, unknown>;
    const other = await generateSigningKeyPair();
    const tamperings: unknown[] = [
      'garbage',
      42,
      null,
      { ...stored, id: '0'.repeat(40) },
      { ...stored, spki: new Uint8Array(91) },
      { ...stored, privateKey: other.privateKey },
      { ...stored, publicKey: other.publicKey },
      { ...stored, version: 2 },
    ];
    for (const bad of tamperings) {
      await store.set(NODE_SLOT_PREFIX + 0, bad);
      const b = await acquireNodeIdentity({ store, locks, preferredSlot: 0 });
      expect(b.identity.slot).toBe(0);
      expect(b.warnings.join(' ')).toMatch(/damaged.*new node ID/);
      expect(b.identity.nodeId).toBe(await nodeIdFromSpki(b.identity.spki));
      const data = new Uint8Array([5]);
      expect(await verifyBytes(b.identity.spki, data, await signBytes(b.identity.privateKey, data))).toBe(true);
      b.lock.release();
    }
  });

  it('says what is wrong when every slot is taken', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    await acquireNodeIdentity({ store, locks, maxSlots: 1 });
    await expect(acquireNodeIdentity({ store, locks, maxSlots: 1 })).rejects.toThrow(/in use by other tabs/);
  });

  it('reports a stolen slot', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const a = await acquireNodeIdentity({ store, locks });
    let lost = false;
    void a.lock.lost.then(() => (lost = true));
    await locks.request(`p2p-softphone-node-identity-0`, { steal: true }, () => undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(lost).toBe(true);
  });
});

describe('user identity', () => {
  it('is shared by the tabs of a profile and differs between profiles', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const [u1, u2] = await Promise.all([loadUserIdentity(store, locks), loadUserIdentity(store, locks)]);
    expect(u1.identity.userId).toBe(u2.identity.userId);
    const other = await loadUserIdentity(new MemoryKeyValueStore(), new MemoryLockManager());
    expect(other.identity.userId).not.toBe(u1.identity.userId);
    expect(u1.identity.ecdhSpki.length).toBeGreaterThan(60);
  });

  it('replaces a damaged user key with a clear warning', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const first = await loadUserIdentity(store, locks);
    await store.set(USER_KEY, { version: 1, signing: 'x', ecdh: {} });
    const again = await loadUserIdentity(store, locks);
    expect(again.identity.userId).not.toBe(first.identity.userId);
    expect(again.warnings.join(' ')).toMatch(/damaged/);
    const third = await loadUserIdentity(store, locks);
    expect(third.identity.userId).toBe(again.identity.userId);
    expect(third.warnings).toEqual([]);
  });
});
