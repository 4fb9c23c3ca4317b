/**
 * Reads after a write that missed a replica (issue 13, kind 3): version 1 of
 * a record sits on all r replicas, version 2 is written while the key's first
 * replica is cut off for a moment, so only the other r-1 hold it. A read must
 * return the newest version any answering replica holds — single values,
 * dictionary entries, their removals, one sub-key — and bring the stale
 * replica up to date itself (read repair), long before anti-entropy would.
 */
import { describe, expect, it } from 'vitest';
import { canonicalDecode, fromUtf8, utf8 } from '../../identity';
import { bytesToHexId, idFromHex } from '../id';
import type { ChordNode } from '../node';
import { SeededRandom, randomBytes } from '../../common';
import { cheapSigner, cheapVerifier } from '../sim/cheap-crypto';
import { Simulation } from '../sim/simulation';
import { getRecords, getRecordsFromEach } from './client';
import { putRecord } from './put';
import { blobKey, createRecord, type RecordKind, type WireRecord } from './record';

const R = 4;
/** Anti-entropy far away: what these tests see is the read's own doing. */
const SYNC_MS = 600_000;

async function setup(seed: number) {
  const sim = new Simulation({ seed, network: { linkEvents: false }, overlay: { successors: R, syncMs: SYNC_MS } });
  sim.buildByOracle(16);
  await sim.run(5_000);
  const rng = new SeededRandom(seed + 1);
  const owner = cheapSigner(randomBytes(rng, 91));
  const key = randomBytes(rng, 20);
  const replicas = sim.replicaIds(idFromHex(bytesToHexId(key)), R);
  const others = [...sim.nodes.values()].filter((n) => !replicas.includes(n.id));
  const make = (kind: RecordKind, sub: string, value: string, version: number): Promise<WireRecord> =>
    createRecord(owner, { key, kind, sub, value: utf8(value), version, expires: sim.clock.now() + 3_600_000 });
  /**
   * Writes whose store to the key's first replica is lost on the way (the
   * writer's link to it dropped that one message): the other replicas take
   * the write, and nobody else notices anything, as in the field.
   */
  const putWithoutFirst = async (from: ChordNode, records: WireRecord[]): Promise<void> => {
    const transport = from.components.transport;
    const send = transport.send.bind(transport);
    transport.send = (to, bytes) => {
      if (to === replicas[0] && (canonicalDecode(bytes) as { t?: string }).t === 'store') return;
      send(to, bytes);
    };
    const puts = await sim.until(Promise.all(records.map((r) => putRecord(from, r))));
    transport.send = send;
    for (const put of puts) {
      expect(put.refused).toEqual({ [replicas[0]!]: 'timeout' });
      expect(put.stored.sort()).toEqual(replicas.slice(1).sort());
    }
  };
  const held = (id: string, sub: string): WireRecord | undefined => sim.nodes.get(id)!.replication.store.get(bytesToHexId(key), sub);
  return { sim, key, replicas, others, make, putWithoutFirst, held };
}

