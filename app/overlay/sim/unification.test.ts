/**
 * Ring unification on the simulator: rings that formed apart (tabs that
 * loaded at the same moment) merge into one, and joins do not go through
 * nodes that are themselves still joining.
 */
import { describe, expect, it } from 'vitest';
import { LookupError } from '../errors';
import { idFromHex } from '../id';
import type { ChordNode } from '../node';
import { SeededRandom } from '../../common';
import { RingUnifier } from '../unification';
import { Simulation } from './simulation';

/** Two rings of `size` nodes each, every node joined through its own ring's first node only. */
async function twoRings(seed: number, size: number): Promise<{ sim: Simulation; a: ChordNode[]; b: ChordNode[] }> {
  const sim = new Simulation({ seed, network: { linkEvents: false } });
  const a = [sim.createNode()];
  const b = [sim.createNode()];
  await sim.until(a[0]!.join([]));
  await sim.until(b[0]!.join([]));
  for (let i = 1; i < size; i++) {
    for (const ring of [a, b]) {
      const n = sim.createNode();
      ring.push(n);
      await sim.until(n.join([ring[0]!.id]));
    }
  }
  await sim.run(30_000);
  return { sim, a, b };
}

/** Pointers (successor, predecessor) that are wrong for a ring of `nodes`: all live nodes unless given. */
function wrongPointers(sim: Simulation, nodes: ChordNode[] = [...sim.nodes.values()]): number {
  const ids = nodes.map((n) => n.id).sort();
  let wrong = 0;
  for (const n of nodes) {
    const i = ids.indexOf(n.id);
    if (n.table.successors.first().hex !== ids[(i + 1) % ids.length]) wrong++;
    if (n.table.predecessor?.hex !== ids[(i - 1 + ids.length) % ids.length]) wrong++;
  }
  return wrong;
}

/** Runs until no pointer is wrong; returns the virtual time it took, or null past `maxMs`. */
async function timeToConsistent(sim: Simulation, maxMs: number): Promise<number | null> {
  const start = sim.clock.now();
  while (sim.clock.now() - start < maxMs) {
    await sim.run(500);
    if (wrongPointers(sim) === 0) return sim.clock.now() - start;
  }
  return null;
}

function unifiers(sim: Simulation, nodes: ChordNode[], hints: (n: ChordNode) => string[], strangerMs = 30_000): RingUnifier[] {
  return nodes.map((n, i) => {
    const u = new RingUnifier(n, sim.clock, new SeededRandom(i + 1), () => hints(n), { strangerMs });
    u.start();
    return u;
  });
}

