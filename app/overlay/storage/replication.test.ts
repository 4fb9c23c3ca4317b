/**
 * Replicas sit on the r successors of each key; any r-1 of them may crash
 * at once and every record stays readable; after stabilization every record
 * is back on r nodes — the r true successors. Graceful leave hands over.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../identity';
import { bytesToHexId, idFromHex } from '../id';
import { SeededRandom, randomBytes } from '../../common';
import { cheapSigner } from '../sim/cheap-crypto';
import { Simulation } from '../sim/simulation';
import { getRecords } from './client';
import { putRecord } from './put';
import { createRecord, type WireRecord } from './record';

const R = 4;
const RECORDS = 40;

function holders(sim: Simulation, r: WireRecord): string[] {
  return [...sim.nodes.values()].filter((n) => n.replication.store.get(bytesToHexId(r.k), r.sub)).map((n) => n.id);
}

describe('replication', () => {
  const sim = new Simulation({ seed: 21, network: { linkEvents: false }, overlay: { successors: R, syncMs: 10_000 } });
  const records: WireRecord[] = [];

  beforeAll(async () => {
    sim.buildByOracle(60);
    await sim.run(5_000);
    const rng = new SeededRandom(3);
    const owner = cheapSigner(randomBytes(rng, 91));
    for (let i = 0; i < RECORDS; i++) {
      const rec = await createRecord(owner, { key: randomBytes(rng, 20), kind: 'single', value: utf8(`v${i}`), version: 1, expires: sim.clock.now() + 3_600_000 });
      records.push(rec);
      const put = await sim.until(putRecord(sim.randomLive(), rec));
      expect(put.stored.length).toBe(R);
    }
  });

  it('puts each record on the r true successors of its key', () => {
    for (const r of records) expect(holders(sim, r).sort()).toEqual(sim.replicaIds(idFromHex(bytesToHexId(r.k)), R).sort());
  });

  it('keeps every record readable when r-1 replicas crash at once, and restores r copies', async () => {
    // Crash r-1 replicas of several records at once — records whose replica sets do not
    // overlap, so that no record loses more than r-1 of its copies.
    const used = new Set<string>();
    let victims = 0;
    for (const r of records) {
      const set = sim.replicaIds(idFromHex(bytesToHexId(r.k)), R);
      if (victims >= 4 || set.some((id) => used.has(id))) continue;
      for (const id of set) used.add(id);
      for (const id of set.slice(0, R - 1)) sim.crash(id);
      victims++;
    }
    expect(victims).toBe(4);
    const reads = await sim.until(Promise.all(records.map((r) => getRecords(sim.randomLive(), r.k))));
    reads.forEach((got, i) => expect(got.map((x) => x.version), `record ${i}`).toEqual([1]));
    await sim.run(60_000);
    for (const r of records) {
      const want = sim.replicaIds(idFromHex(bytesToHexId(r.k)), R);
      const have = holders(sim, r);
      expect(want.every((id) => have.includes(id)), `record on its ${R} successors`).toBe(true);
    }
  });

  it('hands records over on a graceful leave', async () => {
    const r = records[10]!;
    for (const id of sim.replicaIds(idFromHex(bytesToHexId(r.k)), R)) {
      sim.leave(id);
      await sim.run(3_000);
    }
    const got = await sim.until(getRecords(sim.randomLive(), r.k));
    expect(got.length).toBe(1);
  });
});
