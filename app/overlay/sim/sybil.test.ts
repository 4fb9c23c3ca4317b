/**
 * Adversary (e), Sybil: an attacker that makes IDs until r of them fall just
 * at or after a chosen key owns every replica of it, and honest lookups of
 * the key end at its nodes. Under the static ID puzzle each ID it tries costs
 * 2^c1 keys, so the same placement costs 2^c1 times the keys.
 */
import { describe, expect, it } from 'vitest';
import { generatePuzzleKeyPair, meetsStaticPuzzle, nodeIdFromSpki } from '../../identity';
import { idFromHex } from '../id';
import { Simulation } from './simulation';
import { inSybilArc, placeSybils, randomTargetKey, runEclipse, simulatedKeys, sybilTarget } from './sybil';

describe('Sybil placement next to a chosen key', () => {
  it('r IDs in [key, honest successor) own all r replicas, and honest lookups end at them', async () => {
    const r = 4;
    const sim = new Simulation({ seed: 2007, overlay: { successors: r } });
    sim.buildByOracle(60);
    await sim.run(5_000);
    const key = randomTargetKey(sim);
    const before = sim.replicaIds(key, r);
    const target = sybilTarget(sim, key);
    expect(BigInt('0x' + before[0]!)).toBe(target.honestSuccessor);
    const placement = await placeSybils(target, r, simulatedKeys(sim));
    expect(placement.placed).toHaveLength(r);
    expect(placement.generated).toBeGreaterThanOrEqual(r);
    for (const id of placement.placed) expect(inSybilArc(target, idFromHex(id))).toBe(true);
    const out = await runEclipse(sim, placement, r, { settleMs: 20_000, lookupCount: 30 });
    expect(out.sybilReplicas).toBe(r);
    expect(out.lookups).toBe(30);
    expect(out.lookupsToSybil).toBe(30);
  });

  it('r-1 IDs leave one honest replica: the eclipse is not complete', async () => {
    const r = 4;
    const sim = new Simulation({ seed: 2008, overlay: { successors: r } });
    sim.buildByOracle(40);
    await sim.run(5_000);
    const key = randomTargetKey(sim);
    const placement = await placeSybils(sybilTarget(sim, key), r - 1, simulatedKeys(sim));
    const out = await runEclipse(sim, placement, r, { settleMs: 20_000, lookupCount: 10 });
    expect(out.sybilReplicas).toBe(r - 1);
  });

  it('with real keys under the static puzzle, every placed ID meets it and cost 2^c1 keys per try', async () => {
    const sim = new Simulation({ seed: 11, overlay: { successors: 2 } });
    sim.buildByOracle(6);
    const target = sybilTarget(sim, randomTargetKey(sim));
    let keys = 0;
    let met = 0;
    const placement = await placeSybils(target, 2, async () => {
      const made = await generatePuzzleKeyPair(3);
      keys += made.tries;
      if (await meetsStaticPuzzle(made.spki, 3)) met++;
      return nodeIdFromSpki(made.spki);
    });
    expect(placement.placed).toHaveLength(2);
    expect(placement.placed.every((id) => inSybilArc(target, idFromHex(id)))).toBe(true);
    // Every ID the attacker tried came from a key that met the puzzle, and making it took keys.
    expect(met).toBe(placement.generated);
    expect(keys).toBeGreaterThanOrEqual(placement.generated);
  });
});
