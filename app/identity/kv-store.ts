/**
 * The key-value interface behind which identities (and later permissions and
 * overlay records) persist: idb-keyval in the browser, a Map in tests.
 */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** Holds values as they are, like IndexedDB's structured clone keeps CryptoKeys. */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();

  get(key: string): Promise<unknown> {
    return Promise.resolve(this.data.get(key));
  }

  set(key: string, value: unknown): Promise<void> {
    this.data.set(key, value);
    return Promise.resolve();
  }

  del(key: string): Promise<void> {
    this.data.delete(key);
    return Promise.resolve();
  }

  keys(): Promise<string[]> {
    return Promise.resolve([...this.data.keys()]);
  }
}
