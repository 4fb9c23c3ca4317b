import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import type { KeyValueStore } from '../identity';

/**
 * A KeyValueStore in its own IndexedDB database (idb-keyval keeps one object
 * store per database, so each kind of data gets a database of its own).
 */
export class IdbKeyValueStore implements KeyValueStore {
  private readonly store: UseStore;

  constructor(dbName: string, storeName = 'kv') {
    this.store = createStore(dbName, storeName);
  }

  get(key: string): Promise<unknown> {
    return get(key, this.store);
  }

  set(key: string, value: unknown): Promise<void> {
    return set(key, value, this.store);
  }

  del(key: string): Promise<void> {
    return del(key, this.store);
  }

  async keys(): Promise<string[]> {
    return (await keys(this.store)).map(String);
  }
}
