/**
 * The simulated adversaries do what their kind says, on the real node code:
 * in a small ring with a fifth of the nodes colluding, each kind breaks
 * lookups or reads that all succeed with the same nodes honest, and the
 * breakage is of its kind (drops fail lookups, eclipses name colluders,
 * bad storage serves stale versions, never a forgery a reader accepts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { idFromHex } from '../../id';
import type { WireRecord } from '../../storage/record';
import { Simulation } from '../simulation';
import { Collusion, tallyLookups, tallyReads, writeTwoVersions, type AdversaryKind } from './index';

describe('colluding adversaries, f = 20 % of 80 nodes, no defenses', () => {
  const sim = new Simulation({ seed: 31, network: { linkEvents: false } });
  let old: WireRecord[] = [];
  let current: WireRecord[] = [];
  beforeAll(async () => {
    sim.buildByOracle(80);
    await sim.run(10_000);
    ({ old, current } = await writeTwoVersions(sim, 30, 5));
  }, 60_000);

  const turn = (kind: AdversaryKind): Collusion => {
    const c = new Collusion(sim, kind, sim.liveIds().slice(0, 16));
    c.remember(old);
    c.install();
    return c;
  };

  /** Turns the colluders honest again and lets the tables heal (suspicions last 30 s, fingers are fixed every 5 s). */
  const off = async (c: Collusion): Promise<void> => {
    c.remove();
    await sim.run(90_000);
  };

  it('honest: every lookup and read is right', async () => {
    const l = await tallyLookups(sim, null, 100);
    const r = await tallyReads(sim, null, current);
    expect(l.correct).toBe(100);
    expect(r.correct).toBe(current.length);
  });

  it('drop: lookups through a colluder are lost and fail or fall back', async () => {
    const c = turn('drop');
    const l = await tallyLookups(sim, c, 100);
    await off(c);
    expect(c.lies).toBeGreaterThan(0);
    expect(l.correct).toBeLessThan(100);
  }, 60_000);

  it('misroute: lookups wander among colluders', async () => {
    const c = turn('misroute');
    const l = await tallyLookups(sim, c, 100);
    await off(c);
    expect(c.lies).toBeGreaterThan(0);
    expect(l.correct).toBeLessThan(100);
  }, 60_000);

  it('eclipse: wrong lookups name a colluder as the successor', async () => {
    const c = turn('eclipse');
    const wrong: string[] = [];
    const origin = sim.nodes.get(sim.liveIds()[40]!)!;
    for (let i = 0; i < 60; i++) {
      const key = sim.randomId();
      const r = await sim.until(origin.lookup(key));
      if (idFromHex(r.successor) !== sim.successorId(idFromHex(key))) wrong.push(r.successor);
    }
    await off(c);
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.every((w) => c.members.has(w))).toBe(true);
  }, 60_000);

  it('eclipse + bad storage: reads return the stale version; nothing forged is accepted', async () => {
    const c = turn('eclipse+bad-storage');
    const r = await tallyReads(sim, c, current);
    await off(c);
    expect(r.stale).toBeGreaterThan(0);
    expect(r.forged).toBe(0);
  }, 60_000);

  it('after remove() and time to heal, the same nodes are honest again', async () => {
    const l = await tallyLookups(sim, null, 100);
    expect(l.correct).toBe(100);
  });
});
