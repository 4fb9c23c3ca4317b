/**
 * The ring at N = 500, built by real joins on the simulator: after
 * stabilization every node's successor is right, and lookups from every
 * node, in both modes, end at the true successor of the key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { idFromHex } from '../id';
import { Simulation } from './simulation';

const N = 500;
const KEYS_PER_NODE = 2;

describe(`ring of ${N} nodes built by joins`, () => {
  const sim = new Simulation({ seed: 500, network: { linkEvents: false } });

  beforeAll(async () => {
    await sim.buildByJoins(N, 100_000, 300_000);
  }, 120_000);

  it('has every successor pointer and predecessor right', () => {
    expect(sim.nodes.size).toBe(N);
    let wrongSucc = 0;
    let wrongPred = 0;
    for (const n of sim.nodes.values()) {
      if (n.table.successors.first().id !== sim.successorId(n.self.id + 1n)) wrongSucc++;
      if (n.table.predecessor?.id !== sim.predecessorId(n.self.id)) wrongPred++;
    }
    expect({ wrongSucc, wrongPred }).toEqual({ wrongSucc: 0, wrongPred: 0 });
  });

  for (const mode of ['recursive', 'iterative'] as const) {
    it(`${mode}: every node's lookups end at the true successor`, async () => {
      const checks: Promise<boolean>[] = [];
      for (const node of sim.nodes.values()) {
        for (let i = 0; i < KEYS_PER_NODE; i++) {
          const key = sim.randomId();
          checks.push(node.lookup(key, { mode }).then((r) => BigInt('0x' + r.successor) === sim.successorId(idFromHex(key))));
        }
      }
      const results = await sim.until(Promise.all(checks));
      expect(results.filter((ok) => !ok).length).toBe(0);
      expect(results.length).toBe(N * KEYS_PER_NODE);
    }, 60_000);
  }

  it('reports r replicas that are the r true successors of the key', async () => {
    const node = sim.randomLive();
    const key = sim.randomId();
    const r = await sim.until(node.lookup(key));
    expect(r.replicas).toEqual(sim.replicaIds(idFromHex(key), 4));
  });
});
