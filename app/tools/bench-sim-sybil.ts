/**
 * `npm run bench:sim -- --adversaries`, the Sybil part (adversary e): what
 * the node ID puzzle costs on this machine, and what an eclipse of one
 * chosen key costs an attacker (IDs it must make, and CPU at each puzzle
 * difficulty) to own all r replicas, without and with the puzzle.
 *
 * ID placement runs on the simulator's seeded uniform IDs (what hashing fresh
 * keys gives), checked once against real ECDSA keys; the placed IDs then run
 * as real nodes in the ring, and honest lookups of the key are checked
 * against the oracle. CPU is the count of keys and hashes times their median
 * cost measured here, in this run.
 */
import { availableParallelism, loadavg } from 'node:os';
import {
  DEFAULT_ID_PUZZLE,
  exportSpki,
  generateSigningKeyPair,
  idPuzzleProblem,
  meetsStaticPuzzle,
  nodeIdFromSpki,
  solveDynamicPuzzle,
} from '../identity';
import { expectedSybilTries, placeSybils, randomTargetKey, runEclipse, Simulation, simulatedKeys, sybilTarget } from '../overlay/sim';

export type AddFigure = (name: string, n: number, value: number, unit: string, baseline: string) => void;

export interface SybilBenchOptions {
  sizes: number[];
  seed: number;
  add: AddFigure;
  progress: (n: number, what: string) => void;
  /** Keys attacked per ring size, for the median count of IDs. @default 25 */
  targets?: number;
}

