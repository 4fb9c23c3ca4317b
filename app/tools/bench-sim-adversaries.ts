/**
 * `npm run bench:sim -- --adversaries [--adv-nodes 1000] [--adv-lookups 200] [--adv-reads 100] [--seed N] [--json FILE]`
 * (issue 20): what a colluding fraction f of nodes does to lookups and reads,
 * for each adversary kind (overlay/sim/adversaries), at f = 0, 5, 10, 20,
 * 30 %, with the overlay's defenses off (today's lookup, default mode) and on
 * (`lookupPaths` 2, `checkSuccessor`). The baseline is the undefended lookup
 * measured in the same run. One ring per kind and defense setting (the
 * defenses are the nodes' own options, so fix-fingers runs them too); the
 * colluders of a larger f include those of a smaller one, and the ring heals
 * for a minute between fractions. Lookups and reads start at honest nodes; a lookup is correct when
 * it names the key's true successor, a read when it returns the current
 * version (version 2) with its value.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SeededRandom } from '../common';
import { Collusion, ADVERSARY_KINDS, Simulation, tallyLookups, tallyReads, writeTwoVersions, type AdversaryKind, type LookupTally, type ReadTally } from '../overlay/sim';

interface Figure { name: string; n: number; value: number; unit: string; baseline: string }

/** The defenses as the bench turns them on (and the live app's settings, README). */
export const DEFENSES_ON = { paths: 2, checkSuccessor: true } as const;
const FRACTIONS = [0, 0.05, 0.1, 0.2, 0.3];

interface Row { kind: AdversaryKind | 'none'; f: number; defenses: 'off' | 'on'; lookups: LookupTally; reads: ReadTally }

const pct = (a: number, b: number): number => (100 * a) / Math.max(1, b);

