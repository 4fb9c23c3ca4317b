/**
 * Convergence as a property: concurrent writes accepted at different
 * replicas, delivered to every replica in random orders with duplicates,
 * leave all replicas in the same state (multi-master merge).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../identity';
import { cheapSigner, cheapVerifier } from '../sim/cheap-crypto';
import { checkRecord, createRecord, entryId, type WireRecord } from './record';
import { RecordStore } from './record-store';

const NOW = 1_700_000_000_000;
const owners = [1, 2, 3].map((i) => cheapSigner(new Uint8Array(91).fill(i)));
const KEY = new Uint8Array(20).fill(9);

const write = fc.record({
  sub: fc.constantFrom('', 'x', 'y'),
  version: fc.integer({ min: 0, max: 5 }),
  value: fc.string({ maxLength: 6 }),
});

async function build(w: { sub: string; version: number; value: string }): Promise<WireRecord> {
  // Each entry is written by its owner (the access rule): '' is owner 0's single value, 'x' and 'y'
  // are dictionary entries of owners 1 and 2. Writes by other owners are refused everywhere (refusals.test.ts).
  const owner = w.sub === '' ? 0 : w.sub === 'x' ? 1 : 2;
  return createRecord(owners[owner]!, { key: KEY, kind: w.sub === '' ? 'single' : 'dict', sub: w.sub, value: utf8(w.value), version: w.version, expires: NOW + 60_000 });
}

function state(s: RecordStore): string {
  return s
    .all()
    .map((r) => `${entryId(r)}:${r.version}:${[...r.sig.slice(0, 8)].join('.')}`)
    .sort()
    .join('|');
}

describe('replica convergence', () => {
  it('same final state whatever the delivery order and duplication', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), fc.integer({ min: 0, max: 1000 }), async (writes, seeds, dupSeed) => {
        const recs = await Promise.all(writes.map(build));
        const replicas = [0, 1, 2].map(() => new RecordStore({ quotaRecords: 100, quotaBytes: 1e6 }));
        for (let i = 0; i < replicas.length; i++) {
          // A random permutation with duplicates: every record at least once.
          const order = [...recs, ...recs.filter((_, j) => (j * 7 + dupSeed) % 3 === 0)];
          let s = seeds[i]! + 1;
          for (let j = order.length - 1; j > 0; j--) {
            s = (s * 1103515245 + 12345) % 2147483648;
            const k = s % (j + 1);
            [order[j], order[k]] = [order[k]!, order[j]!];
          }
          for (const r of order) if ((await checkRecord(r, NOW, cheapVerifier)) === null) replicas[i]!.apply(r, NOW);
        }
        expect(state(replicas[1]!)).toBe(state(replicas[0]!));
        expect(state(replicas[2]!)).toBe(state(replicas[0]!));
      }),
      { seed: 42, numRuns: 150 },
    );
  });
});
