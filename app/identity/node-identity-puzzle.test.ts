/**
 * The node ID puzzle is solved once when a node identity is made and kept
 * with it; a key made before the puzzle keeps its node ID and solves X on its
 * next start; a key that fails the static puzzle is replaced, with words.
 */
import { describe, expect, it } from 'vitest';
import { idPuzzleProblem, meetsStaticPuzzle, type IdPuzzleDifficulty } from './id-puzzle';
import { MemoryKeyValueStore } from './kv-store';
import { MemoryLockManager } from './locks';
import { acquireNodeIdentity, NODE_SLOT_PREFIX } from './node-identity';

const PUZZLE: IdPuzzleDifficulty = { staticBits: 0, dynamicBits: 10 };

describe('node identities and the ID puzzle', () => {
  it('a new identity comes with a solution, kept for the next start', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const first = await acquireNodeIdentity({ store, locks, idPuzzle: PUZZLE });
    expect(first.identity.puzzle).toBeInstanceOf(Uint8Array);
    expect(await idPuzzleProblem(first.identity.spki, first.identity.puzzle, PUZZLE)).toBeNull();
    first.lock.release();
    const again = await acquireNodeIdentity({ store, locks, idPuzzle: PUZZLE, preferredSlot: 0 });
    expect(again.identity.nodeId).toBe(first.identity.nodeId);
    expect(again.identity.puzzle).toEqual(first.identity.puzzle);
    expect(again.warnings).toEqual([]);
  });

  it('an identity made before the puzzle keeps its node ID and solves it on its next start', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const old = await acquireNodeIdentity({ store, locks });
    expect(old.identity.puzzle).toBeUndefined();
    old.lock.release();
    const now = await acquireNodeIdentity({ store, locks, idPuzzle: PUZZLE, preferredSlot: 0 });
    expect(now.identity.nodeId).toBe(old.identity.nodeId);
    expect(await idPuzzleProblem(now.identity.spki, now.identity.puzzle, PUZZLE)).toBeNull();
    expect(now.warnings).toEqual([]);
    // Saved: the stored pair carries the X now.
    const saved = (await store.get(`${NODE_SLOT_PREFIX}${now.identity.slot}`)) as { puzzle?: Uint8Array };
    expect(saved.puzzle).toEqual(now.identity.puzzle);
  });

  it('a stored X that is damaged is solved again, not trusted', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    const first = await acquireNodeIdentity({ store, locks, idPuzzle: PUZZLE });
    first.lock.release();
    const key = `${NODE_SLOT_PREFIX}${first.identity.slot}`;
    const saved = (await store.get(key)) as Record<string, unknown>;
    await store.set(key, { ...saved, puzzle: 'not bytes' });
    const again = await acquireNodeIdentity({ store, locks, idPuzzle: PUZZLE, preferredSlot: 0 });
    expect(again.identity.nodeId).toBe(first.identity.nodeId);
    expect(await idPuzzleProblem(again.identity.spki, again.identity.puzzle, PUZZLE)).toBeNull();
  });

  it('a key that fails the static puzzle is replaced by one that meets it, and the person is told', async () => {
    const store = new MemoryKeyValueStore();
    const locks = new MemoryLockManager();
    let old = await acquireNodeIdentity({ store, locks });
    while (await meetsStaticPuzzle(old.identity.spki, 3)) {
      old.lock.release();
      await store.del(`${NODE_SLOT_PREFIX}${old.identity.slot}`);
      old = await acquireNodeIdentity({ store, locks, preferredSlot: 0 });
    }
    old.lock.release();
    const strict = { staticBits: 3, dynamicBits: 6 };
    const now = await acquireNodeIdentity({ store, locks, idPuzzle: strict, preferredSlot: 0 });
    expect(now.identity.nodeId).not.toBe(old.identity.nodeId);
    expect(await idPuzzleProblem(now.identity.spki, now.identity.puzzle, strict)).toBeNull();
    expect(now.warnings.join(' ')).toMatch(/new node ID/);
  });
});
