/**
 * Sealed mailbox entries and sealed read receipts on the simulated overlay
 * (issue 17): what every node stores shows neither who sent a message nor
 * who read it, nor a message's exact size; the recipient still sees and
 * verifies the sender; a forged sender is refused and named nowhere; mail
 * from a blocked sender is dropped without fetching a fragment.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalDecode, canonicalEncode, fromHex, nodeIdFromSpki, utf8 } from '../identity';
import { bytesToHexId, createRecord, type WireRecord } from '../overlay';
import { newMessageKey } from './cipher';
import { mailboxKey, receiptsKey } from './keys';
import { listMailbox } from './mailbox';
import { encodeSignedManifest, type Manifest } from './manifest';
import type { MailOverlay } from './overlay-io';
import { receiptFor, sendReceipt } from './receipts';
import { ENTRY_BUCKETS, sealEntry } from './sealed-entry';
import { messageSigner, sendMessage } from './send';
import { fakeResolver, makePerson, MailWorld, nodeCoder, type Person } from './testing/kit';

const coder = nodeCoder();
const settings = { k: 4, m: 8, fragmentBytes: 16 * 1024, ttlMs: 3_600_000 };
const recording = (n: number, thumbnail: Uint8Array | null = null) => ({ bytes: new Uint8Array(n).map((_, i) => (i * 11) & 255), type: 'video/webm', durationMs: 2000, thumbnail });

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Every byte a record puts on a holder's disk, as the store persists it. */
const storedBytes = (r: WireRecord): Uint8Array => canonicalEncode({ k: r.k, kind: r.kind, sub: r.sub, owner: r.owner, value: r.value, version: r.version, expires: r.expires, sig: r.sig });

