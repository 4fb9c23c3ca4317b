/**
 * A tab's remembered bootstrap endpoints: best first (the one that last
 * worked), bounded, read back from a damaged store without losing the good
 * entries; and the directory read from the DHT into it, where a bad entry
 * from a peer costs nothing that was remembered.
 */
import { describe, expect, it } from 'vitest';
import { canonicalEncode, generateSigningKeyPair, MemoryKeyValueStore, nodeIdFromSpki } from '../identity';
import { createRecord, webCryptoSigner, type OverlayNode, type PutResult, type WireRecord } from '../overlay';
import { ManualClock } from '../common/testing';
import { BootstrapBook, BOOTSTRAPS_KEY, MAX_REMEMBERED_BOOTSTRAPS } from './bootstrap-book';
import { BootstrapPublisher, BootstrapReader } from './bootstrap-directory';
import { BOOTSTRAP_TTL_MS, bootstrapKey, type BootstrapEntry } from './bootstrap-record';

const entryFor = (nodeId: string, ...urls: string[]): BootstrapEntry => ({
  nodeId,
  servers: urls.map((url) => ({ url, host: 'x', port: 1, path: '/peerjs', secure: false, bootstrap: true })),
  writtenAt: 0,
  expires: 1,
});

describe('BootstrapBook', () => {
  it('orders best first: the last that worked, then the newest seen; remembers across loads', async () => {
    let now = 1000;
    const store = new MemoryKeyValueStore();
    const book = new BootstrapBook(store, () => now);
    await book.load();
    book.learn([entryFor('a'.repeat(40), 'http://a:1/peerjs')]);
    now = 2000;
    book.learn([entryFor('b'.repeat(40), 'http://b:1/peerjs')]);
    expect(book.known().map((b) => b.url)).toEqual(['http://b:1/peerjs', 'http://a:1/peerjs']);
    now = 3000;
    book.worked('http://a:1/peerjs');
    book.worked('http://unknown:1/peerjs'); // not in the list: nothing happens
    expect(book.servers().map((s) => [s.url, s.bootstrap])).toEqual([
      ['http://a:1/peerjs', true],
      ['http://b:1/peerjs', true],
    ]);
    const again = new BootstrapBook(store, () => now);
    await again.load();
    expect(again.known()).toEqual(book.known());
    expect(again.known()[0]).toMatchObject({ nodeId: 'a'.repeat(40), source: 'directory', workedAt: 3000 });
  });

  it('takes an address the person was given, normalised, and refuses one it cannot use', async () => {
    const book = new BootstrapBook(new MemoryKeyValueStore(), () => 5);
    expect(book.give(' http://sp.example:9443/peerjs/ ')).toBe('http://sp.example:9443/peerjs');
    expect(book.known()[0]).toMatchObject({ nodeId: null, source: 'given' });
    expect(() => book.give('mailto:someone')).toThrow(/http/);
    expect(() => book.give(`http://a/${'x'.repeat(300)}`)).toThrow(/at most 256/);
    expect(book.known()).toHaveLength(1);
  });

  it('keeps at most 8, and forgets those unseen and unused for a month', async () => {
    let now = 0;
    const book = new BootstrapBook(new MemoryKeyValueStore(), () => now);
    for (let i = 0; i < 12; i++) {
      now = i;
      book.learn([entryFor(i.toString(16).padStart(40, '0'), `http://h${i}:1/peerjs`)]);
    }
    expect(book.known()).toHaveLength(MAX_REMEMBERED_BOOTSTRAPS);
    expect(book.known()[0]!.url).toBe('http://h11:1/peerjs');
    now = 31 * 24 * 3600_000;
    book.learn([entryFor('f'.repeat(40), 'http://fresh:1/peerjs')]);
    expect(book.known().map((b) => b.url)).toEqual(['http://fresh:1/peerjs']);
  });

  it('reads a damaged stored list entry by entry: the good ones stay, the rest are dropped', async () => {
    const store = new MemoryKeyValueStore();
    const good = { url: 'http://good:1/peerjs', nodeId: null, source: 'given', seenAt: 10, workedAt: null };
    await store.set(BOOTSTRAPS_KEY, [
      good,
      { ...good, url: 'ftp://bad' },
      { ...good, url: 'http://x/peerjs', nodeId: 'XYZ' },
      { ...good, url: 'http://y/peerjs', seenAt: 'yesterday' },
      null,
      'http://z/peerjs',
      { ...good }, // a duplicate
    ]);
    const book = new BootstrapBook(store, () => 20);
    await book.load();
    expect(book.known()).toEqual([good]);
    await store.set(BOOTSTRAPS_KEY, { not: 'a list' });
    await book.load();
    expect(book.known()).toEqual([good]); // what the tab already had stays
  });
});

