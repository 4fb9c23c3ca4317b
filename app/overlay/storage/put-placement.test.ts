/**
 * A write is reported where it really sits: when the writer cannot reach the
 * key's successor (a live node it has no link to), its lookup routes around
 * that node and names the nodes after it as the replicas. The writer must
 * not then report "stored on r replicas": it learns from the replicas'
 * own predecessors that a closer node exists, tries it, and says the write
 * missed the key's successor when that node did not take it.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../identity';
import { bytesToHexId, hexIdToBytes, idFromHex } from '../id';
import { SeededRandom, randomBytes } from '../../common';
import { cheapSigner } from '../sim/cheap-crypto';
import { Simulation } from '../sim/simulation';
import { getRecords } from './client';
import { putRecord } from './put';
import { createRecord } from './record';

const R = 4;

describe('where a write is reported stored', () => {
  it('reports only the key’s true replicas that hold it, and says when the key’s successor was missed', async () => {
    const sim = new Simulation({ seed: 44, overlay: { successors: R } });
    sim.buildByOracle(8);
    await sim.run(5_000);
    const ids = sim.liveIds().sort();
    const writer = ids[2]!;
    const successor = ids[3]!;
    // A key the successor owns, just after the writer, so the writer answers the lookup itself.
    const keyHex = ((idFromHex(writer) + idFromHex(successor)) / 2n).toString(16).padStart(40, '0');
    const truth = sim.replicaIds(idFromHex(keyHex), R);
    expect(truth[0]).toBe(successor);
    sim.net.block(writer, successor);
    await sim.run(20_000);
    const owner = cheapSigner(randomBytes(new SeededRandom(5), 91));
    const v1 = await createRecord(owner, { key: hexIdToBytes(keyHex), kind: 'single', value: utf8('v1'), version: 1, expires: sim.clock.now() + 3_600_000 });
    const put = await sim.until(putRecord(sim.nodes.get(writer)!, v1));
    // Whatever the lookup said, what is reported stored lies on the key's true replicas.
    for (const hex of put.stored) expect(truth, `${hex.slice(0, 6)} reported as a replica`).toContain(hex);
    expect(put.stored).not.toContain(successor);
    expect(put.successor).toBe(successor);
    expect(put.onSuccessor).toBe(false);
    expect(put.refused[successor]).toBe('timeout');

    // Once the path is back, the same write reaches the successor and all r replicas.
    sim.net.unblock(writer, successor);
    await sim.run(20_000);
    const v2 = await createRecord(owner, { key: hexIdToBytes(keyHex), kind: 'single', value: utf8('v2'), version: 2, expires: sim.clock.now() + 3_600_000 });
    const again = await sim.until(putRecord(sim.nodes.get(writer)!, v2));
    expect(again.onSuccessor).toBe(true);
    expect([...again.stored].sort()).toEqual([...truth].sort());
    const read = await sim.until(getRecords(sim.nodes.get(ids[6]!)!, hexIdToBytes(keyHex)));
    expect(read.map((r) => r.version)).toEqual([2]);
    expect(bytesToHexId(read[0]!.k)).toBe(keyHex);
  });

  it('walks back to a node that joined between the key and the replica the lookup named', async () => {
    const sim = new Simulation({ seed: 45, overlay: { successors: R } });
    sim.buildByOracle(8);
    await sim.run(5_000);
    const ids = sim.liveIds().sort();
    const writer = ids[0]!;
    // The writer does not know the newcomer yet: its lookup still names the old successor.
    const next = idFromHex(ids[5]!);
    const prev = idFromHex(ids[4]!);
    const newcomer = ((prev + next) / 2n).toString(16).padStart(40, '0');
    const keyHex = ((prev + idFromHex(newcomer)) / 2n).toString(16).padStart(40, '0');
    const node = sim.createNode(newcomer);
    await sim.until(node.join([ids[4]!]));
    await sim.run(3_000);
    const truth = sim.replicaIds(idFromHex(keyHex), R);
    expect(truth[0]).toBe(newcomer);
    const owner = cheapSigner(randomBytes(new SeededRandom(6), 91));
    const rec = await createRecord(owner, { key: hexIdToBytes(keyHex), kind: 'single', value: utf8('x'), version: 1, expires: sim.clock.now() + 3_600_000 });
    const put = await sim.until(putRecord(sim.nodes.get(writer)!, rec));
    expect(put.onSuccessor).toBe(true);
    expect(put.stored).toContain(newcomer);
    for (const hex of put.stored) expect(truth).toContain(hex);
  });
});
