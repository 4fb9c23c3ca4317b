/**
 * With the lookup defenses on, fix-fingers finds fingers the defended way
 * too: otherwise colluders that eclipse every key put themselves into
 * honest nodes' finger tables (an undefended fix-fingers lookup ends at
 * whatever a colluder on its way names), and later walks start among them.
 */
import { describe, expect, it } from 'vitest';
import { Collusion } from '../sim/adversaries';
import { Simulation } from '../sim/simulation';
import type { OverlayOptions } from '../options';

const N = 100;
const RING = 1n << 160n;

/** Of honest nodes' distinct fingers, the share that is not the true successor of its finger start. */
async function wrongFingerShare(overlay: OverlayOptions): Promise<number> {
  const sim = new Simulation({ seed: 61, network: { linkEvents: false }, overlay });
  sim.buildByOracle(N);
  await sim.run(10_000);
  const c = new Collusion(sim, 'eclipse', sim.liveIds().slice(0, N / 5));
  c.install();
  // Fix-fingers walks the table about every 5 s per finger: three minutes refresh it many times.
  await sim.run(180_000);
  let wrong = 0;
  let total = 0;
  for (const node of sim.nodes.values()) {
    if (c.members.has(node.id) || node.isClosed) continue;
    const self = BigInt('0x' + node.id);
    for (let i = 0; i < 160; i++) {
      const f = node.table.fingers.get(i);
      if (!f) continue;
      total++;
      if (f.id !== sim.successorId((self + (1n << BigInt(i))) % RING)) wrong++;
    }
  }
  c.remove();
  return wrong / Math.max(1, total);
}

describe('fingers under an eclipse of every key (f = 20 % of 100 nodes)', () => {
  it('some point at colluders when found by undefended lookups; with the defenses on, a third as many at most', async () => {
    const off = await wrongFingerShare({});
    const on = await wrongFingerShare({ lookupPaths: 2, checkSuccessor: true });
    // Seed 61: 1.6 % of fingers wrong without, 0.1 % with.
    expect(off).toBeGreaterThan(0.005);
    expect(on).toBeLessThan(off / 3);
  }, 240_000);
});