/** Just the parts of an overlay node the directory uses: a joined node whose DHT is one list. */
function fakeNode(clock: ManualClock, held: WireRecord[]): OverlayNode {
  const node = {
    id: '2'.repeat(40),
    joined: true,
    isClosed: false,
    clock,
    put: (r: WireRecord): Promise<PutResult> => {
      held.push(r);
      return Promise.resolve({ stored: ['1'.repeat(40)], refused: {} } as unknown as PutResult);
    },
    get: () => Promise.resolve([...held]),
  };
  return node as unknown as OverlayNode;
}

describe('the bootstrap directory on the overlay', () => {
  it('a publisher writes its entry; a reader remembers it and nothing from a bad entry beside it', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const held: WireRecord[] = [];
    const node = fakeNode(clock, held);
    const sp = await webCryptoSigner(await generateSigningKeyPair());
    const spId = await nodeIdFromSpki(sp.spki);
    const lines: string[] = [];
    const publisher = new BootstrapPublisher({ node, signer: sp, overlay: 'p2p.local', urls: ['http://127.0.0.1:9443/peerjs'], log: (l) => lines.push(l), clock });
    expect(await publisher.publish()).toBe(true);
    expect(lines[0]).toMatch(/published in the DHT/);
    // Someone writes an entry under the service peer's ID with their own key, with an address of theirs.
    const mallory = await webCryptoSigner(await generateSigningKeyPair());
    held.push(
      await createRecord(mallory, {
        key: await bootstrapKey('p2p.local'),
        kind: 'dict',
        sub: spId,
        value: canonicalEncode({ urls: ['http://evil.example/peerjs'] }),
        version: clock.now(),
        expires: clock.now() + BOOTSTRAP_TTL_MS,
      }),
    );
    const book = new BootstrapBook(new MemoryKeyValueStore(), () => clock.now());
    book.give('http://given.example/peerjs');
    const reader = new BootstrapReader(node, 'p2p.local', book, clock);
    expect(await reader.read()).toBe(true);
    expect(reader.lastRefused).toEqual([`${spId.slice(0, 12)}: it is not signed by the node it names`]);
    expect(book.known().map((b) => [b.url, b.nodeId]).sort()).toEqual([
      ['http://127.0.0.1:9443/peerjs', spId],
      ['http://given.example/peerjs', null],
    ]);
  });

  it('the publisher writes again on its timer, and retries sooner while the node is not in a ring', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const held: WireRecord[] = [];
    const node = fakeNode(clock, held) as { joined: boolean } & OverlayNode;
    node.joined = false;
    const sp = await webCryptoSigner(await generateSigningKeyPair());
    const publisher = new BootstrapPublisher({ node, signer: sp, overlay: 'p2p.local', urls: ['http://127.0.0.1:9443/peerjs'], clock });
    publisher.start();
    clock.advance(0);
    await new Promise((r) => setTimeout(r, 0));
    expect(held).toHaveLength(0);
    node.joined = true;
    clock.advance(3000);
    await new Promise((r) => setTimeout(r, 50));
    expect(held).toHaveLength(1);
    clock.advance(10 * 60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(held).toHaveLength(2);
    publisher.stop();
    clock.advance(60 * 60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(held).toHaveLength(2);
  });
});
