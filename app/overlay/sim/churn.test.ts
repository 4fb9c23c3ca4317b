/**
 * What keeps lookups right under churn: a joining node becomes its
 * predecessor's successor within round trips, not a stabilize period later;
 * a crashed successor is noticed within a measured RTO, not the fixed RPC
 * timeout; and a 30-minute-median churn leaves at most one lookup in a
 * thousand wrong.
 */
import { describe, expect, it } from 'vitest';
import { idFromHex, idToHex } from '../id';
import { MIN_RTO_MS } from '../rpc/rpc';
import { Simulation } from './simulation';

describe('churn', () => {
  it('a node that joins is its predecessor’s successor well within a stabilize period', async () => {
    const sim = new Simulation({ seed: 21, network: { linkEvents: false } });
    sim.buildByOracle(60);
    await sim.run(10_000);
    for (let i = 0; i < 10; i++) {
      const fresh = sim.createNode();
      const start = sim.clock.now();
      await sim.until(sim.join(fresh));
      await sim.run(400);
      const pred = sim.nodes.get(idToHex(sim.predecessorId(fresh.self.id)))!;
      expect(pred.table.successors.first().hex).toBe(fresh.id);
      // Stabilize runs every 2 s: well under that, the predecessor learned from the joiner itself.
      expect(sim.clock.now() - start).toBeLessThan(2_000);
    }
  });

  it('notices a crashed successor within an RTO of its next stabilize, far sooner than the fixed timeout', async () => {
    const sim = new Simulation({ seed: 22, network: { linkEvents: false, failureDetectMs: 60_000 } });
    sim.buildByOracle(40);
    await sim.run(10_000);
    const node = sim.randomLive();
    const succ = node.table.successors.first().hex;
    expect(node.rpc.timeoutFor(succ, 1_500)).toBe(MIN_RTO_MS);
    sim.crash(succ);
    // One stabilize period (2 s) plus the RTO, and the dead successor is gone from the list.
    await sim.run(2_000 + MIN_RTO_MS + 50);
    expect(node.table.successors.has(succ)).toBe(false);
    expect(BigInt('0x' + node.table.successors.first().hex)).toBe(sim.successorId(node.self.id + 1n));
  });

  it('keeps lookups at least 99.9 % right under churn with a 30-minute median session (r = 4)', async () => {
    const sim = new Simulation({ seed: 23, network: { linkEvents: false }, overlay: { successors: 4 } });
    sim.buildByOracle(100);
    await sim.run(20_000);
    // 100 nodes for 5 minutes: about a dozen crashes and as many joins (the benchmark runs 1,000).
    const stop = sim.startChurn(30 * 60_000);
    let ok = 0;
    let total = 0;
    for (let round = 0; round < 5; round++) {
      await sim.run(60_000);
      const checks: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) {
        const key = sim.randomId();
        const origin = sim.randomLive();
        checks.push(
          origin.lookup(key).then(
            (r) => {
              if (origin.isClosed) return;
              total++;
              if (idFromHex(r.successor) === sim.successorId(idFromHex(key))) ok++;
            },
            () => {
              if (!origin.isClosed) total++;
            },
          ),
        );
      }
      await sim.until(Promise.all(checks));
    }
    stop();
    expect(total).toBeGreaterThan(990);
    expect(ok / total).toBeGreaterThanOrEqual(0.999);
  }, 60_000);
});