export async function benchAdversaries(args: { nodes: number; lookups: number; reads: number; seed: number; jsonFile: string }): Promise<void> {
  const { nodes: n, seed } = args;
  const figures: Figure[] = [];
  const rows: Row[] = [];
  const t0 = performance.now();
  const add = (name: string, value: number, unit: string, baseline: string): void => {
    figures.push({ name, n, value: Math.round(value * 1000) / 1000, unit, baseline });
  };
  const measure = async (sim: Simulation, c: Collusion | null, current: Parameters<typeof tallyReads>[2], kind: Row['kind'], f: number, defenses: Row['defenses']): Promise<void> => {
    const lookups = await tallyLookups(sim, c, args.lookups);
    const reads = await tallyReads(sim, c, current);
    rows.push({ kind, f, defenses, lookups, reads });
    console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${kind} f=${f * 100} % defenses ${defenses}: lookups ${pct(lookups.correct, lookups.total).toFixed(1)} %, reads ${pct(reads.correct, reads.total).toFixed(1)} %, ${lookups.messages.toFixed(1)} msg`);
  };
  // One ring per kind and defense setting, the same IDs, records and colluders in both: a node runs
  // its defenses in everything it looks up, fix-fingers included (with the defenses on only for the
  // lookups measured, undefended fix-fingers fill honest finger tables with colluders over the
  // virtual time a row takes, and the rows measure that drift rather than the defenses).
  for (const [i, kind] of ADVERSARY_KINDS.entries()) {
    for (const defenses of ['off', 'on'] as const) {
      const sim = new Simulation({ seed: seed + i, network: { linkEvents: false }, overlay: defenses === 'on' ? { lookupPaths: DEFENSES_ON.paths, checkSuccessor: DEFENSES_ON.checkSuccessor } : {} });
      sim.buildByOracle(n);
      await sim.run(30_000);
      const { old, current } = await writeTwoVersions(sim, args.reads, seed + 100 + i);
      // A fixed random order of nodes: the colluders at f are its first f·N.
      const order = sim.liveIds();
      const rng = new SeededRandom(seed + 200 + i);
      for (let j = order.length - 1; j > 0; j--) {
        const k = Math.floor(rng.next() * (j + 1));
        [order[j], order[k]] = [order[k]!, order[j]!];
      }
      for (const f of FRACTIONS) {
        if (f === 0) {
          if (i === 0) await measure(sim, null, current, 'none', 0, defenses);
          continue;
        }
        const c = new Collusion(sim, kind, order.slice(0, Math.round(f * n)));
        c.remember(old);
        c.install();
        await measure(sim, c, current, kind, f, defenses);
        c.remove();
        // Suspicions last 30 s and fingers are fixed every 5 s: let the tables heal before the next fraction.
        await sim.run(60_000);
      }
    }
  }
  // Rows in the table's order: by kind, then f, then off before on.
  const kindOrder: Row['kind'][] = ['none', ...ADVERSARY_KINDS];
  rows.sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || a.f - b.f || (a.defenses === b.defenses ? 0 : a.defenses === 'off' ? -1 : 1));
  for (const r of rows) {
    const tag = `${r.kind === 'none' ? 'no adversary' : r.kind}, f=${r.f * 100} %, defenses ${r.defenses}`;
    add(`lookup success, ${tag}`, pct(r.lookups.correct, r.lookups.total), '%', 'defenses off, same kind and f');
    add(`read success, ${tag}`, pct(r.reads.correct, r.reads.total), '%', 'defenses off, same kind and f');
    add(`messages per lookup, ${tag}`, r.lookups.messages, 'msg', 'defenses off, no adversary');
    add(`latency per lookup, ${tag}`, r.lookups.latencyMs, 'virtual ms', 'defenses off, no adversary');
    add(`stale-by-attack values accepted, ${tag}`, r.reads.stale, 'reads', `of ${r.reads.total}; target 0 with defenses on`);
    add(`forged values accepted, ${tag}`, r.reads.forged, 'reads', `of ${r.reads.total}; target 0`);
  }
  const worst = (f: number, what: 'lookups' | 'reads'): number => {
    const on = rows.filter((r) => r.f === f && r.defenses === 'on');
    return Math.min(...on.map((r) => (what === 'lookups' ? pct(r.lookups.correct, r.lookups.total) : pct(r.reads.correct, r.reads.total))));
  };
  const honest = (d: 'on' | 'off'): number => rows.find((r) => r.kind === 'none' && r.defenses === d)!.lookups.messages;
  add('lookup success at f=20 %, defenses on, worst kind (%)', worst(0.2, 'lookups'), '%', 'target ≥ 99 %');
  add('read success at f=20 %, defenses on, worst kind (%)', worst(0.2, 'reads'), '%', 'target ≥ 99 %');
  add('lookup success at f=30 %, defenses on, worst kind (%)', worst(0.3, 'lookups'), '%', 'target ≥ 95 %');
  add('read success at f=30 %, defenses on, worst kind (%)', worst(0.3, 'reads'), '%', 'target ≥ 95 %');
  add('messages per lookup, defenses on / off', honest('on') / honest('off'), 'ratio', `no adversary; off = ${honest('off').toFixed(2)} msg (recursive, the default mode); target ≤ 3`);
  add('forged or stale-by-attack values accepted, defenses on, any kind and f', rows.filter((r) => r.defenses === 'on').reduce((s, r) => s + r.reads.stale + r.reads.forged, 0), 'reads', 'target 0');
  add('wall time of the adversaries run', (performance.now() - t0) / 1000, 's', 'none');
  console.table(rows.map((r) => ({
    kind: r.kind,
    'f (%)': r.f * 100,
    defenses: r.defenses,
    'lookups ok (%)': +pct(r.lookups.correct, r.lookups.total).toFixed(1),
    'lookups failed': r.lookups.failed,
    'reads ok (%)': +pct(r.reads.correct, r.reads.total).toFixed(1),
    'stale accepted': r.reads.stale,
    'forged accepted': r.reads.forged,
    'msg/lookup': +r.lookups.messages.toFixed(1),
    'latency (virtual ms)': Math.round(r.lookups.latencyMs),
  })));
  console.table(figures.slice(-7).map((f) => ({ figure: f.name, value: f.value, unit: f.unit, baseline: f.baseline })));
  mkdirSync(dirname(args.jsonFile), { recursive: true });
  writeFileSync(args.jsonFile, JSON.stringify({ seed, nodes: n, lookupsPerRow: args.lookups, readsPerRow: args.reads, defensesOn: DEFENSES_ON, signer: 'cheap checksum stand-in for ECDSA (sim/cheap-crypto.ts)', ringBuild: 'oracle routing state, then 30 s of maintenance', figures }, null, 2));
  console.log(`wrote ${args.jsonFile}`);
}
