import { describe, it } from 'vitest';
import { MemoryKeyValueStore } from './kv-store';
import { runKeyValueStoreContract } from './testing';

// The memory store holds values as they are (like IndexedDB's structured clone keeps
// CryptoKeys), not copies, and lives only as long as the object.
runKeyValueStoreContract('MemoryKeyValueStore', { describe, it }, { nestedBytes: true, copies: false, persists: false }, async () => ({
  store: new MemoryKeyValueStore(),
}));
