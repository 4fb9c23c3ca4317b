/**
 * The acceptance suite every KeyValueStore passes (STYLE.md, "Every interface
 * with more than one implementation deserves one"; shaped like the overlay's
 * Transport contract and automerge-repo's storage-adapter tests). It takes
 * the test framework's `describe`/`it` and makes its own assertions, so it
 * runs against the in-memory store, IndexedDB (idb-keyval, in Node on
 * fake-indexeddb) and LevelDB alike.
 *
 * It checks what callers rely on: a missing key reads as undefined; the value
 * shapes the app stores come back equal (strings, numbers, booleans, null,
 * arrays, nested objects, bytes); set overwrites; del removes and is harmless
 * on a missing key; keys lists exactly what is stored; writes to different
 * keys started together all land. What differs between implementations is
 * declared in `KeyValueStoreTraits` and checked too.
 */
import type { KeyValueStore } from '../kv-store';

/** What an implementation promises beyond the common contract. */
export interface KeyValueStoreTraits {
  /**
   * Values are kept by structured clone (IndexedDB; the memory store keeps
   * them as they are): bytes nested inside objects and arrays come back as
   * bytes. False for stores that keep JSON plus top-level bytes (LevelDB).
   */
  nestedBytes: boolean;
  /**
   * A value read back is a copy: changing the object passed to `set`, or
   * the one `get` returned, does not change what is stored.
   */
  copies: boolean;
  /** What is stored outlives the store object: `reopen` opens the same storage again. */
  persists: boolean;
}

/** One store under test, fresh and empty. */
export interface KeyValueStoreUnderTest {
  store: KeyValueStore;
  /** Closes and opens the same storage again; required when the traits say it persists. */
  reopen?(): Promise<KeyValueStore>;
  dispose?(): Promise<void> | void;
}

/** The test framework's `describe`/`it` (Vitest's, or any runner's with that shape). */
export interface KeyValueStoreContractHarness {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`key-value store contract: ${message}`);
}

