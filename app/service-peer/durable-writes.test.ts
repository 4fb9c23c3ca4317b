/**
 * A service peer's writes are on disk before they are acknowledged, and a
 * full disk refuses new writes with an error to the writer while reads go
 * on: two ring members (the tabs' and service peer's RingMember) on
 * authenticated in-memory links, one of them on LevelDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalDecode, exportSpki, generateSigningKeyPair, MemoryKeyValueStore, nodeIdFromSpki, signBytes, toHex, utf8, type KeyValueStore } from '../identity';
import { createRecord, type WireRecord } from '../overlay';
import { liveRingComponents, RingMember } from '../peer';
import { LinkManager } from '../transport';
import { MemoryNetwork } from '../transport/testing';
import { systemClock } from '../common';
import { RECORD_PREFIX } from './data-dir';
import { LevelKeyValueStore } from './level-store';

class FillableDisk implements KeyValueStore {
  full = false;
  constructor(private readonly inner: LevelKeyValueStore) {}
  get = (k: string) => this.inner.get(k);
  keys = () => this.inner.keys();
  del = (k: string) => this.inner.del(k);
  set(k: string, v: unknown): Promise<void> {
    return this.full ? Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) : this.inner.set(k, v);
  }
}

async function member(net: MemoryNetwork, kv: KeyValueStore, online: () => string[]): Promise<RingMember> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  const links = new LinkManager({ dialer: net.dialer(nodeId), local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey }, policy: async () => ({ allow: true, reason: 'test' }), clock: systemClock });
  return new RingMember({ ...liveRingComponents(links), records: kv, settings: new MemoryKeyValueStore(), onlinePeers: online });
}

const dir = mkdtempSync(join(tmpdir(), 'durable-'));
let db: LevelKeyValueStore;
let disk: FillableDisk;
let tab: RingMember;
let service: RingMember;
const owner = generateSigningKeyPair();

/** A signed note whose key the service peer is a replica of, as `from`'s lookup sees it. */
async function note(text: string, from = tab): Promise<WireRecord> {
  const k = await owner;
  const signer = { spki: await exportSpki(k.publicKey), sign: (p: Uint8Array) => signBytes(k.privateKey, p) };
  for (;;) {
    const key = crypto.getRandomValues(new Uint8Array(20));
    if ((await from.node.lookup(toHex(key))).replicas.includes(service.node.id)) {
      return createRecord(signer, { key, kind: 'single', value: utf8(text), version: 1, expires: Date.now() + 3_600_000 });
    }
  }
}

beforeAll(async () => {
  db = await LevelKeyValueStore.open(join(dir, 'records'));
  disk = new FillableDisk(db);
  const net = new MemoryNetwork();
  tab = await member(net, new MemoryKeyValueStore(), () => []);
  service = await member(net, disk, () => [tab.node.id]);
  await tab.start();
  await service.start();
  const deadline = Date.now() + 20_000;
  while (!(tab.getSnapshot().successors.includes(service.node.id) && service.getSnapshot().successors.includes(tab.node.id))) {
    if (Date.now() > deadline) throw new Error('the two members did not form a ring');
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  tab?.leave();
  service?.leave();
  await new Promise((r) => setTimeout(r, 50));
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('service peer storage', () => {
  let first: WireRecord;

  it('is on disk when the writer hears "stored"', async () => {
    first = await note('durable');
    const put = await tab.node.put(first);
    expect(put.stored).toContain(service.node.id);
    // No waiting: the acknowledgement came after the synced write.
    const onDisk = await db.rawEntries(RECORD_PREFIX);
    expect(onDisk).toHaveLength(1);
    const decoded = canonicalDecode(onDisk[0]![1].subarray(1)) as unknown as WireRecord;
    expect(new TextDecoder().decode(decoded.value)).toBe('durable');
  });

  it('with a full disk refuses new writes with an error to the writer, and keeps serving reads', async () => {
    disk.full = true;
    const second = await note('no room');
    const put = await tab.node.put(second);
    expect(put.stored).not.toContain(service.node.id);
    expect(Object.keys(put.refused)).toEqual([service.node.id]);
    expect([...service.node.counters.bad.keys()].some((k) => k.startsWith('store-failed'))).toBe(true);
    // Its own writer (a put made at the service peer) gets the error too.
    await expect(service.node.put(await note('local', service))).rejects.toThrow(/no space left/);
    const read = await service.node.get(first.k);
    expect(read.map((r) => new TextDecoder().decode(r.value))).toEqual(['durable']);
    expect(await db.rawEntries(RECORD_PREFIX)).toHaveLength(1);
    disk.full = false;
  });
});
