/**
 * A lookup whose own deadline cuts a request short must not take the peer
 * for dead: the peer was only slower than what was left of the lookup's
 * time. Marking it suspect would have later lookups skip a live node (found
 * at issue 20: under many concurrent lookups among colluders that drop
 * requests, honest true successors were skipped this way and lookups named
 * the node after them).
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../sim/simulation';

async function ring(): Promise<Simulation> {
  // Every message takes 40 ms, so a 10 ms lookup cannot hear back from anyone.
  const sim = new Simulation({ seed: 5, network: { linkEvents: false, minLatencyMs: 40, maxLatencyMs: 40 } });
  sim.buildByOracle(64);
  await sim.run(5_000);
  return sim;
}

describe('a lookup cut short by its own deadline', () => {
  for (const [name, opts] of [
    ['iterative', { mode: 'iterative' as const }],
    ['disjoint paths', { paths: 2 }],
  ] as const) {
    it(`${name}: fails, and suspects nobody it asked`, async () => {
      const sim = await ring();
      const origin = sim.randomLive();
      // A key far from the origin, so the origin must ask someone.
      const key = (BigInt('0x' + origin.id) + (1n << 159n)) % (1n << 160n);
      const asked: string[] = [];
      await expect(
        sim.until(origin.lookup(key, { ...opts, timeoutMs: 10, onProgress: (e) => void (e.type === 'query' && asked.push(e.peer)) })),
      ).rejects.toThrow();
      expect(asked.length).toBeGreaterThan(0);
      const now = sim.clock.now();
      expect(asked.filter((p) => origin.table.isSuspect(p, now))).toEqual([]);
      // The same lookup with time to spare then succeeds through them.
      const r = await sim.until(origin.lookup(key, { ...opts, timeoutMs: 15_000 }));
      expect(BigInt('0x' + r.successor)).toBe(sim.successorId(key));
    }, 60_000);
  }
});
