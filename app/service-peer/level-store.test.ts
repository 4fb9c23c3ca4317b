import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runKeyValueStoreContract } from '../identity/testing';
import { LevelKeyValueStore } from './level-store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'level-store-'));
  dirs.push(d);
  return d;
}

// LevelDB keeps JSON and top-level bytes (the overlay's records are canonical-encoded bytes),
// so bytes nested in objects are outside its contract.
runKeyValueStoreContract('LevelKeyValueStore', { describe, it }, { nestedBytes: false, copies: true, persists: true }, async () => {
  const d = dir();
  let current = await LevelKeyValueStore.open(d);
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await LevelKeyValueStore.open(d);
      return current;
    },
    dispose: () => current.close(),
  };
});

describe('LevelKeyValueStore', () => {
  it('keeps bytes and JSON across a reopen', async () => {
    const d = dir();
    const a = await LevelKeyValueStore.open(d);
    await a.set('rec/1', new Uint8Array([1, 2, 3]));
    await a.set('meta', { n: 1, s: 'x' });
    await a.set('gone', 5);
    await a.del('gone');
    await a.close();
    const b = await LevelKeyValueStore.open(d);
    expect(await b.get('rec/1')).toEqual(new Uint8Array([1, 2, 3]));
    expect(await b.get('meta')).toEqual({ n: 1, s: 'x' });
    expect(await b.get('gone')).toBeUndefined();
    expect((await b.keys()).sort()).toEqual(['meta', 'rec/1']);
    await b.close();
  });

  it('refuses values it cannot store and reads damaged ones as absent', async () => {
    const s = await LevelKeyValueStore.open(dir());
    await expect(s.set('f', () => 1)).rejects.toThrow(/cannot be stored/);
    await (s as unknown as { db: { put(k: string, v: Uint8Array): Promise<void> } }).db.put('bad', new Uint8Array([9, 9]));
    expect(await s.get('bad')).toBeUndefined();
    await s.close();
  });
});
