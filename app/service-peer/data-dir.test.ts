import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalEncode, exportSpki, generateSigningKeyPair, MAX_CLOCK_SKEW_MS, signBytes, toHex } from '../identity';
import { createRecord, type WireRecord } from '../overlay';
import { DataDirError, KEY_FILE, openNodeKey, openRecordDb, prepareDataDir, quarantineDamaged, QUARANTINE_PREFIX, RECORD_PREFIX, RECORDS_DIR } from './data-dir';
import { LevelKeyValueStore } from './level-store';

const dirs: string[] = [];
const open: LevelKeyValueStore[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'data-dir-'));
  dirs.push(d);
  return d;
};
const lines: string[] = [];
const log = (l: string): void => void lines.push(l);
const isRoot = process.getuid?.() === 0;

async function record(text: string): Promise<WireRecord> {
  const keys = await generateSigningKeyPair();
  const signer = { spki: await exportSpki(keys.publicKey), sign: (p: Uint8Array) => signBytes(keys.privateKey, p) };
  return createRecord(signer, { key: crypto.getRandomValues(new Uint8Array(20)), kind: 'single', value: new TextEncoder().encode(text), version: 1, expires: Date.now() + 3_600_000 });
}
const entryKey = (r: WireRecord): string => `${RECORD_PREFIX}${toHex(r.k)}/${r.sub}`;
const encoded = (r: WireRecord): Uint8Array => canonicalEncode(r as unknown as Record<string, Uint8Array | string | number>);

describe('service peer data directory', () => {
  it('makes a missing directory (mode 0700) and refuses a file or a path through a file', () => {
    const d = tmp();
    expect(prepareDataDir(join(d, 'a/b'))).toBe(join(d, 'a/b'));
    writeFileSync(join(d, 'file'), 'x');
    expect(() => prepareDataDir(join(d, 'file'))).toThrow(/that is a file, not a directory/);
    expect(() => prepareDataDir(join(d, 'file', 'sub'))).toThrow(/cannot be made \(ENOTDIR\)/);
  });

  it.skipIf(isRoot)('refuses a directory it may not write', () => {
    const d = tmp();
    chmodSync(d, 0o500);
    expect(() => prepareDataDir(d)).toThrow(/may not read and write/);
    chmodSync(d, 0o700);
  });

  it('a damaged key file stops the peer with a sentence and the file untouched; --start-fresh keeps it aside', async () => {
    const d = tmp();
    const first = await openNodeKey(d, false, log);
    writeFileSync(join(d, KEY_FILE), '{"type":"p2p-softphone/node-key","jwk":{"d":');
    await expect(openNodeKey(d, false, log)).rejects.toThrow(DataDirError);
    await expect(openNodeKey(d, false, log)).rejects.toThrow(/not a usable node key file[\s\S]*--start-fresh/);
    expect(readFileSync(join(d, KEY_FILE), 'utf8')).toMatch(/"jwk":\{"d":$/);
    const fresh = await openNodeKey(d, true, log);
    expect(fresh.created).toBe(true);
    expect(fresh.identity.nodeId).not.toBe(first.identity.nodeId);
    const aside = readdirSync(d).filter((f) => f.startsWith(`${KEY_FILE}.damaged-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(d, aside[0]!), 'utf8')).toMatch(/"jwk":\{"d":$/);
  });

  it('a key that parses but is not a usable key is refused too', async () => {
    const d = tmp();
    writeFileSync(join(d, KEY_FILE), JSON.stringify({ type: 'p2p-softphone/node-key', jwk: { kty: 'EC', crv: 'P-256', d: 'AAAA', x: 'AAAA', y: 'AAAA' } }));
    await expect(openNodeKey(d, false, log)).rejects.toThrow(/holds a key that cannot be used/);
  });

  it('a database in use by another peer is refused with a sentence', async () => {
    const d = tmp();
    open.push(await openRecordDb(d, false, log));
    await expect(openRecordDb(d, false, log)).rejects.toThrow(/in use by another running service peer/);
    // --start-fresh must not move a database that is merely in use.
    await expect(openRecordDb(d, true, log)).rejects.toThrow(/in use/);
    expect(readdirSync(d)).toEqual([RECORDS_DIR]);
  });

  it('a damaged database stops the peer; --start-fresh keeps it aside and opens an empty one', async () => {
    const d = tmp();
    const db = await openRecordDb(d, false, log);
    await db.set('settings', { a: 1 });
    await db.close();
    writeFileSync(join(d, RECORDS_DIR, 'CURRENT'), 'garbage');
    await expect(openRecordDb(d, false, log)).rejects.toThrow(/cannot be opened \(Corruption[\s\S]*--start-fresh/);
    expect(readFileSync(join(d, RECORDS_DIR, 'CURRENT'), 'utf8')).toBe('garbage');
    const fresh = await openRecordDb(d, true, log);
    open.push(fresh);
    expect(await fresh.keys()).toEqual([]);
    const aside = readdirSync(d).filter((f) => f.startsWith(`${RECORDS_DIR}.damaged-`));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(d, aside[0]!, 'CURRENT'), 'utf8')).toBe('garbage');
  });

  it('damaged record entries are kept aside under the quarantine prefix, bytes unchanged; good ones stay', async () => {
    const d = tmp();
    const db = await openRecordDb(d, false, log);
    open.push(db);
    const good = await record('good');
    const tampered = await record('tampered');
    // Expired beyond the tolerated clock skew: the overlay drops it on load, so it is not "damaged".
    const expired = { ...(await record('old')), expires: Date.now() - MAX_CLOCK_SKEW_MS - 1 };
    await db.set(entryKey(good), encoded(good));
    const bad = encoded(tampered);
    bad[bad.length - 70] = bad[bad.length - 70]! ^ 0xff;
    await db.set(entryKey(tampered), bad);
    await db.set(`${RECORD_PREFIX}garbage`, crypto.getRandomValues(new Uint8Array(40)));
    await db.set(`${RECORD_PREFIX}json`, { not: 'a record' });
    await db.set(entryKey(expired), encoded(expired));
    const before = new Map(await db.rawEntries(RECORD_PREFIX));

    expect(await quarantineDamaged(db, Date.now(), log)).toBe(3);
    const left = (await db.rawEntries(RECORD_PREFIX)).map(([k]) => k).sort();
    expect(left).toEqual([entryKey(good), entryKey(expired)].sort());
    const kept = await db.rawEntries(QUARANTINE_PREFIX);
    expect(kept).toHaveLength(3);
    for (const [k, v] of kept) expect(v).toEqual(before.get(k.slice(QUARANTINE_PREFIX.length)));
    expect(lines.some((l) => /is damaged \(.+\); kept aside under quarantine:/.test(l))).toBe(true);
    // A second start finds nothing new to move.
    expect(await quarantineDamaged(db, Date.now(), log)).toBe(0);
    expect(existsSync(join(d, RECORDS_DIR))).toBe(true);
  });
});
