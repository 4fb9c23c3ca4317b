/**
 * Lookups while a small ring grows (issue 13, kind 8): in rings of two and
 * three nodes, lookups start from every node — the joining one too, once it
 * is in — at short intervals while one more node joins. A node whose
 * successor pointer lags the join answers stale for up to a stabilize round;
 * it must be asked again later, not avoided for the rest of the lookup (with
 * two others to ask, avoiding one leaves one). No lookup may fail, and each
 * must name the key's successor in the ring before the join or after it.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHexId, idFromHex, idToHex } from '../id';
import type { LookupMode } from '../node';
import { randomBytes } from '../../common';
import { Simulation } from '../sim/simulation';

const SEEDS = 24;
/** Lookups per node, one every LOOKUP_EVERY_MS from the moment the join starts. */
const ROUNDS = 30;
const LOOKUP_EVERY_MS = 100;

/** The successor of `key` among `ids` (ring order). */
function successorAmong(ids: readonly bigint[], key: bigint): bigint {
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.find((id) => id >= key) ?? sorted[0]!;
}

async function joinWhileLooking(seed: number, size: number, mode: LookupMode): Promise<{ total: number; failed: string[]; wrong: string[] }> {
  const sim = new Simulation({ seed, overlay: { defaultMode: mode } });
  const first = sim.createNode();
  await sim.until(first.join([]));
  for (let i = 1; i < size; i++) await sim.until(sim.createNode().join([first.id]));
  await sim.run(20_000);
  const before = [...sim.nodes.values()];
  const joiner = sim.createNode();
  const joined = joiner.join([before[0]!.id]);
  const beforeIds = before.map((n) => n.self.id);
  const afterIds = [...beforeIds, joiner.self.id];
  const failed: string[] = [];
  const wrong: string[] = [];
  const lookups: Promise<void>[] = [];
  let total = 0;
  for (let i = 0; i < ROUNDS; i++) {
    for (const from of [...before, joiner]) {
      if (!from.joined) continue;
      const key = bytesToHexId(randomBytes(sim.rng, 20));
      const k = idFromHex(key);
      const allowed = new Set([idToHex(successorAmong(beforeIds, k)), idToHex(successorAmong(afterIds, k))]);
      total++;
      lookups.push(
        from.lookup(key).then(
          (r) => void (allowed.has(r.successor) || wrong.push(`${key.slice(0, 8)} from ${from.id.slice(0, 8)}: ${r.successor.slice(0, 8)}`)),
          (e: unknown) => void failed.push(`${key.slice(0, 8)} from ${from.id.slice(0, 8)}: ${String(e)}`),
        ),
      );
    }
    await sim.run(LOOKUP_EVERY_MS);
  }
  await sim.until(Promise.all([joined, ...lookups]));
  expect(joiner.joined).toBe(true);
  return { total, failed, wrong };
}

describe('lookups while a small ring grows', () => {
  for (const size of [2, 3]) {
    for (const mode of ['recursive', 'iterative'] as const) {
      it(`${size} nodes + 1 joining, ${mode}: no lookup fails, each names a successor of the ring before or after`, async () => {
        const failed: string[] = [];
        const wrong: string[] = [];
        let total = 0;
        for (let seed = 1; seed <= SEEDS; seed++) {
          const r = await joinWhileLooking(seed, size, mode);
          total += r.total;
          failed.push(...r.failed.map((f) => `seed ${seed}: ${f}`));
          wrong.push(...r.wrong.map((f) => `seed ${seed}: ${f}`));
        }
        expect(total).toBeGreaterThan(SEEDS * ROUNDS * size);
        expect(failed).toEqual([]);
        expect(wrong).toEqual([]);
      }, 120_000);
    }
  }
});
