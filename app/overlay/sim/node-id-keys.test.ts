/**
 * A key can be a node's own ID (routed messages and lookups aimed at a node
 * do exactly that). Every node must then find that node as the key's
 * successor: nothing lies strictly between a key and a successor equal to it.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation';

describe('lookups of a key that is a node ID', () => {
  it('succeed from every node, in both modes, and name that node', async () => {
    const sim = new Simulation({ seed: 46, overlay: { successors: 4 } });
    sim.buildByOracle(12);
    await sim.run(5_000);
    const ids = sim.liveIds();
    const failures: string[] = [];
    for (const mode of ['recursive', 'iterative'] as const) {
      for (const from of ids) {
        for (const target of ids) {
          const r = await sim.until(sim.nodes.get(from)!.lookup(target, { mode }).catch((e: Error) => e));
          if (r instanceof Error) failures.push(`${mode} ${from.slice(0, 6)} → ${target.slice(0, 6)}: ${r.message}`);
          else expect(r.successor).toBe(target);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