describe('reads return the newest replica and repair stale ones', () => {
  it('single value: version 2 is read though the first replica still has version 1', async () => {
    const { sim, key, replicas, others, make, putWithoutFirst, held } = await setup(31);
    const v1 = await make('single', '', 'one', 1);
    expect((await sim.until(putRecord(others[0]!, v1))).stored.length).toBe(R);
    await putWithoutFirst(others[1]!, [await make('single', '', 'two', 2)]);
    expect(held(replicas[0]!, '')?.version).toBe(1);
    for (const reader of [others[2]!, others[3]!, sim.nodes.get(replicas[1]!)!, sim.nodes.get(replicas[0]!)!]) {
      const got = await sim.until(getRecords(reader, key));
      expect(got.map((r) => fromUtf8(r.value)), `read from ${reader.id.slice(0, 8)}`).toEqual(['two']);
    }
    // Read repair: the stale replica has version 2 now, with anti-entropy minutes away.
    await sim.run(1_000);
    expect(held(replicas[0]!, '')?.version).toBe(2);
  });

  it('dictionary: a removal and a new entry written past the first replica are both read', async () => {
    const { sim, key, replicas, others, make, putWithoutFirst, held } = await setup(32);
    for (const sub of ['a', 'b']) expect((await sim.until(putRecord(others[0]!, await make('dict', sub, `${sub} here`, 1)))).stored.length).toBe(R);
    await putWithoutFirst(others[1]!, [await make('dict', 'a', 'gone', 2), await make('dict', 'c', 'c here', 1)]);
    const got = await sim.until(getRecords(others[2]!, key));
    expect(got.map((r) => `${r.sub}=${fromUtf8(r.value)}`)).toEqual(['a=gone', 'b=b here', 'c=c here']);
    // One entry asked by its sub-key is the newest too.
    const one = await sim.until(getRecords(others[3]!, key, { sub: 'a' }));
    expect(one.map((r) => fromUtf8(r.value))).toEqual(['gone']);
    await sim.run(1_000);
    expect(held(replicas[0]!, 'a')?.version).toBe(2);
    expect(held(replicas[0]!, 'c')?.version).toBe(1);
  });

  it('every replica answer is repaired, for readers that look at each replica too', async () => {
    const { sim, key, replicas, others, make, putWithoutFirst, held } = await setup(33);
    expect((await sim.until(putRecord(others[0]!, await make('single', '', 'one', 1)))).stored.length).toBe(R);
    await putWithoutFirst(others[1]!, [await make('single', '', 'two', 2)]);
    const each = await sim.until(getRecordsFromEach(others[2]!, key));
    expect(each.map((a) => a.replica)).toEqual(replicas);
    await sim.run(1_000);
    expect(held(replicas[0]!, '')?.version).toBe(2);
  });

  it('a blob is read from the first replica that has it (content-addressed, it cannot change)', async () => {
    const { sim } = await setup(34);
    const rng = new SeededRandom(7);
    const bytes = randomBytes(rng, 300);
    const k = await blobKey(bytes, cheapVerifier);
    const blob = await createRecord(cheapSigner(randomBytes(rng, 91)), { key: k, kind: 'blob', value: bytes, version: 1, expires: sim.clock.now() + 3_600_000 });
    const holders = sim.replicaIds(idFromHex(bytesToHexId(k)), R);
    const [writer, reader] = [...sim.nodes.values()].filter((n) => !holders.includes(n.id));
    expect((await sim.until(putRecord(writer!, blob))).stored.length).toBe(R);
    const fetches = (): number => sim.counters.sent.get('fetch') ?? 0;
    const before = fetches();
    const got = await sim.until(getRecords(reader!, k, { immutable: true }));
    expect(got.map((r) => r.value.length)).toEqual([300]);
    expect(fetches() - before).toBe(1);
  });

  it('a lying replica cannot win the merge or be repaired into others', async () => {
    const { sim, key, replicas, others, make, held } = await setup(35);
    const v1 = await make('single', '', 'one', 1);
    expect((await sim.until(putRecord(others[0]!, v1))).stored.length).toBe(R);
    const rival = cheapSigner(randomBytes(new SeededRandom(99), 91));
    const theirs = await createRecord(rival, { key, kind: 'single', value: utf8('theirs'), version: 50, expires: sim.clock.now() + 3_600_000 });
    const forged = { ...(await make('single', '', 'forged', 99)), value: utf8('FORGED') };
    const otherKey = await createRecord(rival, { key: new Uint8Array(20).fill(7), kind: 'single', value: utf8('elsewhere'), version: 70, expires: sim.clock.now() + 3_600_000 });
    const expired = { ...(await make('single', '', 'old', 80)), expires: sim.clock.now() - 1 };
    const liar = sim.nodes.get(replicas[1]!)!;
    liar.replication.handleFetch = (from, msg) => liar.rpc.send(from, { t: 'fetched', id: msg.id, records: [forged, otherKey, expired, theirs] });
    const got = await sim.until(getRecords(others[1]!, key));
    // The forged, misplaced and expired records are dropped by the reader's checks; the rival owner's
    // validly signed record is kept beside the owner's (whose counts is the caller's decision), newest first.
    expect(got.map((r) => fromUtf8(r.value))).toEqual(['theirs', 'one']);
    await sim.run(1_000);
    // The honest replicas were not sent the rival's record: they would refuse it, and nothing was forged into them.
    for (const id of [replicas[0]!, replicas[2]!, replicas[3]!]) expect(fromUtf8(held(id, '')!.value)).toBe('one');
    expect(sim.counters.recordsRefused).toBe(0);
  });
});
