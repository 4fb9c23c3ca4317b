/**
 * Simulator benchmark: `npm run bench:sim -- [--nodes 100,1000,10000] [--seed N] [--json FILE] [--churn-max N]`,
 * or `-- --adversaries [--adv-nodes 1000]` for the adversary table (bench-sim-adversaries.ts).
 * Runs the real overlay code on the in-memory network and virtual clock.
 * Record signatures use the simulator's cheap checksum (cheapVerifier), not
 * ECDSA, so that 10,000 nodes fit on two cores; the JSON says so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { utf8 } from '../identity';
import { bytesToHexId, createRecord, idFromHex, MAINTENANCE_TYPES, overlayLimits, type WireRecord } from '../overlay';
import { randomBytes, SeededRandom } from '../common';
import { cheapSigner, Simulation } from '../overlay/sim';
import { addRepairFigures, replicaCounts, watchRepair } from './bench-sim-repair';
import { sybilBench } from './bench-sim-sybil';
import { benchAdversaries } from './bench-sim-adversaries';

interface Figure { name: string; n: number; value: number; unit: string; baseline: string }
const figures: Figure[] = [];
const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1]! : dflt; };
/** `--adversaries`: the adversary figures instead of the honest ones (issue 20), at N = 1,000 unless --nodes says otherwise. */
const adversaries = args.includes('--adversaries');
const sizes = arg('nodes', adversaries ? '1000' : '100,1000,10000').split(',').map(Number);
const seed = Number(arg('seed', '1'));
const jsonFile = adversaries ? 'bench-results/sim-sybil.json' : arg('json', 'bench-results/sim.json');
const churnMax = Number(arg('churn-max', '1000'));
const add = (name: string, n: number, value: number, unit: string, baseline: string): void => {
  const f = { name, n, value: Math.round(value * 1000) / 1000, unit, baseline };
  figures.push(f);
  // Each figure as it is measured, so a long run shows its results before the table.
  console.error(`  N=${n} ${name}: ${f.value} ${unit}`);
};
const t0 = performance.now();
/** Progress on stderr, so a long run shows where it is. */
const progress = (n: number, what: string): void => { console.error(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(7)} s] N=${n} ${what}`); };
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0; };

/**
 * `count` lookups of random keys from random nodes of the ring, all at once. A lookup is a
 * success when it names the true successor of the key at the moment it completes. Under
 * churn a lookup whose origin crashes before it completes is left out (`total` excludes it):
 * nobody is left to want the answer.
 */
async function lookups(sim: Simulation, count: number, mode: 'recursive' | 'iterative'): Promise<{ hops: number[]; msgs: number[]; ok: number; wrong: number; failed: number; total: number; pct: number }> {
  const hops: number[] = []; const msgs: number[] = []; let ok = 0; let wrong = 0; let failed = 0; let gone = 0;
  const ps: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const key = sim.randomId();
    const origin = sim.randomLive();
    ps.push(origin.lookup(key, { mode }).then((r) => {
      if (origin.isClosed) return void gone++;
      if (BigInt('0x' + r.successor) === sim.successorId(idFromHex(key))) ok++; else wrong++;
      hops.push(r.hops); msgs.push(r.messages);
    }, () => { if (origin.isClosed) gone++; else failed++; }));
  }
  await sim.until(Promise.all(ps));
  const total = count - gone;
  return { hops, msgs, ok, wrong, failed, total, pct: (100 * ok) / Math.max(1, total) };
}

async function putMany(sim: Simulation, count: number): Promise<WireRecord[]> {
  const rng = new SeededRandom(seed + 7);
  const owner = cheapSigner(randomBytes(rng, 91));
  const recs: WireRecord[] = [];
  for (let i = 0; i < count; i++) recs.push(await createRecord(owner, { key: randomBytes(rng, 20), kind: 'single', value: utf8('v' + i), version: 1, expires: sim.clock.now() + 7 * 86_400_000 }));
  await sim.until(Promise.all(recs.map((r) => sim.randomLive().put(r).catch(() => null))));
  return recs;
}

function lost(sim: Simulation, recs: WireRecord[]): number {
  const holders = new Set<string>();
  for (const node of sim.nodes.values()) for (const r of node.localRecords()) holders.add(bytesToHexId(r.k));
  return recs.filter((r) => !holders.has(bytesToHexId(r.k))).length;
}

/** A settled ring of n nodes keeping r replicas and, as large overlays should, SUCCESSOR_LIST_LENGTH successors. */
async function ring(n: number, r: number, s: number): Promise<Simulation> {
  const sim = new Simulation({ seed: s, network: { linkEvents: false }, overlay: { successors: r, successorListLength: Math.max(r, overlayLimits.SUCCESSOR_LIST_LENGTH) } });
  sim.buildByOracle(n);
  await sim.run(30_000);
  return sim;
}

async function main(): Promise<void> {
  if (adversaries) {
    await sybilBench({ sizes, seed, add, progress });
    return finish();
  }
  for (const n of sizes) {
    const tn = performance.now();
    const cpu0 = process.cpuUsage();
    const half = 0.5 * Math.log2(n);
    const heap0 = process.memoryUsage().heapUsed;
    const sim = await ring(n, 4, seed);
    progress(n, 'ring built and settled');
    add('memory per node', n, (process.memoryUsage().heapUsed - heap0) / n / 1024, 'KiB', 'none');
    const before = sim.counters.totalSent(MAINTENANCE_TYPES);
    const fingerBefore = sim.counters.totalSent(new Set(['route', 'routed', 'find', 'found']));
    await sim.run(60_000);
    const m = sim.counters.totalSent(MAINTENANCE_TYPES);
    const f = sim.counters.totalSent(new Set(['route', 'routed', 'find', 'found']));
    add('maintenance messages per node per minute (stabilize, notify, check-predecessor, sync)', n, (m.messages - before.messages) / n, 'msg/node/min', 'stabilize 2 s, check-predecessor 2 s');
    add('maintenance bytes per node per minute', n, (m.bytes - before.bytes) / n, 'B/node/min', 'none');
    add('fix-fingers lookup messages per node per minute', n, (f.messages - fingerBefore.messages) / n, 'msg/node/min', 'one finger every 5 s');
    progress(n, 'maintenance measured');
    const count = Math.min(2000, n * 4);
    for (const mode of ['recursive', 'iterative'] as const) {
      const res = await lookups(sim, count, mode);
      const mean = res.hops.reduce((a, b) => a + b, 0) / Math.max(1, res.hops.length);
      add(`${mode} hops mean`, n, mean, 'hops', `½·log2 N = ${half.toFixed(2)} (target ≤ ${(half + 0.5).toFixed(2)} recursive)`);
      add(`${mode} hops p50`, n, pct(res.hops, 0.5), 'hops', `½·log2 N = ${half.toFixed(2)}`);
      add(`${mode} hops p99`, n, pct(res.hops, 0.99), 'hops', `log2 N = ${Math.log2(n).toFixed(2)}`);
      add(`${mode} messages per lookup`, n, res.msgs.reduce((a, b) => a + b, 0) / Math.max(1, res.msgs.length), 'msg', 'recursive ≈ hops+1, iterative ≈ 2·hops');
      add(`${mode} lookup correct`, n, res.pct, '%', '100 %');
    }
    // Simultaneous failure, r = 4.
    for (const frac of [0.1, 0.25, 0.5]) {
      progress(n, `failure of ${frac * 100} %`);
      const fs = await ring(n, 4, seed + 100);
      const recs = await putMany(fs, Math.min(200, n));
      const atFailure = replicaCounts(fs, recs, 4);
      const ids = fs.liveIds();
      // Without replacement, so "50 %" crashes half the nodes (a partial Fisher-Yates shuffle from the seed).
      for (let i = 0; i < Math.floor(frac * n); i++) {
        const j = i + Math.floor(fs.rng.next() * (ids.length - i));
        [ids[i], ids[j]] = [ids[j]!, ids[i]!];
        fs.crash(ids[i]!);
      }
      const afterCrash = replicaCounts(fs, recs, 4);
      const stopWatch = watchRepair(fs, recs, 4);
      const early = await lookups(fs, Math.min(500, n), 'recursive');
      add(`lookup success right after ${frac * 100} % fail`, n, early.pct, '%', '100 %');
      add(`records lost right after ${frac * 100} % fail`, n, lost(fs, recs), 'records', `of ${recs.length}; expected loss ≈ N_rec·f^4`);
      await fs.run(60_000);
      addRepairFigures(add, n, frac, atFailure, afterCrash, stopWatch(), 4);
      const late = await lookups(fs, Math.min(500, n), 'recursive');
      add(`lookup success 60 s after ${frac * 100} % fail`, n, late.pct, '%', '100 %');
      const reads = await fs.until(Promise.all(recs.map((r) => fs.randomLive().get(r.k).catch(() => []))));
      add(`records unreadable 60 s after ${frac * 100} % fail`, n, reads.filter((x) => x.length === 0).length, 'records', `of ${recs.length}`);
    }
    // Fewer than r failures between stabilization rounds: r-1 neighbours at once, then 10 s, ten times (on the same ring).
    {
      progress(n, 'r-1 adjacent crashes, 10 rounds');
      const rs = sim;
      const recs = await putMany(rs, Math.min(200, n));
      for (let round = 0; round < 10; round++) {
        let id = rs.successorId(BigInt('0x' + rs.randomId()));
        for (let i = 0; i < 3; i++) {
          const next = rs.successorId(id + 1n);
          rs.crash(id.toString(16).padStart(40, '0'));
          id = next;
        }
        await rs.run(10_000);
      }
      add('records lost after 10 rounds of r-1 adjacent crashes, 10 s apart (r=4)', n, lost(rs, recs), 'records', `of ${recs.length}; target 0`);
    }
    // Churn, for r = 2, 4, 6 (at most churnMax nodes, to bound the run).
    if (n <= churnMax) {
      for (const median of [30 * 60_000, 2 * 60_000]) {
        for (const r of [2, 4, 6]) {
          progress(n, `churn, median ${median / 60_000} min, r=${r}`);
          const cs = await ring(n, r, seed + r);
          const recs = await putMany(cs, Math.min(100, n));
          const stop = cs.startChurn(median);
          let ok = 0; let total = 0;
          for (let minute = 0; minute < 5; minute++) {
            await cs.run(60_000);
            const res = await lookups(cs, Math.min(200, n), 'recursive');
            ok += res.ok; total += res.total;
          }
          stop();
          add(`lookup success under churn, median session ${median / 60_000} min, r=${r}`, n, (100 * ok) / total, '%', r === 4 && median === 30 * 60_000 ? 'target ≥ 99.9 %' : 'none');
          add(`records lost under churn, median session ${median / 60_000} min, r=${r}`, n, lost(cs, recs), 'records', `of ${recs.length}`);
        }
      }
    }
    const cpu = process.cpuUsage(cpu0);
    // The machine is shared: CPU time is what the run costs, wall time what it took under the load average shown.
    add('wall time of this size', n, (performance.now() - tn) / 1000, 's', n === 10_000 ? 'target < 600 s' : 'none');
    add('CPU time of this size (user + system)', n, (cpu.user + cpu.system) / 1e6, 's', `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores at the end`);
    console.log(`N=${n} done in ${((performance.now() - tn) / 1000).toFixed(1)} s`);
  }
  finish();
}

/** Prints the table and writes the JSON. */
function finish(): void {
  add('wall time of the run', 0, (performance.now() - t0) / 1000, 's', 'none');
  console.table(figures.map((f) => ({ N: f.n, figure: f.name, value: f.value, unit: f.unit, baseline: f.baseline })));
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, JSON.stringify({ seed, sizes, signer: 'cheap checksum stand-in for ECDSA (sim/cheap-crypto.ts)', ringBuild: 'oracle routing state, then 30 s of maintenance', churnMaxNodes: churnMax, figures }, null, 2));
  console.log(`wrote ${jsonFile}`);
}

// `--adversaries` (issue 20): the adversary table instead of the honest figures (bench-sim-adversaries.ts).
// The Sybil and eclipse-cost figures (bench-sim-sybil.ts) follow in main(), into their own JSON file.
if (adversaries) {
  void benchAdversaries({ nodes: Number(arg('adv-nodes', '1000')), lookups: Number(arg('adv-lookups', '200')), reads: Number(arg('adv-reads', '100')), seed, jsonFile: arg('json', 'bench-results/sim-adversaries.json') }).then(() => main());
} else {
  void main();
}