describe('sealed mailbox entries and receipts', () => {
  const world = new MailWorld(10, 1717);
  let alice: Person, bob: Person, carol: Person, mallory: Person;
  let resolve: ReturnType<typeof fakeResolver>;

  beforeAll(async () => {
    [alice, bob, carol, mallory] = (await Promise.all(['alice', 'bob', 'carol', 'mallory'].map(makePerson))) as [Person, Person, Person, Person];
    resolve = fakeResolver([alice, bob, carol, mallory]);
    await world.settle();
  });

  /** What identifies a person, in the forms a stored record could carry it. */
  async function traces(p: Person): Promise<{ what: string; bytes: Uint8Array }[]> {
    const userId = await nodeIdFromSpki(p.signSpki);
    return [
      { what: `${p.name}'s name`, bytes: utf8(p.name) },
      { what: `${p.name}'s signing key`, bytes: p.signSpki },
      { what: `${p.name}'s ECDH key`, bytes: p.ecdhSpki },
      { what: `${p.name}'s user ID (hex)`, bytes: utf8(userId) },
      { what: `${p.name}'s user ID (bytes)`, bytes: fromHex(userId) },
    ];
  }

  /** Live nodes holding any entry under `keyHex` (MailWorld.holders looks only at sub-key ''). */
  const holdersOf = (keyHex: string): string[] => world.sim.liveIds().filter((id) => world.sim.nodes.get(id)!.localRecords().some((r) => bytesToHexId(r.k) === keyHex));

  /** Which traces of `p` some live node's store holds under `keyHex` (all keys when undefined). */
  async function leaks(p: Person, keyHex?: string): Promise<string[]> {
    const found = new Set<string>();
    const t = await traces(p);
    for (const id of world.sim.liveIds()) {
      for (const r of world.sim.nodes.get(id)!.localRecords()) {
        if (keyHex !== undefined && bytesToHexId(r.k) !== keyHex) continue;
        const b = storedBytes(r);
        for (const x of t) if (contains(b, x.bytes)) found.add(x.what);
      }
    }
    return [...found];
  }

  it('a holder of bob\'s mailbox stores neither the sender\'s name, its keys nor its user ID; bob still sees who sent each message', async () => {
    await world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'bob', resolve, recording: recording(30_000), settings }));
    await world.run(sendMessage({ overlay: world.io(), coder, from: carol, to: 'bob', resolve, recording: recording(40_000), settings }));
    const box = bytesToHexId(await mailboxKey('bob'));
    expect(holdersOf(box).length).toBeGreaterThan(0);
    expect(await leaks(alice, box)).toEqual([]);
    expect(await leaks(carol, box)).toEqual([]);
    // Nor anywhere else: fragments are owned by each message's one-off key.
    expect(await leaks(alice)).toEqual([]);
    // The recipient's keys are sealed too (only the mailbox's key, a hash of its name, points at bob).
    expect((await leaks(bob)).filter((w) => !w.includes('name'))).toEqual([]);
    const listing = await world.run(listMailbox(world.io(), bob, resolve));
    expect(listing.problems).toEqual([]);
    expect(listing.items.map((i) => [i.from, i.senderConfirmed]).sort()).toEqual([['alice', true], ['carol', true]]);
  }, 300_000);

  it('a read receipt shows its holders neither the reader nor the message', async () => {
    const { items } = await world.run(listMailbox(world.io(), bob, resolve));
    for (const item of items) expect(await world.run(sendReceipt(world.io(), await receiptFor(item.manifest, item.secrets)))).toBe(true);
    const receiptBox = bytesToHexId(await receiptsKey('alice'));
    expect(holdersOf(receiptBox).length).toBeGreaterThan(0);
    expect(await leaks(bob, receiptBox)).toEqual([]);
    expect(await leaks(bob)).not.toContainEqual(expect.stringMatching(/key|user ID/));
    // No receipt is filed under a message's id, so holders cannot tie it to a mailbox entry.
    for (const id of world.sim.liveIds()) for (const r of world.sim.nodes.get(id)!.localRecords()) if (r.kind === 'dict' && items.some((i) => i.id === r.sub)) expect(bytesToHexId(r.k)).toBe(bytesToHexId(await mailboxKey('bob')));
  }, 300_000);

  it('pads sizes: entries of different messages and thumbnails fall in a few buckets, and fragments of different sizes look alike', async () => {
    const before = new Set(world.sim.liveIds().flatMap((id) => world.sim.nodes.get(id)!.localRecords()).map((r) => `${bytesToHexId(r.k)}/${r.sub}`));
    await world.run(sendMessage({ overlay: world.io(), coder, from: alice, to: 'carol', resolve, recording: recording(3_000), settings }));
    await world.run(sendMessage({ overlay: world.io(), coder, from: mallory, to: 'carol', resolve, recording: recording(9_001), settings }));
    await world.run(sendMessage({ overlay: world.io(), coder, from: bob, to: 'carol', resolve, recording: recording(20_000, new Uint8Array(3000).fill(5)), settings }));
    const fresh = world.sim.liveIds().flatMap((id) => world.sim.nodes.get(id)!.localRecords()).filter((r) => !before.has(`${bytesToHexId(r.k)}/${r.sub}`));
    const box = bytesToHexId(await mailboxKey('carol'));
    const entrySizes = new Set(fresh.filter((r) => bytesToHexId(r.k) === box).map((r) => r.value.length));
    // Two messages without a thumbnail, of 3 000 and 9 001 bytes: one entry size. With a 3 KB picture: the next bucket.
    expect(entrySizes.size).toBe(2);
    const plain = (canonicalDecode(fresh.find((r) => bytesToHexId(r.k) === box)!.value) as { ct: Uint8Array }).ct.length - 16;
    expect(ENTRY_BUCKETS).toContain(plain);
    const fragmentSizes = new Set(fresh.filter((r) => r.kind === 'blob').map((r) => r.value.length));
    expect(fragmentSizes.size).toBe(1);
    const { items } = await world.run(listMailbox(world.io(), carol, resolve));
    expect(items.map((i) => i.size).sort((a, b) => a - b)).toEqual([3_000, 9_001, 20_000]);
  }, 300_000);

  /** Writes a sealed entry into bob's mailbox claiming to be from `claimed.name` with `claimed.fromKey`, signed by `signer`'s user key. */
  async function forge(claimed: { name: string; fromKey: Uint8Array }, signer: Person, template: Manifest): Promise<void> {
    const msgKey = await newMessageKey();
    const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    const m: Manifest = { ...template, id, from: claimed.name, fromKey: claimed.fromKey, msgKey: msgKey.spki };
    const value = await sealEntry(await encodeSignedManifest(m, signer.signingPrivateKey), bob.ecdhPublicKey, id, msgKey.spki);
    await world.run(world.io().put(await createRecord(messageSigner(msgKey.pair.privateKey, msgKey.spki), { key: await mailboxKey('bob'), kind: 'dict', sub: id, value, version: 1, expires: world.sim.clock.now() + 3_600_000 })));
  }

  it('refuses a forged sender and names it nowhere: a name that is another\'s key, and a key whose signature does not match', async () => {
    const { items } = await world.run(listMailbox(world.io(), bob, resolve));
    const template = items.find((i) => i.from === 'alice')!.manifest;
    await forge({ name: 'alice', fromKey: mallory.signSpki }, mallory, template);
    await forge({ name: 'alice', fromKey: alice.signSpki }, mallory, template);
    const listing = await world.run(listMailbox(world.io(), bob, resolve));
    expect(listing.items.filter((i) => i.from === 'alice')).toHaveLength(1);
    const words = listing.problems.map((p) => p.message);
    expect(words).toContainEqual(expect.stringMatching(/sender could not be verified \(it claims a name that belongs to another key\)/));
    expect(words).toContainEqual(expect.stringMatching(/sender could not be verified \(its signature does not match\)/));
    expect(words.join(' ')).not.toMatch(/alice|mallory/);
  }, 300_000);

  it('refuses a sealed entry a holder changed by one byte or moved under another id', async () => {
    const box = await mailboxKey('bob');
    const boxHex = bytesToHexId(box);
    const holder = world.sim.nodes.get(holdersOf(boxHex)[0]!)!;
    const real = holder.localRecords().find((r) => bytesToHexId(r.k) === boxHex && r.value.length > 1000)!;
    const flipped = real.value.slice();
    flipped[flipped.length - 40] = flipped[flipped.length - 40]! ^ 1;
    // The holder re-signs nothing it cannot: it writes the changed bytes under a one-off key of its own, as a new entry.
    for (const [sub, value] of [['a'.repeat(32), flipped], ['b'.repeat(32), real.value]] as const) {
      const k = await newMessageKey();
      await world.run(world.io().put(await createRecord(messageSigner(k.pair.privateKey, k.spki), { key: box, kind: 'dict', sub, value, version: 1, expires: world.sim.clock.now() + 3_600_000 })));
    }
    const listing = await world.run(listMailbox(world.io(), bob, resolve));
    const mine = listing.problems.filter((p) => p.id === 'a'.repeat(32) || p.id === 'b'.repeat(32));
    expect(mine.map((p) => p.message)).toEqual([expect.stringMatching(/sealed for another key, or changed on the way/), expect.stringMatching(/sealed for another key, or changed on the way/)]);
    expect(listing.items.some((i) => i.id === 'a'.repeat(32) || i.id === 'b'.repeat(32))).toBe(false);
  }, 300_000);

  it('drops mail from a blocked sender after opening its entry, without fetching a fragment', async () => {
    await world.run(sendMessage({ overlay: world.io(), coder, from: mallory, to: 'bob', resolve, recording: recording(12_000), settings }));
    let blobReads = 0;
    const io = world.io();
    const counting: MailOverlay = { ...io, getBlob: (k) => (blobReads++, io.getBlob(k)) };
    const asked: string[] = [];
    const listing = await world.run(listMailbox(counting, bob, resolve, (s) => (asked.push(s.name), s.name === 'mallory')));
    expect(listing.items.map((i) => i.from)).not.toContain('mallory');
    expect(listing.items.map((i) => i.from)).toContain('alice');
    expect(listing.blocked.map((i) => i.from)).toEqual(['mallory']);
    expect(asked).toContain('mallory');
    expect(blobReads).toBe(0);
  }, 300_000);
});
