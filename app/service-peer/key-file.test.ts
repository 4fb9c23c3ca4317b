import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeIdFromSpki, signBytes, verifyBytes } from '../identity';
import { loadOrCreateNodeKey } from './key-file';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const file = () => {
  const d = mkdtempSync(join(tmpdir(), 'key-file-'));
  dirs.push(d);
  return join(d, 'node-key.json');
};

describe('service peer key file', () => {
  it('makes a key once and gives the same node ID on every restart', async () => {
    const f = file();
    const a = await loadOrCreateNodeKey(f);
    expect(a.created).toBe(true);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    const b = await loadOrCreateNodeKey(f);
    expect(b.created).toBe(false);
    expect(b.identity.nodeId).toBe(a.identity.nodeId);
    expect(await nodeIdFromSpki(b.identity.spki)).toBe(b.identity.nodeId);
    const data = new Uint8Array([1]);
    expect(await verifyBytes(a.identity.spki, data, await signBytes(b.identity.privateKey, data))).toBe(true);
  });

  it('refuses a damaged file with a clear message and leaves it alone', async () => {
    const f = file();
    writeFileSync(f, '{"type":"p2p-softphone/node-key","jwk":{"kty":"EC","d":"x"}}');
    await expect(loadOrCreateNodeKey(f)).rejects.toThrow(/cannot be used\. Move it away/);
    writeFileSync(f, 'garbage');
    await expect(loadOrCreateNodeKey(f)).rejects.toThrow(/not a usable node key file/);
  });
});