const R = 4;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Median wall and CPU ms of `fn` over `runs` runs. CPU (user + system of the
 * whole process, WebCrypto's threads included) is what an attacker pays; wall
 * is what a person waits, and it grows with the machine's load.
 */
async function timeMs(runs: number, fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(c);
    walls.push(performance.now() - t);
    cpus.push((d.user + d.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

/** One try of the static puzzle: make an ECDSA P-256 key, export its SPKI, hash it twice. */
async function staticTry(): Promise<boolean> {
  const keys = await generateSigningKeyPair(false);
  return meetsStaticPuzzle(await exportSpki(keys.publicKey), 1);
}

/** The puzzle's cost in this process: ms per key tried, ms per dynamic solution at several difficulties, µs per check. */
async function puzzleCost(o: SybilBenchOptions): Promise<{ keyMs: number; solveMs: Map<number, number> }> {
  o.progress(0, 'node ID puzzle cost (Node, WebCrypto)');
  await timeMs(20, staticTry);
  const key = await timeMs(200, staticTry);
  o.add('node ID puzzle: CPU ms per key tried (ECDSA P-256 key, SPKI, 2 SHA-256; static puzzle, Node)', 0, key.cpu, 'ms', `wall ${key.wall.toFixed(2)} ms; static puzzle c1 costs 2^c1 of these per node ID`);
  const solveMs = new Map<number, number>();
  const spki = await exportSpki((await generateSigningKeyPair()).publicKey);
  for (const bits of [8, 10, 12, 14, 15, 16]) {
    const t = await timeMs(bits >= 14 ? 9 : 15, () => solveDynamicPuzzle(spki, bits));
    solveMs.set(bits, t.cpu);
    const note = bits === DEFAULT_ID_PUZZLE.dynamicBits ? 'the default; target ≤ 1–2 s for a tab’s first start' : `2^${bits} SHA-256 expected`;
    o.add(`node ID puzzle: median ms per solution, dynamic c2=${bits} (Node, wall)`, 0, t.wall, 'ms', `${note}; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    o.add(`node ID puzzle: median CPU ms per solution, dynamic c2=${bits} (Node)`, 0, t.cpu, 'ms', note);
  }
  const { x } = await solveDynamicPuzzle(spki, DEFAULT_ID_PUZZLE.dynamicBits);
  const verify = await timeMs(200, () => idPuzzleProblem(spki, x, DEFAULT_ID_PUZZLE));
  o.add('node ID puzzle: µs per check in the link handshake (wall)', 0, verify.wall * 1000, 'µs', 'one SHA-256 over the SPKI, one over P ⊕ X');
  return { keyMs: key.cpu, solveMs };
}

/** The puzzle settings compared: none, this overlay's default, and static puzzles that make placement dear. */
const SETTINGS: { label: string; staticBits: number; dynamicBits: number }[] = [
  { label: 'no puzzle', staticBits: 0, dynamicBits: 0 },
  { label: `default puzzle c1=${DEFAULT_ID_PUZZLE.staticBits} c2=${DEFAULT_ID_PUZZLE.dynamicBits}`, ...DEFAULT_ID_PUZZLE },
  { label: 'dynamic puzzle only, c1=0 c2=15', staticBits: 0, dynamicBits: 15 },
  { label: 'static puzzle c1=8, c2=12', staticBits: 8, dynamicBits: 12 },
  { label: 'static puzzle c1=12, c2=12', staticBits: 12, dynamicBits: 12 },
];

/** Runs the Sybil measurements and reports them through `o.add`. */
export async function sybilBench(o: SybilBenchOptions): Promise<void> {
  const cost = await puzzleCost(o);
  const hashMsAt = (bits: number): number => cost.solveMs.get(bits) ?? (cost.solveMs.get(16)! * 2 ** (bits - 16));
  for (const n of o.sizes) {
    o.progress(n, 'ring for the eclipse of one key');
    const sim = new Simulation({ seed: o.seed + 20, network: { linkEvents: false }, overlay: { successors: R } });
    sim.buildByOracle(n);
    await sim.run(30_000);
    const made: number[] = [];
    const expected: number[] = [];
    for (let t = 0; t < (o.targets ?? 25); t++) {
      const target = sybilTarget(sim, randomTargetKey(sim));
      const p = await placeSybils(target, R, simulatedKeys(sim));
      made.push(p.generated);
      expected.push(expectedSybilTries(R, target.arcFraction));
    }
    const ids = median(made);
    o.add(`eclipse of one key: IDs made to own all r=${R} replicas (median over ${made.length} keys)`, n, ids, 'IDs', `expected r/arc = ${median(expected).toFixed(0)} (≈ r·N = ${R * n})`);
    o.add('eclipse of one key: IDs made per ID placed (median)', n, ids / R, 'IDs', `≈ N = ${n}`);
    for (const s of SETTINGS) {
      const cpuS = (ids * 2 ** s.staticBits * cost.keyMs + (s.dynamicBits > 0 ? R * hashMsAt(s.dynamicBits) : 0)) / 1000;
      o.add(`eclipse of one key: CPU to own all r replicas, ${s.label}`, n, cpuS, 's', s.staticBits === 0 && s.dynamicBits === 0 ? 'baseline (same run)' : `×${(cpuS / ((ids * cost.keyMs) / 1000)).toFixed(1)} the baseline`);
    }
    // Check the count against real ECDSA keys once, where it takes seconds.
    if (n <= 1000) {
      o.progress(n, 'one placement with real ECDSA keys');
      const target = sybilTarget(sim, randomTargetKey(sim));
      const real = await placeSybils(target, R, async () => nodeIdFromSpki(await exportSpki((await generateSigningKeyPair()).publicKey)));
      o.add('eclipse of one key: IDs made with real ECDSA keys (one key)', n, real.generated, 'IDs', `expected r/arc = ${expectedSybilTries(R, target.arcFraction).toFixed(0)}`);
    }
    // Run the placed IDs as nodes: do they own the replicas, and do honest lookups end at them?
    o.progress(n, 'eclipse run in the ring');
    const target = sybilTarget(sim, randomTargetKey(sim));
    const placement = await placeSybils(target, R, simulatedKeys(sim));
    const out = await runEclipse(sim, placement, R, { settleMs: 30_000, lookupCount: 200 });
    o.add(`eclipse of one key: replicas the attacker owns after placing r=${R} IDs`, n, out.sybilReplicas, `of ${R}`, `${R} of ${R}`);
    o.add('eclipse of one key: honest lookups of the key that end at the attacker', n, (100 * out.lookupsToSybil) / Math.max(1, out.lookups), '%', 'the attacker’s nodes are the true successors, so disjoint paths and successor checks agree with them');
  }
}
