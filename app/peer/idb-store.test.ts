// IndexedDB for Node: fake-indexeddb puts a spec-following, in-memory indexedDB on
// globalThis, which idb-keyval reads at each call (this file's worker only).
import 'fake-indexeddb/auto';
import { describe, it } from 'vitest';
import { runKeyValueStoreContract } from '../identity/testing';
import { IdbKeyValueStore } from './idb-store';

let n = 0;

runKeyValueStoreContract('IdbKeyValueStore (idb-keyval on fake-indexeddb)', { describe, it }, { nestedBytes: true, copies: true, persists: true }, async () => {
  const dbName = `kv-contract-${++n}`;
  return {
    store: new IdbKeyValueStore(dbName),
    // A new store object on the same database, as a reloaded tab opens it.
    reopen: async () => new IdbKeyValueStore(dbName),
  };
});
