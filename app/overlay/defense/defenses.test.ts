/**
 * Each defense catches its attack in a small ring (issue 20): 100 nodes, a
 * fifth of them colluding, lookups from honest nodes. With the defense off
 * (today's lookup) the attack shows; with it on, it is caught. Also the bad
 * inputs the defenses add: a malformed `wide` flag, out-of-range settings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalEncode, type CanonicalValue } from '../../identity';
import { OverlayConfigError } from '../errors';
import { idFromHex, idToHex } from '../id';
import { isParseFailure, parseMessage } from '../messages';
import { resolveOptions, type OverlayOptions } from '../options';
import { denseReplicaSet } from './density-check';
import { Collusion, tallyLookups, tallyReads, writeTwoVersions, type AdversaryKind } from '../sim/adversaries';
import { Simulation } from '../sim/simulation';
import type { WireRecord } from '../storage/record';

const N = 100;
const F = 0.2;

async function ring(seed: number, overlay: OverlayOptions = {}): Promise<Simulation> {
  const sim = new Simulation({ seed, network: { linkEvents: false }, overlay });
  sim.buildByOracle(N);
  await sim.run(20_000);
  return sim;
}

function collude(sim: Simulation, kind: AdversaryKind, targets?: ReadonlySet<string>): Collusion {
  const c = new Collusion(sim, kind, sim.liveIds().slice(0, N * F), targets ? { targets } : {});
  c.install();
  return c;
}

describe('defenses against colluders (f = 20 % of 100 nodes)', () => {
  it('disjoint paths with wide answers: lookups dropped by colluders fail without, none fail with', async () => {
    const sim = await ring(41);
    const c = collude(sim, 'drop');
    const off = await tallyLookups(sim, c, 150);
    const on = await tallyLookups(sim, c, 150, { paths: 2 });
    expect(off.failed).toBeGreaterThan(0);
    expect(on.failed).toBe(0);
    expect(on.correct).toBeGreaterThan(off.correct);
    // Wrong answers left: a colluder that is the key's true successor is skipped once it timed out.
    expect(on.correct / on.total).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('disjoint paths: lookups misrouted among colluders fail without, succeed with', async () => {
    const sim = await ring(42);
    const c = collude(sim, 'misroute');
    const off = await tallyLookups(sim, c, 150);
    const on = await tallyLookups(sim, c, 150, { paths: 2 });
    expect(off.correct / off.total).toBeLessThan(0.95);
    expect(on.correct / on.total).toBeGreaterThanOrEqual(0.97);
  }, 120_000);

  it('claimed-successor check: an eclipse of one chosen key misleads lookups without, is caught with', async () => {
    const sim = await ring(43);
    // A key whose true successor and predecessor are honest: the colluders must lie to own it.
    const colluders = new Set(sim.liveIds().slice(0, N * F));
    let key = sim.randomId();
    while (colluders.has(idToHex(sim.successorId(idFromHex(key)))) || colluders.has(idToHex(sim.predecessorId(idFromHex(key))))) key = sim.randomId();
    const c = collude(sim, 'eclipse', new Set([key]));
    const keys = [key];
    const off = await tallyLookups(sim, c, 80, {}, keys);
    const on = await tallyLookups(sim, c, 80, { paths: 2, checkSuccessor: true }, keys);
    expect(off.wrong).toBeGreaterThan(0);
    expect(on.wrong).toBeLessThan(off.wrong);
    expect(on.correct / on.total).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  describe('reads from every replica, checked, newest valid kept', () => {
    let sim: Simulation;
    let current: WireRecord[];
    let c: Collusion;
    beforeAll(async () => {
      sim = await ring(44);
      const w = await writeTwoVersions(sim, 40, 7);
      current = w.current;
      c = collude(sim, 'bad-storage');
      c.remember(w.old);
    }, 120_000);

    it('colluding replicas serving stale, corrupted or no copies: every read is current, none forged', async () => {
      const r = await tallyReads(sim, c, current);
      expect(r.stale).toBe(0);
      expect(r.forged).toBe(0);
      expect(r.correct).toBe(current.length);
    }, 120_000);
  });

  it('with an eclipse and bad storage together, the defenses cut stale reads', async () => {
    const sim = await ring(45);
    const w = await writeTwoVersions(sim, 40, 8);
    const c = collude(sim, 'eclipse+bad-storage');
    c.remember(w.old);
    const off = await tallyReads(sim, c, w.current);
    const on = await tallyReads(sim, c, w.current, { paths: 2, checkSuccessor: true });
    expect(off.stale).toBeGreaterThan(0);
    expect(on.stale).toBeLessThan(off.stale);
    expect(on.forged).toBe(0);
  }, 120_000);
});

describe('the routing failure test: redundant routing only for a flagged answer (Castro et al. 2002)', () => {
  it('a replica set as dense as the ring passes; colluders spread over r / f gaps, and an unknown density, as said', () => {
    const gap = 1000n;
    const key = 5_000n;
    const at = (gaps: number[]): { id: bigint }[] => gaps.map((g) => ({ id: key + BigInt(Math.round(g * 1000)) }));
    expect(denseReplicaSet(key, at([0.5, 1.8, 2.6, 4.1]), gap)).toBe(true);
    // Four colluders at f = 20 %: about five gaps apart.
    expect(denseReplicaSet(key, at([4, 9, 15, 21]), gap)).toBe(false);
    expect(denseReplicaSet(key, at([4, 9, 15, 21]), 0n)).toBe(true);
    // A short list is judged per node named.
    expect(denseReplicaSet(key, at([2]), gap)).toBe(true);
    expect(denseReplicaSet(key, at([7]), gap)).toBe(false);
  });

  it('in an honest ring the defended lookup costs at most 3 × the messages of the plain one, and names all r true replicas', async () => {
    const sim = await ring(46);
    const plain = await tallyLookups(sim, null, 100);
    const on = await tallyLookups(sim, null, 100, { paths: 2, checkSuccessor: true });
    expect(on.correct).toBe(on.total);
    expect(on.messages / plain.messages).toBeLessThanOrEqual(3);
    const r = sim.randomLive().options.successors;
    for (let i = 0; i < 30; i++) {
      const key = sim.randomId();
      const got = await sim.until(sim.randomLive().lookup(key, { paths: 2, checkSuccessor: true }));
      expect(got.replicas).toEqual(sim.replicaIds(idFromHex(key), r));
    }
  }, 120_000);

  it('an eclipse of every key at f = 30 %: colluders met first, and agreeing, are caught by the test and the sweep it starts', async () => {
    // Two rings with the same IDs and colluders; in the second every node runs the defenses (fix-fingers too).
    const eclipsed = async (overlay: OverlayOptions): Promise<number> => {
      const sim = await ring(47, overlay);
      const c = new Collusion(sim, 'eclipse', sim.liveIds().slice(0, N * 0.3));
      c.install();
      const t = await tallyLookups(sim, c, 150);
      return t.correct / t.total;
    };
    expect(await eclipsed({})).toBeLessThan(0.7);
    expect(await eclipsed({ lookupPaths: 2, checkSuccessor: true })).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});

describe('defense settings and wire: bad input', () => {
  it('lookupPaths outside 1..8 or not an integer is refused with OverlayConfigError', () => {
    for (const bad of [0, 9, 1.5, -1, Number.NaN]) expect(() => resolveOptions({ lookupPaths: bad })).toThrow(OverlayConfigError);
    expect(resolveOptions({}).lookupPaths).toBe(1);
    expect(resolveOptions({}).checkSuccessor).toBe(false);
  });

  it('a find with a non-boolean wide flag is refused as malformed; a boolean one parses', () => {
    const key = new Uint8Array(20).fill(7);
    const bad = parseMessage(canonicalEncode({ t: 'find', id: 1, key, wide: 'yes' } as unknown as CanonicalValue));
    expect(isParseFailure(bad)).toBe(true);
    const good = parseMessage(canonicalEncode({ t: 'find', id: 1, key, wide: true } as unknown as CanonicalValue));
    expect(isParseFailure(good)).toBe(false);
  });
});
