/**
 * Deletion, expiry, quotas and bad input on the simulated overlay: each gives
 * a clear error and leaves the mailbox and the holders' stores intact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalDecode, canonicalEncode } from '../identity';
import { bytesToHexId, createRecord } from '../overlay';
import { newMessageKey } from './cipher';
import { fetchMessage, messageHealth } from './fetch';
import { mailboxKey } from './keys';
import { deleteMessage, listMailbox } from './mailbox';
import { encodeSignedManifest, fragmentKey, type Manifest } from './manifest';
import { sealEntry } from './sealed-entry';
import { messageSigner, sendMessage } from './send';
import { fakeResolver, makePerson, MailWorld, nodeCoder, type Person } from './testing/kit';

const coder = nodeCoder();
const settings = { k: 4, m: 8, fragmentBytes: 16 * 1024, ttlMs: 3_600_000 };
const recording = (n: number) => ({ bytes: new Uint8Array(n).map((_, i) => (i * 7) & 255), type: 'video/webm', durationMs: 3000, thumbnail: null });

describe('deleting, expiry, quotas and bad input', () => {
  /** The clock skew every check tolerates (identity/clock-skew.ts). */
  const SKEW = 10 * 60_000;
  const world = new MailWorld(10, 33, { quotaBytes: 2 * 1024 * 1024 });
  let alice: Person, bob: Person, mallory: Person;
  let resolve: ReturnType<typeof fakeResolver>;
  const storeSizes = (): number[] => [...world.sim.nodes.values()].map((n) => n.recordCount);

  beforeAll(async () => {
    [alice, bob, mallory] = (await Promise.all(['alice', 'bob', 'mallory'].map(makePerson))) as [Person, Person, Person];
    resolve = fakeResolver([alice, bob, mallory]);
    await world.settle();
  });

  it('deletes with signed tombstones: the mailbox forgets it and every holder drops the fragment bytes', async () => {
    await world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(100_000), settings }));
    const [item] = (await world.run(listMailbox(world.io(), bob, resolve))).items;
    const keys = Array.from({ length: 8 }, (_, i) => bytesToHexId(fragmentKey(item!.manifest, 0, i)));
    const { fragmentsDropped } = await world.run(deleteMessage(world.io(), bob, item!));
    expect(fragmentsDropped).toBe(item!.manifest.keys.length / 20);
    expect((await world.run(listMailbox(world.io(), bob, resolve))).items).toEqual([]);
    for (const k of keys) for (const id of world.holders(k)) expect(world.sim.nodes.get(id)!.localRecord(k)!.value.length).toBe(0);
    expect((await world.run(messageHealth(world.io(), item!.manifest))).deleted).toBe(true);
    await expect(world.run(fetchMessage({ overlay: world.io(), coder, manifest: item!.manifest, keys: bob }))).rejects.toMatchObject({ code: 'deleted' });
  }, 300_000);

  it('nobody without the message key can delete: a tombstone by another key is refused', async () => {
    await world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(20_000), settings }));
    const [item] = (await world.run(listMailbox(world.io(), bob, resolve))).items;
    const other = await newMessageKey();
    const forged = await createRecord(messageSigner(other.pair.privateKey, other.spki), { key: fragmentKey(item!.manifest, 0, 0).slice(), kind: 'blob', value: new Uint8Array(0), version: 9, expires: item!.expires });
    const put = await world.run(world.io().put(forged));
    expect(put.stored).toEqual([]);
    expect(Object.values(put.refused)).toContain('wrong-owner');
    expect((await world.run(messageHealth(world.io(), item!.manifest))).online).toBe(8);
  }, 300_000);

  it('lets messages expire: after the lifetime the mailbox is empty and holders drop the fragments', async () => {
    const before = storeSizes().reduce((a, b) => a + b, 0);
    await world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(30_000), settings: { ...settings, ttlMs: 120_000 } }));
    expect(storeSizes().reduce((a, b) => a + b, 0)).toBeGreaterThan(before);
    // A lifetime ends on every clock within the tolerated skew (10 min) of the reader's.
    await world.sim.run(200_000 + SKEW);
    const listing = await world.run(listMailbox(world.io(), bob, resolve));
    expect(listing.items.every((i) => i.manifest.expires + SKEW > world.sim.clock.now())).toBe(true);
    expect(storeSizes().reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(before + 64);
  }, 300_000);

  it('refuses a message over the holders\' quota, and announces nothing', async () => {
    const err = await world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(8 * 1024 * 1024), settings: { ...settings, fragmentBytes: 128 * 1024 } })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store-failed', message: expect.stringMatching(/over-quota/) });
    const listing = await world.run(listMailbox(world.io(), bob, resolve));
    expect(listing.items.some((i) => i.size === 8 * 1024 * 1024)).toBe(false);
  }, 300_000);

  it('refuses bad settings and oversized or empty recordings before storing anything', async () => {
    const before = JSON.stringify(storeSizes());
    for (const s of [{ ...settings, k: 5, m: 4 }, { ...settings, k: 0 }, { ...settings, m: 40 }, { ...settings, fragmentBytes: 10 }]) {
      await expect(world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(1000), settings: s }))).rejects.toMatchObject({ code: 'bad-input' });
    }
    await expect(world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(17 * 1024 * 1024), settings }))).rejects.toMatchObject({ code: 'too-large' });
    await expect(world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(0), settings }))).rejects.toMatchObject({ code: 'bad-input' });
    await expect(world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'nobody', resolve, recording: recording(10), settings }))).rejects.toMatchObject({ code: 'unknown-recipient' });
    expect(JSON.stringify(storeSizes())).toBe(before);
  });

  let planted = 0;
  /**
   * Mallory writes an entry into bob's mailbox with a manifest changed by `edit`, signed as `asSender` (herself by default),
   * sealed for bob unless `unsealed`; raw bytes from `edit` go in as they are.
   */
  async function plant(edit: (m: Manifest) => Manifest | Uint8Array, opts: { asSender?: Person; breakSig?: boolean; unsealed?: boolean } = {}): Promise<void> {
    await world.run(sendMessage({ overlay: world.io(), coder, from: mallory, to: 'bob', resolve, recording: recording(5000), settings }));
    const { items } = await world.run(listMailbox(world.io(), bob, resolve));
    const real = items.find((i) => i.from === 'mallory')!;
    const msgKey = await newMessageKey();
    const edited = edit({ ...real.manifest, id: (++planted).toString(16).padStart(32, 'e'), msgKey: msgKey.spki });
    let value: Uint8Array;
    if (edited instanceof Uint8Array) value = edited;
    else {
      value = await encodeSignedManifest(edited, (opts.asSender ?? mallory).signingPrivateKey);
      if (opts.breakSig) {
        const outer = canonicalDecode(value) as { body: Uint8Array; sig: Uint8Array };
        const body = outer.body.slice();
        body[body.length - 3] = body[body.length - 3]! ^ 1;
        value = canonicalEncode({ body, sig: outer.sig });
      }
      if (!opts.unsealed) value = await sealEntry(value, bob.ecdhPublicKey, edited.id, msgKey.spki);
    }
    const id = edited instanceof Uint8Array ? (++planted).toString(16).padStart(32, 'b') : edited.id;
    const rec = await createRecord(messageSigner(msgKey.pair.privateKey, msgKey.spki), { key: await mailboxKey('bob'), kind: 'dict', sub: id, value, version: 1, expires: world.sim.clock.now() + 3_600_000 });
    await world.run(world.io().put(rec));
    // The real message goes away again so only the planted one is new.
    await world.run(deleteMessage(world.io(), bob, real));
  }

  async function problems(): Promise<string[]> {
    const listing = await world.run(listMailbox(world.io(), bob, resolve));
    return listing.problems.map((p) => p.message);
  }

  it('ignores a mailbox entry that is not a manifest at all, with a reason', async () => {
    await plant(() => new Uint8Array([1, 2, 3, 4]));
    expect(await problems()).toContainEqual(expect.stringMatching(/description is invalid \(not readable\)/));
  }, 300_000);

  it('ignores a manifest with k or m out of range, or a fragment list that does not match its size', async () => {
    await plant((m) => ({ ...m, k: 9, m: 8 }));
    await plant((m) => ({ ...m, keys: m.keys.slice(20) }));
    const p = await problems();
    expect(p).toContainEqual(expect.stringMatching(/k = 9 and m = 8 out of range/));
    expect(p).toContainEqual(expect.stringMatching(/fragment list does not match/));
  }, 300_000);

  it('ignores a manifest whose signature does not match, and one signed by a key that is not the sender\'s, naming neither sender', async () => {
    await plant((m) => m, { breakSig: true });
    await plant((m) => ({ ...m, from: 'alice', fromKey: mallory.signSpki }));
    const p = await problems();
    expect(p).toContainEqual(expect.stringMatching(/sender could not be verified \(its signature does not match\)/));
    expect(p).toContainEqual(expect.stringMatching(/sender could not be verified \(it claims a name that belongs to another key\)/));
    // A forged sender is shown nowhere: not in the list, not in the reasons.
    expect(p.join(' ')).not.toMatch(/alice|mallory/);
  }, 300_000);

  it('refuses an entry in the old, unsealed format with a reason, and does not read its sender (no silent downgrade)', async () => {
    await plant((m) => m, { unsealed: true });
    const listing = await world.run(listMailbox(world.io(), bob, resolve));
    expect(listing.problems.map((x) => x.message)).toContainEqual(expect.stringMatching(/older version of the app, which shows its sender.*needs to update/));
    expect(listing.items.some((i) => i.from === 'mallory')).toBe(false);
  }, 300_000);

  it('fails with a clear error when the fragment hashes do not match (fragments of another message)', async () => {
    await world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(5000), settings }));
    const { items } = await world.run(listMailbox(world.io(), bob, resolve));
    const a = items.find((i) => i.from === 'alice')!;
    // Point every fragment at another stripe's blobs: each fails its header check.
    const swapped: Manifest = { ...a.manifest, id: 'c'.repeat(32) };
    const err = await world.run(fetchMessage({ overlay: world.io(), coder, manifest: swapped, keys: bob })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: expect.stringMatching(/wrong-key|unrecoverable/) });
    const truncated: Manifest = { ...a.manifest, frag: a.manifest.frag };
    const keys = truncated.keys.slice();
    keys.set(new Uint8Array(20 * 5).fill(9), 0);
    const err2 = await world.run(fetchMessage({ overlay: world.io(), coder, manifest: { ...truncated, keys }, keys: bob })).catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 'unrecoverable', message: expect.stringMatching(/no longer be rebuilt: only [0-3] of the 4 fragments needed/) });
  }, 300_000);
});
