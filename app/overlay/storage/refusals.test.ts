/**
 * Forged, unsigned, wrong-owner, expired, over-quota and oversized writes
 * are refused with a reason by every replica, and leave the stores as they
 * were. Real ECDSA P-256 signatures (WebCrypto).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, utf8 } from '../../identity';
import { MAX_VALUE_BYTES, MAX_TTL_MS } from '../constants';
import { RecordRefusedError } from '../errors';
import { Simulation } from '../sim/simulation';
import { getRecords } from './client';
import { putRecord } from './put';
import { checkRecordStatic, createRecord, recordCost, type RecordSigner, type WireRecord } from './record';
import { webCryptoSigner, webCryptoVerifier } from './web-crypto';

const KEY = new Uint8Array(20).fill(7);

describe('refused writes', () => {
  const sim = new Simulation({ seed: 11, verifier: webCryptoVerifier, overlay: { quotaRecords: 3 }, network: { linkEvents: false } });
  let alice: RecordSigner;
  let mallory: RecordSigner;
  const now = (): number => sim.clock.now();
  /** The clock skew every check tolerates (identity/clock-skew.ts). */
  const SKEW = 10 * 60_000;
  const snapshot = (): string =>
    JSON.stringify([...sim.nodes.values()].map((n) => n.replication.store.all().map((r) => [n.id, r.sub, r.version, [...r.value.slice(0, 4)]])));
  const record = (signer: RecordSigner, over: Partial<{ sub: string; value: Uint8Array; version: number; expires: number; kind: 'single' | 'dict' }> = {}): Promise<WireRecord> =>
    createRecord(signer, { key: KEY, kind: over.kind ?? 'single', sub: over.sub ?? '', value: over.value ?? utf8('hello'), version: over.version ?? 1, expires: over.expires ?? now() + 60_000 });

  beforeAll(async () => {
    alice = await webCryptoSigner(await generateSigningKeyPair());
    mallory = await webCryptoSigner(await generateSigningKeyPair());
    sim.buildByOracle(12);
    await sim.run(10_000);
    const put = await sim.until(putRecord(sim.randomLive(), await record(alice)));
    expect(put.stored.length).toBe(4);
  });

  /** Sends a record straight to every replica (bypassing the writer's own checks) and returns their answers. */
  async function refusedEverywhere(r: WireRecord): Promise<string[]> {
    const writer = sim.randomLive();
    const before = snapshot();
    const lookup = await sim.until(writer.lookup(KEY.reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')));
    const answers = await Promise.all(lookup.replicas.map((hex) => sim.nodes.get(hex)!.replication.accept([r]).then((x) => x[0])));
    expect(snapshot()).toBe(before);
    return answers.map((a) => a ?? 'accepted');
  }

  it('refuses a forged record (mallory signs, claims alice as owner)', async () => {
    const forged = { ...(await record(mallory, { version: 9, value: utf8('evil') })), owner: alice.spki };
    expect(await refusedEverywhere(forged)).toEqual(Array(4).fill('bad-signature'));
  });

  it('refuses an unsigned record', async () => {
    const unsigned = { ...(await record(alice, { version: 9 })), sig: new Uint8Array(0) };
    expect(await refusedEverywhere(unsigned)).toEqual(Array(4).fill('unsigned'));
  });

  it('refuses a value changed after signing', async () => {
    const tampered = { ...(await record(alice, { version: 9 })), value: utf8('changed') };
    expect(await refusedEverywhere(tampered)).toEqual(Array(4).fill('bad-signature'));
  });

  it("refuses another owner's write to a live record", async () => {
    expect(await refusedEverywhere(await record(mallory, { version: 99 }))).toEqual(Array(4).fill('wrong-owner'));
  });

  it('refuses an expired record and one that asks to live too long', async () => {
    expect(await refusedEverywhere(await record(alice, { version: 9, expires: now() - SKEW - 1 }))).toEqual(Array(4).fill('expired'));
    expect(await refusedEverywhere(await record(alice, { version: 9, expires: now() + MAX_TTL_MS + SKEW + 60_000 }))).toEqual(Array(4).fill('bad-expiry'));
  });

  it('takes records from writers whose clocks are up to 10 minutes behind or ahead', async () => {
    // Behind: by the replicas' clocks it expired 6 minutes ago; ahead: the longest lifetime, from 6 minutes in the future.
    for (const [version, expires] of [[10, now() - 6 * 60_000], [11, now() + 6 * 60_000 + MAX_TTL_MS]] as const) {
      const put = await sim.until(putRecord(sim.randomLive(), await record(alice, { kind: 'dict', sub: `skew${version}`, version, expires })));
      expect(put.refused).toEqual({});
      const got = await sim.until(getRecords(sim.randomLive(), KEY, { sub: `skew${version}` }));
      expect(got.map((r) => r.version)).toEqual([version]);
    }
  });

  it('refuses an oversized value', async () => {
    expect(await refusedEverywhere(await record(alice, { version: 9, value: new Uint8Array(MAX_VALUE_BYTES + 1) }))).toEqual(Array(4).fill('too-large'));
  });

  it('refuses writes over the per-owner record quota', async () => {
    for (const sub of ['a', 'b', 'c']) {
      const put = await sim.until(putRecord(sim.randomLive(), await record(mallory, { kind: 'dict', sub })));
      expect(put.refused).toEqual({});
    }
    expect(await refusedEverywhere(await record(mallory, { kind: 'dict', sub: 'd' }))).toEqual(Array(4).fill('over-quota'));
  });

  it('counts a dictionary sub-key in bytes of UTF-8: 128 bytes of ñ, € or 😀 pass, one character more is refused', async () => {
    for (const [c, bytes] of [['ñ', 2], ['€', 3], ['😀', 4]] as const) {
      const fits = c.repeat(Math.floor(128 / bytes));
      expect(checkRecordStatic(await record(alice, { kind: 'dict', sub: fits }), now())).toBeNull();
      // One more character: fewer UTF-16 units than 128 (so a count of units lets it through), more than 128 bytes.
      const over = await record(alice, { version: 9, kind: 'dict', sub: fits + c });
      expect(over.sub.length).toBeLessThanOrEqual(128);
      expect(await refusedEverywhere(over)).toEqual(Array(4).fill('too-large'));
      // What a record costs against its owner's quota counts the same bytes.
      expect(recordCost(over)).toBe(over.value.length + new TextEncoder().encode(over.sub).length + 64);
    }
  });

  it('the writer refuses invalid records before sending, and readers still get the good one', async () => {
    await expect(putRecord(sim.randomLive(), await record(alice, { version: 9, expires: now() - SKEW - 1 }))).rejects.toBeInstanceOf(RecordRefusedError);
    const got = await sim.until(getRecords(sim.randomLive(), KEY, { sub: '' }));
    expect(got.map((r) => new TextDecoder().decode(r.value))).toEqual(['hello']);
  });
});
