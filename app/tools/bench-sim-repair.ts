/**
 * Repair after a simultaneous failure, measured from the oracle (issue 20,
 * "Honest failures first"): how many live replicas each record really has at
 * the moment a fraction of the nodes crash, and how long, in virtual time,
 * until every record that kept a live holder is back on all r of its true
 * replicas (the r live successors of its key, where readers look).
 * The oracle only looks; it never moves a record.
 */
import { bytesToHexId, idFromHex, type WireRecord } from '../overlay';
import type { Simulation } from '../overlay/sim';

/** Live replicas per record at one moment: the distribution over records. */
export interface ReplicaCounts {
  /** Fewest live holders of any record. */
  min: number;
  /** The 1st percentile of live holders per record. */
  p1: number;
  /** Mean live holders per record. */
  mean: number;
  /** Records on fewer than r holders. */
  short: number;
  /** Records that no live node holds. */
  lost: number;
  /** Records held by a node outside their r true replicas (a stray copy nobody reads). */
  stray: number;
}

/** Counts, over every live node's store, which node holds which record key. */
function holdersByKey(sim: Simulation): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, node] of sim.nodes) {
    for (const r of node.localRecords()) {
      const k = bytesToHexId(r.k);
      const list = out.get(k);
      if (list) list.push(id);
      else out.set(k, [id]);
    }
  }
  return out;
}

/** The distribution of live replicas per record now, for replica count `r`. */
export function replicaCounts(sim: Simulation, recs: readonly WireRecord[], r: number): ReplicaCounts {
  const holders = holdersByKey(sim);
  const counts: number[] = [];
  let stray = 0;
  for (const rec of recs) {
    const k = bytesToHexId(rec.k);
    const hs = holders.get(k) ?? [];
    counts.push(hs.length);
    const true_ = new Set(sim.replicaIds(idFromHex(k), r));
    if (hs.some((h) => !true_.has(h))) stray++;
  }
  const sorted = [...counts].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? 0,
    p1: sorted[Math.floor(0.01 * sorted.length)] ?? 0,
    mean: counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length),
    short: counts.filter((c) => c < r).length,
    lost: counts.filter((c) => c === 0).length,
    stray,
  };
}

/** Records (among `alive`) not yet on every one of their r true replicas. */
function unrepaired(sim: Simulation, recs: readonly WireRecord[], r: number): WireRecord[] {
  return recs.filter((rec) => {
    const k = bytesToHexId(rec.k);
    return sim.replicaIds(idFromHex(k), r).some((id) => !sim.nodes.get(id)?.localRecord(k));
  });
}

/** How repair went after a failure. */
export interface RepairOutcome {
  /** Virtual seconds from the failure until every record with a live holder sat on all r true replicas; null if not by the end of the watch. */
  timeToRepairS: number | null;
  /** Records with a live holder still not on all r true replicas when the watch ended. */
  unrepaired: number;
}

/**
 * Watches repair from now (the moment of a failure): every `stepMs` of
 * virtual time, on the simulation's own clock, checks whether every record
 * that has a live holder now is on all r of its true replicas. It only
 * reads stores, and touches no random source, so the run it watches goes
 * exactly as it would unwatched. Call the returned function to stop
 * watching and get the outcome.
 */
export function watchRepair(sim: Simulation, recs: readonly WireRecord[], r: number, stepMs = 1_000): () => RepairOutcome {
  const holders = holdersByKey(sim);
  const start = sim.clock.now();
  let left = unrepaired(sim, recs.filter((rec) => (holders.get(bytesToHexId(rec.k))?.length ?? 0) > 0), r);
  let doneAt: number | null = left.length === 0 ? start : null;
  let timer: unknown = null;
  const tick = (): void => {
    left = unrepaired(sim, left, r);
    if (left.length === 0) doneAt = sim.clock.now();
    else timer = sim.clock.setTimeout(tick, stepMs);
  };
  if (doneAt === null) timer = sim.clock.setTimeout(tick, stepMs);
  return () => {
    if (timer !== null) sim.clock.clearTimeout(timer);
    return { timeToRepairS: doneAt === null ? null : (doneAt - start) / 1000, unrepaired: left.length };
  };
}

/** Adds a benchmark figure: name, N, value, unit, baseline (bench-sim.ts `add`). */
export type AddFigure = (name: string, n: number, value: number, unit: string, baseline: string) => void;

/** The repair figures of one simultaneous failure of `frac` of `n` nodes, r replicas. */
export function addRepairFigures(add: AddFigure, n: number, frac: number, atFailure: ReplicaCounts, afterCrash: ReplicaCounts, repair: RepairOutcome, r: number): void {
  const f = `${frac * 100} % fail`;
  add(`replicas per record at failure, mean (${f})`, n, atFailure.mean, 'replicas', `r = ${r}`);
  add(`replicas per record at failure, min (${f})`, n, atFailure.min, 'replicas', `r = ${r}`);
  add(`live replicas per record right after ${f}, mean`, n, afterCrash.mean, 'replicas', `r·(1−f) = ${(r * (1 - frac)).toFixed(2)}`);
  add(`live replicas per record right after ${f}, min`, n, afterCrash.min, 'replicas', 'none');
  // -1: not repaired within the watch (the 60 s after the failure plus the early lookups).
  add(`time to repair after ${f}`, n, repair.timeToRepairS ?? -1, 's (virtual)', 'every record with a live holder on all r true replicas; -1 = not within the run');
  add(`records not repaired 60 s after ${f}`, n, repair.unrepaired, 'records', `of those with a live holder; target 0`);
}