describe('ring unification', () => {
  it('two rings that formed apart are each consistent on their own but not one ring', async () => {
    const { sim, a, b } = await twoRings(11, 8);
    // Each ring is a closed loop: every node's successor is in its own ring.
    for (const ring of [a, b]) {
      const ids = new Set(ring.map((n) => n.id));
      for (const n of ring) expect(ids.has(n.table.successors.first().hex)).toBe(true);
    }
    expect(wrongPointers(sim)).toBeGreaterThan(0);
    // Chord's own maintenance does not merge them.
    await sim.run(120_000);
    expect(wrongPointers(sim)).toBeGreaterThan(0);
  });

  it('mergeVia through a node of the other ring adopts the nearer successor (no answer is taken for a lie)', async () => {
    const { sim, a, b } = await twoRings(12, 6);
    const n = a.find((x) => b.some((y) => BigInt('0x' + y.id) === sim.successorId(x.self.id + 1n)))!;
    const liesBefore = sim.counters.bad.get('lying-answer') ?? 0;
    const changed = await sim.until(n.mergeVia(b[3]!.id));
    expect(changed).toBe(true);
    expect(n.table.successors.first().id).toBe(sim.successorId(n.self.id + 1n));
    expect(sim.counters.bad.get('lying-answer') ?? 0).toBe(liesBefore);
  });

  it('mergeVia through a live member of its own ring that its successor pointer skips takes it as successor', async () => {
    const sim = new Simulation({ seed: 13, network: { linkEvents: false } });
    sim.buildByOracle(12);
    const x = sim.randomLive();
    const skipped = x.table.successors.first();
    x.table.successors.remove(skipped.hex);
    expect(x.table.successors.first().hex).not.toBe(skipped.hex);
    // Only x itself could answer a walk for its own place in this ring; the peer's answer is what counts.
    expect(await sim.until(x.mergeVia(skipped.hex))).toBe(true);
    expect(x.table.successors.first().hex).toBe(skipped.hex);
  });

  it('a live successor wrongly suspected (a missed reply from a busy tab) is taken back after one probe, not after the suspicion time', async () => {
    const sim = new Simulation({ seed: 14, network: { linkEvents: false } });
    sim.buildByOracle(12);
    const x = sim.randomLive();
    const succ = x.table.successors.first();
    x.markDead(succ.hex);
    expect(x.table.isSuspect(succ.hex, sim.clock.now())).toBe(true);
    const u = new RingUnifier(x, sim.clock, new SeededRandom(1), () => sim.liveIds());
    expect(u.round()).toBe(succ.hex);
    await sim.run(1000);
    expect(x.table.successors.first().hex).toBe(succ.hex);
    expect(x.table.isSuspect(succ.hex, sim.clock.now())).toBe(false);
  });

  for (const seed of [21, 22, 23]) {
    it(`two rings of 8 merge into one within seconds when every node hears of every online peer (seed ${seed})`, async () => {
      const { sim, a, b } = await twoRings(seed, 8);
      const all = [...a, ...b];
      const us = unifiers(sim, all, () => sim.liveIds());
      const took = await timeToConsistent(sim, 60_000);
      expect(took).not.toBeNull();
      expect(took!).toBeLessThanOrEqual(10_000);
      // Lookups from every node now end at the true successor.
      const checks = all.map((n) => {
        const key = sim.randomId();
        return n.lookup(key, { mode: 'iterative' }).then((r) => BigInt('0x' + r.successor) === sim.successorId(idFromHex(key)));
      });
      expect((await sim.until(Promise.all(checks))).every(Boolean)).toBe(true);
      // A consistent ring costs no probes: every round finds the successor right.
      for (const u of us) u.stop();
      const quiet = unifiers(sim, all, () => sim.liveIds(), 1e12);
      expect(quiet.map((u) => u.round()).filter((p) => p !== null)).toEqual([]);
    });
  }

  it('merges when one node of one ring has heard of one node of the other, and nothing else', async () => {
    const { sim, a, b } = await twoRings(31, 8);
    const all = [...a, ...b];
    const lone = b[5]!.id;
    unifiers(sim, all, (n) => (n === a[2] ? [lone] : []), 5000);
    const took = await timeToConsistent(sim, 300_000);
    expect(took).not.toBeNull();
  });

  it('a lone node and a ring merge, and three rings merge into one', async () => {
    const { sim, a, b } = await twoRings(41, 5);
    const lone = sim.createNode();
    await sim.until(lone.join([]));
    const all = [...a, ...b, lone];
    unifiers(sim, all, () => sim.liveIds());
    expect(await timeToConsistent(sim, 60_000)).not.toBeNull();
  });

  it('a hinted peer that is not in any ring is probed with growing gaps and does not stop the merge', async () => {
    const { sim, a, b } = await twoRings(51, 6);
    const outsider = sim.createNode(); // never joins: it refuses to route
    const all = [...a, ...b];
    let probesOfOutsider = 0;
    for (const n of all) {
      const mergeVia = n.mergeVia.bind(n);
      n.mergeVia = (peer: string) => {
        if (peer === outsider.id) probesOfOutsider++;
        return mergeVia(peer);
      };
    }
    unifiers(sim, all, () => sim.liveIds());
    await sim.run(60_000);
    expect(wrongPointers(sim, all)).toBe(0);
    expect(outsider.joined).toBe(false);
    expect(all.some((n) => n.table.known().some((p) => p.hex === outsider.id))).toBe(false);
    // Its predecessor alone would ask it every round (60 times a minute) without the back-off (1, 2, 4 … 30 s);
    // a few more come from nodes of the other ring before the merge and from the occasional random probe.
    expect(probesOfOutsider).toBeGreaterThan(0);
    expect(probesOfOutsider).toBeLessThanOrEqual(12);
  });
});

describe('joining while others join', () => {
  it('a node still joining refuses to route, so nobody joins through it', async () => {
    const sim = new Simulation({ seed: 61, network: { linkEvents: false } });
    const joining = sim.createNode();
    const fresh = sim.createNode();
    const err = await sim.until(fresh.join([joining.id]).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(LookupError);
    expect((err as LookupError).reason).toBe('not-joined');
    expect(fresh.joined).toBe(false);
  });

  it('a silent bootstrap node fails the join with no-candidate', async () => {
    const sim = new Simulation({ seed: 62, network: { linkEvents: false } });
    const fresh = sim.createNode();
    const err = await sim.until(fresh.join(['00'.repeat(20)]).catch((e: unknown) => e));
    expect((err as LookupError).reason).toBe('no-candidate');
  });

  it('ten nodes joining at once through each other and one ring node form one ring', async () => {
    const sim = new Simulation({ seed: 63, network: { linkEvents: false } });
    const first = sim.createNode();
    await sim.until(first.join([]));
    const fresh = Array.from({ length: 10 }, () => sim.createNode());
    const ids = fresh.map((n) => n.id);
    // Every node asks the ring node and four other newcomers at the same moment.
    const joins = fresh.map((n, i) => n.join([first.id, ...ids.filter((x) => x !== n.id).slice(i % 6, (i % 6) + 4)]));
    await sim.until(Promise.all(joins));
    expect(fresh.every((n) => n.joined)).toBe(true);
    expect(await timeToConsistent(sim, 60_000)).not.toBeNull();
  });
});