/** Deep equality over the shapes the contract stores: plain data and Uint8Array. */
function same(x: unknown, y: unknown): boolean {
  if (x instanceof Uint8Array || y instanceof Uint8Array) {
    return x instanceof Uint8Array && y instanceof Uint8Array && x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (Array.isArray(x) || Array.isArray(y)) {
    return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => same(v, y[i]));
  }
  if (x && y && typeof x === 'object' && typeof y === 'object') {
    const kx = Object.keys(x).sort();
    const ky = Object.keys(y).sort();
    return same(kx, ky) && kx.every((k) => same((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
  }
  return Object.is(x, y);
}

const show = (v: unknown): string =>
  JSON.stringify(v, (_k, val: unknown) => (val instanceof Uint8Array ? `bytes[${[...val].join(',')}]` : val));

/** The value shapes the app stores (settings, rules, chat history, records as bytes, mail bookkeeping). */
const SHAPES: [string, unknown][] = [
  ['a string', 'alice@p2p.local'],
  ['an empty string', ''],
  ['a string of non-ASCII text', 'Grüße, 你好 👋'],
  ['an integer', 42],
  ['a negative float', -12.5],
  ['a time in ms', 1_767_225_600_000],
  ['zero', 0],
  ['true', true],
  ['false', false],
  ['null', null],
  ['an empty array', []],
  ['an array of strings', ['3f2a91c077de', 'b0b']],
  ['an array of objects', [{ peer: 'bob', text: 'hi', at: 1 }, { peer: 'bob', text: 'there', at: 2 }]],
  ['a nested object', { policy: { overlay: 'ask-once', strict: false }, rules: [{ id: 'r1', scope: 'contact' }], n: 3 }],
  ['bytes', new Uint8Array([0, 1, 2, 254, 255])],
  ['empty bytes', new Uint8Array(0)],
  ['256 KiB of bytes', Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 31) & 0xff)],
];

/** Keys as the app makes them: prefixes with '/', ':', hex IDs, and text. */
const KEYS = ['permissions/rules', 'sip:alice@p2p.local', 'rec/' + 'ab'.repeat(20), 'mail/sent/Grüße', 'k'];

/**
 * Registers the contract's tests for one implementation.
 *
 * @param name shown in the test names
 * @param h the runner's describe/it
 * @param traits what this implementation promises beyond the common contract
 * @param make a fresh, empty store for each test
 */
export function runKeyValueStoreContract(
  name: string,
  h: KeyValueStoreContractHarness,
  traits: KeyValueStoreTraits,
  make: () => Promise<KeyValueStoreUnderTest>,
): void {
  const withStore = (fn: (s: KeyValueStoreUnderTest) => Promise<void>) => async () => {
    const s = await make();
    try {
      await fn(s);
    } finally {
      await s.dispose?.();
    }
  };

  h.describe(`KeyValueStore contract: ${name}`, () => {
    h.it('reads a key never written as undefined, and starts with no keys', withStore(async ({ store }) => {
      assert((await store.get('never-written')) === undefined, 'a missing key reads as undefined');
      assert((await store.keys()).length === 0, 'a fresh store lists no keys');
    }));

    for (const [shape, value] of SHAPES) {
      h.it(`gives back ${shape} as it was set`, withStore(async ({ store }) => {
        await store.set('v', value);
        const got = await store.get('v');
        assert(same(got, value), `${shape}: got ${show(got)?.slice(0, 200)}`);
      }));
    }

    h.it('keeps keys with "/", ":", hex and non-ASCII text apart', withStore(async ({ store }) => {
      for (const [i, k] of KEYS.entries()) await store.set(k, i);
      for (const [i, k] of KEYS.entries()) assert((await store.get(k)) === i, `key ${k} reads back its own value`);
      assert(same((await store.keys()).sort(), [...KEYS].sort()), 'keys lists exactly the keys set');
    }));

    h.it('overwrites a value, also with one of another shape', withStore(async ({ store }) => {
      await store.set('k', { a: 1 });
      await store.set('k', { b: 2 });
      assert(same(await store.get('k'), { b: 2 }), 'the newer object wins whole (no merge)');
      await store.set('k', new Uint8Array([7]));
      assert(same(await store.get('k'), new Uint8Array([7])), 'an object can be replaced by bytes');
      await store.set('k', 'text');
      assert((await store.get('k')) === 'text', 'bytes can be replaced by a string');
      assert(same(await store.keys(), ['k']), 'overwriting adds no key');
    }));

    h.it('deletes a key, and deleting a missing key is harmless', withStore(async ({ store }) => {
      await store.set('a', 1);
      await store.set('b', 2);
      await store.del('a');
      assert((await store.get('a')) === undefined, 'a deleted key reads as undefined');
      assert((await store.get('b')) === 2, 'the other key stays');
      assert(same(await store.keys(), ['b']), 'keys no longer lists the deleted key');
      await store.del('a');
      await store.del('never-written');
      assert(same(await store.keys(), ['b']), 'deleting missing keys changes nothing');
      await store.set('a', 3);
      assert((await store.get('a')) === 3, 'a deleted key can be written again');
    }));

    h.it('lands every write of a burst started together', withStore(async ({ store }) => {
      const n = 100;
      await Promise.all(Array.from({ length: n }, (_, i) => store.set(`burst/${i}`, { i })));
      const keys = await store.keys();
      assert(keys.length === n, `all ${n} keys are listed (got ${keys.length})`);
      for (let i = 0; i < n; i += 17) assert(same(await store.get(`burst/${i}`), { i }), `burst/${i} reads back`);
    }));

    h.it('reads a write once its promise has resolved, and the last of two writes to one key wins', withStore(async ({ store }) => {
      const first = store.set('k', 1);
      const second = store.set('k', 2);
      await Promise.all([first, second]);
      assert((await store.get('k')) === 2, 'the write started last wins');
    }));

    if (traits.nestedBytes) {
      h.it('keeps bytes nested in objects and arrays as bytes', withStore(async ({ store }) => {
        const value = { id: 'm1', fragments: [new Uint8Array([1, 2]), new Uint8Array([3])], meta: { hash: new Uint8Array([9, 9]) } };
        await store.set('v', value);
        assert(same(await store.get('v'), value), 'nested bytes come back as Uint8Array');
      }));
    }

    if (traits.copies) {
      h.it('keeps a copy: changing the object set or the object read does not change what is stored', withStore(async ({ store }) => {
        const value = { list: [1, 2], bytes: new Uint8Array([1]) };
        await store.set('v', value);
        value.list.push(3);
        value.bytes[0] = 9;
        const read = (await store.get('v')) as { list: number[]; bytes: Uint8Array };
        assert(same(read.list, [1, 2]) && read.bytes[0] === 1, 'a change to the object set after set() is not stored');
        read.list.push(4);
        const again = (await store.get('v')) as { list: number[] };
        assert(same(again.list, [1, 2]), 'a change to an object read is not stored');
      }));
    }

    if (traits.persists) {
      h.it('keeps values and deletions across a reopen', withStore(async (s) => {
      assert(s.reopen, 'a store that persists can be reopened');
      await s.store.set('rec/1', new Uint8Array([1, 2, 3]));
      await s.store.set('meta', { n: 1, s: 'x' });
      await s.store.set('gone', 5);
      await s.store.del('gone');
      const again = await s.reopen();
      assert(same(await again.get('rec/1'), new Uint8Array([1, 2, 3])), 'bytes survive a reopen');
      assert(same(await again.get('meta'), { n: 1, s: 'x' }), 'an object survives a reopen');
      assert((await again.get('gone')) === undefined, 'a deletion survives a reopen');
      assert(same((await again.keys()).sort(), ['meta', 'rec/1']), 'keys after a reopen');
      }));
    }
  });
}
