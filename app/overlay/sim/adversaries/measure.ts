/**
 * Measuring what colluders do to lookups and reads, against the simulator's
 * oracle: a lookup is correct when it names the key's true successor; a read
 * is correct when it returns the current version of the record, with its
 * value. Origins are honest nodes (an attacker's own lookups prove nothing).
 */
import { compareBytes, utf8 } from '../../../identity';
import { randomBytes, SeededRandom } from '../../../common';
import { createRecord } from '../../storage/record';
import { cheapSigner } from '../cheap-crypto';
import { bytesToHexId, idFromHex } from '../../id';
import type { LookupOptions } from '../../node';
import type { WireRecord } from '../../storage/record';
import type { Simulation } from '../simulation';
import type { Collusion } from './collusion';

export interface LookupTally {
  total: number;
  correct: number;
  wrong: number;
  failed: number;
  /** Messages per completed lookup, mean. */
  messages: number;
  /** Virtual milliseconds per completed lookup, mean. */
  latencyMs: number;
}

export interface ReadTally {
  total: number;
  correct: number;
  /** Reads that returned an older version than the current one: stale-by-attack accepted. */
  stale: number;
  /** Reads that returned a value that is not the record's (a forgery accepted). */
  forged: number;
  /** Reads that found nothing or failed. */
  missing: number;
}

/** A random honest live node (not a colluder). */
export function honestOrigin(sim: Simulation, collusion: Collusion | null): ReturnType<Simulation['randomLive']> {
  for (;;) {
    const n = sim.randomLive();
    if (!collusion?.members.has(n.id)) return n;
  }
}

/** `count` lookups of random keys from random honest nodes, all at once. */
export async function tallyLookups(sim: Simulation, collusion: Collusion | null, count: number, opts: LookupOptions = {}, keys?: readonly string[]): Promise<LookupTally> {
  const t: LookupTally = { total: count, correct: 0, wrong: 0, failed: 0, messages: 0, latencyMs: 0 };
  let done = 0;
  const ps: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const key = keys?.[i % keys.length] ?? sim.randomId();
    ps.push(
      honestOrigin(sim, collusion)
        .lookup(key, opts)
        .then(
          (r) => {
            done++;
            t.messages += r.messages;
            t.latencyMs += r.latencyMs;
            if (idFromHex(r.successor) === sim.successorId(idFromHex(key))) t.correct++;
            else t.wrong++;
          },
          () => void t.failed++,
        ),
    );
  }
  await sim.until(Promise.all(ps));
  t.messages /= Math.max(1, done);
  t.latencyMs /= Math.max(1, done);
  return t;
}

/** Reads each of `current` (the newest version of each record) from a random honest node. */
export async function tallyReads(sim: Simulation, collusion: Collusion | null, current: readonly WireRecord[], opts: LookupOptions = {}): Promise<ReadTally> {
  const t: ReadTally = { total: current.length, correct: 0, stale: 0, forged: 0, missing: 0 };
  const got = await sim.until(Promise.all(current.map((r) => honestOrigin(sim, collusion).get(r.k, opts).catch(() => [] as WireRecord[]))));
  current.forEach((want, i) => {
    const rec = got[i]!.find((x) => x.sub === want.sub && bytesToHexId(x.k) === bytesToHexId(want.k));
    if (!rec) t.missing++;
    else if (rec.version < want.version) t.stale++;
    else if (rec.version === want.version && compareBytes(rec.value, want.value) === 0) t.correct++;
    else t.forged++;
  });
  return t;
}

/**
 * Writes `count` single-value records twice through honest nodes: version 1,
 * then version 2 with another value. Returns both: version 1 is what
 * colluders keep to serve as stale (`Collusion.remember`), version 2 is current.
 */
export async function writeTwoVersions(sim: Simulation, count: number, seed: number): Promise<{ old: WireRecord[]; current: WireRecord[] }> {
  const rng = new SeededRandom(seed);
  const owner = cheapSigner(randomBytes(rng, 91));
  const expires = sim.clock.now() + 7 * 86_400_000;
  const keys = Array.from({ length: count }, () => randomBytes(rng, 20));
  const old = await Promise.all(keys.map((key, i) => createRecord(owner, { key, kind: 'single', value: utf8('old ' + i), version: 1, expires })));
  const current = await Promise.all(keys.map((key, i) => createRecord(owner, { key, kind: 'single', value: utf8('new ' + i), version: 2, expires })));
  await sim.until(Promise.all(old.map((r) => sim.randomLive().put(r).catch(() => null))));
  await sim.until(Promise.all(current.map((r) => sim.randomLive().put(r).catch(() => null))));
  return { old, current };
}
