/**
 * The contact list (issue 18): kept in the profile's settings store, the key
 * seen first is remembered and a changed key is a warning until accepted
 * (trust on first use), favourites come first, "who can reach me" is kept,
 * and damaged storage loses only what is damaged.
 */
import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore, nodeIdFromSpki, type KeyValueStore } from '../identity';
import type { NameClaim } from '../sip';
import { CONTACTS_KEY, ContactBook, ContactError, MAX_CONTACTS, REACH_KEY, contactKeyOf, parseContacts } from './contact-book';

const claim = (name: string, key: number[]): NameClaim => ({ name, signingSpki: new Uint8Array(key), ecdhSpki: new Uint8Array([7]) });
const BOB = [1, 2, 3];
const BOB_NEW = [4, 5, 6];

async function open(store: KeyValueStore = new MemoryKeyValueStore()) {
  const book = new ContactBook({ store, now: () => 1_000 });
  await book.load();
  return { book, store };
}

describe('ContactBook', () => {
  it('adds a contact with the key seen now, keeps it across a reload, and refuses a second add or a bad name', async () => {
    const { book, store } = await open();
    const bob = await book.add('bob', claim('bob', BOB));
    expect(bob.key.userId).toBe(await nodeIdFromSpki(new Uint8Array(BOB)));
    expect(bob).toMatchObject({ name: 'bob', newKey: null, favourite: false, addedAt: 1_000, lastSeen: null });
    await expect(book.add('bob', claim('bob', BOB))).rejects.toThrow(ContactError);
    await expect(book.add('Bob!', claim('Bob!', BOB))).rejects.toThrow(ContactError);
    const again = await open(store);
    expect(again.book.getSnapshot().contacts).toEqual([bob]);
    expect(again.book.getSnapshot().problem).toBeNull();
  });

  it('a different key behind the name is a warning (newKey), kept across reloads, until the person accepts it; the old key comes back quietly', async () => {
    const { book, store } = await open();
    await book.add('bob', claim('bob', BOB));
    await book.keySeen('bob', new Uint8Array(BOB));
    expect(book.get('bob')!.newKey).toBeNull();
    await book.keySeen('bob', new Uint8Array(BOB_NEW));
    const newKey = await contactKeyOf(new Uint8Array(BOB_NEW));
    expect(book.get('bob')!.newKey).toEqual(newKey);
    // Only the kept key is the contact until accepted.
    expect(await book.isContact('bob', new Uint8Array(BOB_NEW))).toBe(false);
    expect(await book.isContact('bob', new Uint8Array(BOB))).toBe(true);
    expect((await open(store)).book.get('bob')!.newKey).toEqual(newKey);
    await book.keySeen('bob', new Uint8Array(BOB));
    expect(book.get('bob')!.newKey).toBeNull();
    await book.keySeen('bob', new Uint8Array(BOB_NEW));
    await book.acceptNewKey('bob');
    expect(book.get('bob')).toMatchObject({ key: newKey, newKey: null });
    expect(await book.isContact('bob', new Uint8Array(BOB_NEW))).toBe(true);
    expect(book.isContactKey(newKey.userId)).toBe(true);
  });

  it('lists favourites first, then by name; last seen only moves forward', async () => {
    const { book } = await open();
    for (const n of ['carol', 'bob', 'dave']) await book.add(n, claim(n, [n.length, n.charCodeAt(0)]));
    await book.setFavourite('dave', true);
    expect(book.getSnapshot().contacts.map((c) => c.name)).toEqual(['dave', 'bob', 'carol']);
    await book.seen('bob', 5_000);
    await book.seen('bob', 4_000);
    expect(book.get('bob')!.lastSeen).toBe(5_000);
    await book.remove('dave');
    expect(book.getSnapshot().contacts.map((c) => c.name)).toEqual(['bob', 'carol']);
  });

  it('keeps "who can reach me"; refuses a value that is no choice, and reads a damaged one as "everyone"', async () => {
    const { book, store } = await open();
    expect(book.getSnapshot().reach).toBe('everyone');
    await book.setReach('contacts');
    expect((await open(store)).book.getSnapshot().reach).toBe('contacts');
    await expect(book.setReach('friends' as never)).rejects.toThrow(ContactError);
    await store.set(REACH_KEY, { nobody: true });
    expect((await open(store)).book.getSnapshot().reach).toBe('everyone');
  });

  it('damaged storage: a wrong shape loses the list with a warning; damaged entries are dropped one by one, the rest kept', async () => {
    const store = new MemoryKeyValueStore();
    const good = { name: 'bob', key: { spki: 'AQID' }, newKey: null, favourite: true, addedAt: 5, lastSeen: null };
    await store.set(CONTACTS_KEY, {
      v: 1,
      contacts: [
        good,
        { ...good, name: 'bob' }, // a second bob
        { ...good, name: 'carol', key: { spki: '***' } },
        { ...good, name: 'Dave Smith' },
        { ...good, name: 'erin', addedAt: -1 },
        { ...good, name: 'frank', newKey: { spki: 42 } },
        'not an object',
        null,
      ],
    });
    const { book } = await open(store);
    expect(book.getSnapshot().contacts.map((c) => c.name)).toEqual(['bob']);
    // The ID is made again from the stored key, never taken from storage.
    expect(book.get('bob')!.key.userId).toBe(await nodeIdFromSpki(new Uint8Array(BOB)));
    expect(book.getSnapshot().problem).toBe('7 stored contacts were damaged and left out.');
    for (const bad of ['text', 42, null, { v: 2, contacts: [] }, { v: 1, contacts: 'x' }]) {
      await store.set(CONTACTS_KEY, bad);
      const b = (await open(store)).book.getSnapshot();
      expect(b.contacts).toEqual([]);
      expect(b.problem).toMatch(/damaged/);
    }
  });

  it('a store that cannot be read leaves an empty list and says so; a failed write changes nothing', async () => {
    const broken: KeyValueStore = {
      get: () => Promise.reject(new Error('disk')),
      set: () => Promise.reject(new Error('disk full')),
      del: () => Promise.resolve(),
      keys: () => Promise.resolve([]),
    } as unknown as KeyValueStore;
    const { book } = await open(broken);
    expect(book.getSnapshot().problem).toMatch(/could not be read/);
    await expect(book.add('bob', claim('bob', BOB))).rejects.toThrow('disk full');
    expect(book.getSnapshot().contacts).toEqual([]);
  });

  it('a change in one tab reaches the profile’s other tabs (a contentless signal; each re-reads storage)', async () => {
    const store = new MemoryKeyValueStore();
    const listeners = new Set<() => void>();
    const channel = () => ({ post: () => listeners.forEach((f) => f()), onMessage: (fn: () => void) => (listeners.add(fn), () => listeners.delete(fn)) });
    const [one, two] = [new ContactBook({ store, sync: channel() }), new ContactBook({ store, sync: channel() })];
    await Promise.all([one.load(), two.load()]);
    await one.setReach('nobody');
    await one.add('bob', claim('bob', BOB));
    await new Promise((r) => setTimeout(r, 10));
    expect(two.getSnapshot().reach).toBe('nobody');
    expect(two.get('bob')?.key.userId).toBe(await nodeIdFromSpki(new Uint8Array(BOB)));
    two.close();
  });

  it(`keeps at most ${MAX_CONTACTS} contacts`, async () => {
    const contacts = Array.from({ length: MAX_CONTACTS + 3 }, (_, i) => ({ name: `p${i}`, key: { spki: 'AQID' }, newKey: null, favourite: false, addedAt: 1, lastSeen: null }));
    const parsed = await parseContacts({ v: 1, contacts });
    expect(parsed.contacts).toHaveLength(MAX_CONTACTS);
    expect(parsed.dropped).toBe(3);
    const store = new MemoryKeyValueStore();
    await store.set(CONTACTS_KEY, { v: 1, contacts: parsed.contacts });
    const { book } = await open(store);
    await expect(book.add('one-more', claim('one-more', BOB))).rejects.toThrow(/the most this phone keeps/);
  });
});
