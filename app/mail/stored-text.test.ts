/**
 * Text stored for someone offline, on the simulated overlay (issue 18): it
 * waits in the recipient's textbox sealed for them, is read back once and
 * deleted, its sender sees "delivered" then "read" through sealed receipts,
 * a blocked sender's text is set apart, and a damaged or forged entry is
 * refused with a reason while the good ones stay.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHexId, createRecord } from '../overlay';
import { canonicalDecode, canonicalEncode, utf8 } from '../identity';
import { newMessageKey, randomBytes } from './cipher';
import { receiptsKey, textboxKey } from './keys';
import { ENTRY_BUCKETS, sealEntry } from './sealed-entry';
import { messageSigner } from './send';
import { dropText, listTexts, readTextMarks, sendTextMark, storeText } from './stored-text';
import { encodeSignedNote, type TextNote } from './text-note';
import { fakeResolver, makePerson, MailWorld, type Person } from './testing/kit';

const TTL = 3_600_000;

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('text stored for someone offline', () => {
  const world = new MailWorld(10, 1818);
  let alice: Person, bob: Person, mallory: Person;
  let resolve: ReturnType<typeof fakeResolver>;

  beforeAll(async () => {
    [alice, bob, mallory] = (await Promise.all(['alice', 'bob', 'mallory'].map(makePerson))) as [Person, Person, Person];
    resolve = fakeResolver([alice, bob, mallory]);
    await world.settle();
  });

  /** A note as alice's app would make it, for tests that change one thing. */
  async function note(over: Partial<TextNote> & { id: string; msgKey: Uint8Array; mk: Uint8Array }): Promise<TextNote> {
    const now = world.sim.clock.now();
    return { v: 1, cid: 'cid-' + over.id, from: 'alice', fromKey: alice.signSpki, to: 'bob', toKey: bob.signSpki, ck: randomBytes(32), text: 'hand made', sent: now, expires: now + TTL, ...over };
  }

  /** Puts a sealed entry with `signedNote` in bob's textbox, as anyone could. */
  async function putRaw(id: string, signedNote: Uint8Array, key: Awaited<ReturnType<typeof newMessageKey>>, mangle: (v: Uint8Array) => Uint8Array = (v) => v): Promise<void> {
    const value = mangle(await sealEntry(signedNote, bob.ecdhPublicKey, id, key.spki));
    const rec = await createRecord(messageSigner(key.pair.privateKey, key.spki), { key: await textboxKey('bob'), kind: 'dict', sub: id, value, version: 1, expires: world.sim.clock.now() + TTL });
    expect((await world.run(world.io().put(rec))).stored.length).toBeGreaterThan(0);
  }

  it('stores a text for bob, sealed: its holders see neither the text nor who wrote it; bob reads it once, then it is gone', async () => {
    const text = 'see you at eight — à bientôt';
    const stored = await world.run(storeText({ overlay: world.io(), from: alice, to: 'bob', resolve, text, cid: 'call-id-1@alice', ttlMs: TTL }));
    const keyHex = bytesToHexId(await textboxKey('bob'));
    const held = world.sim.liveIds().flatMap((id) => world.sim.nodes.get(id)!.localRecords().filter((r) => bytesToHexId(r.k) === keyHex && r.sub === stored.id));
    // Replicated on the key's replica set, like a mailbox entry.
    expect(held.length).toBeGreaterThan(1);
    for (const r of held) {
      expect(contains(r.value, utf8(text))).toBe(false);
      expect(contains(r.value, utf8('alice'))).toBe(false);
      expect(contains(r.value, alice.signSpki)).toBe(false);
    }
    const listing = await world.run(listTexts(world.io(), bob, resolve));
    expect(listing.problems).toEqual([]);
    expect(listing.items.map((i) => [i.note.text, i.note.from, i.note.cid])).toEqual([[text, 'alice', 'call-id-1@alice']]);
    // Read twice before it is deleted, it is still one text.
    const again = await world.run(listTexts(world.io(), bob, resolve));
    expect(again.items.map((i) => i.note.id)).toEqual([stored.id]);
    await world.run(dropText(world.io(), bob, listing.items[0]!));
    expect((await world.run(listTexts(world.io(), bob, resolve))).items).toEqual([]);
  });

  it('marks progress on the sender side: nothing, then delivered, then read; a receipt sealed with another secret counts for nothing', async () => {
    const stored = await world.run(storeText({ overlay: world.io(), from: alice, to: 'bob', resolve, text: 'marks', cid: 'call-id-2@alice', ttlMs: TTL }));
    const marks = () => world.run(readTextMarks(world.io(), 'alice', [stored])).then((m) => m.get(stored.id));
    expect(await marks()).toEqual({ deliveredAt: null, readAt: null });
    // Mallory files a "read" for alice's text with a secret of her own: ignored.
    expect(await world.run(sendTextMark(world.io(), { id: stored.id, from: 'alice', expires: stored.expires, ck: randomBytes(32) }, 'read'))).toBe(true);
    expect(await marks()).toEqual({ deliveredAt: null, readAt: null });
    const [item] = (await world.run(listTexts(world.io(), bob, resolve))).items.filter((i) => i.note.id === stored.id);
    const t = { id: item!.note.id, from: item!.note.from, expires: item!.note.expires, ck: item!.note.ck };
    expect(await world.run(sendTextMark(world.io(), t, 'delivered'))).toBe(true);
    const delivered = await marks();
    expect(delivered?.deliveredAt).toEqual(expect.any(Number));
    expect(delivered?.readAt).toBeNull();
    expect(await world.run(sendTextMark(world.io(), t, 'read'))).toBe(true);
    expect((await marks())?.readAt).toEqual(expect.any(Number));
    // The receipts' holders see a random sub-key and a one-off owner: not who read what.
    const receiptsHex = bytesToHexId(await receiptsKey('alice'));
    for (const id of world.sim.liveIds()) for (const r of world.sim.nodes.get(id)!.localRecords()) if (bytesToHexId(r.k) === receiptsHex) expect(contains(r.value, utf8('bob'))).toBe(false);
    await world.run(dropText(world.io(), bob, item!));
  });

  it('sets a blocked sender’s text apart: never among the items, and it can be deleted', async () => {
    await world.run(storeText({ overlay: world.io(), from: mallory, to: 'bob', resolve, text: 'from mallory', cid: 'call-id-3@mallory', ttlMs: TTL }));
    const isBlocked = ({ name }: { name: string }) => name === 'mallory';
    const listing = await world.run(listTexts(world.io(), bob, resolve, isBlocked));
    expect(listing.items).toEqual([]);
    expect(listing.blocked.map((b) => b.note.text)).toEqual(['from mallory']);
    await world.run(dropText(world.io(), bob, listing.blocked[0]!));
    expect((await world.run(listTexts(world.io(), bob, resolve))).blocked).toEqual([]);
    expect((await world.run(listTexts(world.io(), bob, resolve))).items).toEqual([]);
  });

  it('refuses a damaged, a forged and a misfiled text with a reason, names no forged sender, and keeps the good text', async () => {
    const good = await world.run(storeText({ overlay: world.io(), from: alice, to: 'bob', resolve, text: 'the good one', cid: 'call-id-4@alice', ttlMs: TTL }));
    // 1. Damaged on the way: one bit of the sealed bytes flipped.
    const k1 = await newMessageKey();
    const id1 = 'a'.repeat(32);
    await putRaw(id1, await encodeSignedNote(await note({ id: id1, msgKey: k1.spki, mk: k1.pkcs8 }), alice.signingPrivateKey), k1, (v) => {
      const c = v.slice();
      c[c.length - 40]! ^= 1;
      return c;
    });
    // 2. Forged: mallory signs a note that says it is from alice.
    const k2 = await newMessageKey();
    const id2 = 'b'.repeat(32);
    await putRaw(id2, await encodeSignedNote(await note({ id: id2, msgKey: k2.spki, mk: k2.pkcs8, fromKey: mallory.signSpki, text: 'forged' }), mallory.signingPrivateKey), k2);
    // 3. Signed by alice's key over other bytes (the signature does not match the body).
    const k3 = await newMessageKey();
    const id3 = 'c'.repeat(32);
    const signed = await encodeSignedNote(await note({ id: id3, msgKey: k3.spki, mk: k3.pkcs8 }), alice.signingPrivateKey);
    const { sig } = canonicalDecode(signed) as { sig: Uint8Array };
    const swapped = canonicalEncode({ body: canonicalEncode({ ...(await note({ id: id3, msgKey: k3.spki, mk: k3.pkcs8, text: 'changed' })) }), sig });
    await putRaw(id3, swapped, k3);
    // 4. Filed under another id than the one inside.
    const k4 = await newMessageKey();
    await putRaw('d'.repeat(32), await encodeSignedNote(await note({ id: 'e'.repeat(32), msgKey: k4.spki, mk: k4.pkcs8 }), alice.signingPrivateKey), k4);
    // 5. Not a sealed entry at all.
    const k5 = await newMessageKey();
    const junk = await createRecord(messageSigner(k5.pair.privateKey, k5.spki), { key: await textboxKey('bob'), kind: 'dict', sub: 'f'.repeat(32), value: randomBytes(ENTRY_BUCKETS[0]!), version: 1, expires: world.sim.clock.now() + TTL });
    await world.run(world.io().put(junk));

    const listing = await world.run(listTexts(world.io(), bob, resolve));
    expect(listing.items.map((i) => i.note.id)).toEqual([good.id]);
    const why = new Map(listing.problems.map((p) => [p.id, p.message]));
    expect(why.get(id1)).toMatch(/sealed for another key, or changed on the way/);
    expect(why.get(id2)).toMatch(/sender could not be verified \(it claims a name that belongs to another key/);
    expect(why.get(id3)).toMatch(/sender could not be verified \(its signature does not match\)/);
    expect(why.get('d'.repeat(32))).toMatch(/filed under another id/);
    expect(why.get('f'.repeat(32))).toMatch(/stored text message is invalid \(not a sealed entry\)/);
    for (const p of listing.problems) expect(p.message).not.toMatch(/alice|mallory/);
    // Nothing was lost: reading again finds the same good text and the same refusals.
    const again = await world.run(listTexts(world.io(), bob, resolve));
    expect(again.items.map((i) => i.note.text)).toEqual(['the good one']);
    expect(again.problems.length).toBe(5);
  });

  it('refuses bad input at the sender with a clear error, storing nothing', async () => {
    const io = world.io();
    await expect(world.run(storeText({ overlay: io, from: alice, to: 'bob', resolve, text: '', cid: 'x', ttlMs: TTL }))).rejects.toThrow(/empty/);
    await expect(world.run(storeText({ overlay: io, from: alice, to: 'bob', resolve, text: 'é'.repeat(2001), cid: 'x', ttlMs: TTL }))).rejects.toThrow(/longer than 4000 bytes/);
    await expect(world.run(storeText({ overlay: io, from: alice, to: 'bob', resolve, text: 'hi', cid: 'has space', ttlMs: TTL }))).rejects.toThrow(/id is not valid/);
    await expect(world.run(storeText({ overlay: io, from: alice, to: 'nobody', resolve, text: 'hi', cid: 'x', ttlMs: TTL }))).rejects.toThrow(/Nobody called "nobody"/);
    await expect(world.run(storeText({ overlay: io, from: alice, to: 'bob', resolve, text: 'hi', cid: 'x', ttlMs: 0 }))).rejects.toThrow(/lifetime/);
  });
});
