/**
 * The service peer's key file keeps X of the node ID puzzle; a file made
 * before the puzzle keeps its node ID and gets X solved and written; a key
 * that fails the static puzzle stops the peer in words.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { idPuzzleProblem, meetsStaticPuzzle } from '../identity';
import { openNodeKey } from './data-dir';
import { KeyFileError, loadOrCreateNodeKey } from './key-file';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const file = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'key-file-puzzle-'));
  dirs.push(d);
  return join(d, 'node-key.json');
};
const PUZZLE = { staticBits: 0, dynamicBits: 10 };

describe('service peer key file and the node ID puzzle', () => {
  it('a new key file carries a solution that passes, read back on restart', async () => {
    const f = file();
    const a = await loadOrCreateNodeKey(f, PUZZLE);
    expect(await idPuzzleProblem(a.identity.spki, a.identity.puzzle, PUZZLE)).toBeNull();
    const b = await loadOrCreateNodeKey(f, PUZZLE);
    expect(b.identity.nodeId).toBe(a.identity.nodeId);
    expect(b.identity.puzzle).toEqual(a.identity.puzzle);
  });

  it('a key file made before the puzzle keeps its node ID and is solved on its next start', async () => {
    const f = file();
    const old = await loadOrCreateNodeKey(f);
    expect(old.identity.puzzle).toBeUndefined();
    expect(JSON.parse(readFileSync(f, 'utf8'))).not.toHaveProperty('puzzle');
    const lines: string[] = [];
    const now = await loadOrCreateNodeKey(f, PUZZLE, (l) => lines.push(l));
    expect(now.identity.nodeId).toBe(old.identity.nodeId);
    expect(await idPuzzleProblem(now.identity.spki, now.identity.puzzle, PUZZLE)).toBeNull();
    expect(lines.join('\n')).toMatch(/node ID stays/);
    expect(typeof JSON.parse(readFileSync(f, 'utf8')).puzzle).toBe('string');
  });

  it('a key that fails the static puzzle is a KeyFileError in words, and the file is left alone', async () => {
    const f = file();
    let old = await loadOrCreateNodeKey(f);
    while (await meetsStaticPuzzle(old.identity.spki, 4)) {
      rmSync(f);
      old = await loadOrCreateNodeKey(f);
    }
    const before = readFileSync(f, 'utf8');
    await expect(loadOrCreateNodeKey(f, { staticBits: 4, dynamicBits: 4 })).rejects.toThrow(KeyFileError);
    await expect(loadOrCreateNodeKey(f, { staticBits: 4, dynamicBits: 4 })).rejects.toThrow(/new node ID/);
    expect(readFileSync(f, 'utf8')).toBe(before);
    // A new file meets both.
    rmSync(f);
    const fresh = await loadOrCreateNodeKey(f, { staticBits: 4, dynamicBits: 4 });
    expect(await idPuzzleProblem(fresh.identity.spki, fresh.identity.puzzle, { staticBits: 4, dynamicBits: 4 })).toBeNull();
  });

  it('the service peer keeps such a file aside and starts with a new key that meets the puzzle', async () => {
    const f = file();
    let old = await loadOrCreateNodeKey(f);
    while (await meetsStaticPuzzle(old.identity.spki, 4)) {
      rmSync(f);
      old = await loadOrCreateNodeKey(f);
    }
    const lines: string[] = [];
    const strict = { staticBits: 4, dynamicBits: 4 };
    const dir = join(f, '..');
    const now = await openNodeKey(dir, false, (l) => lines.push(l), strict);
    expect(now.identity.nodeId).not.toBe(old.identity.nodeId);
    expect(await idPuzzleProblem(now.identity.spki, now.identity.puzzle, strict)).toBeNull();
    expect(readdirSync(dir).some((n) => n.startsWith('node-key.json.before-id-puzzle-'))).toBe(true);
    expect(lines.join('\n')).toMatch(/made before this overlay asked for a costlier node key/);
  });
});
