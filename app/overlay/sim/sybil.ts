/**
 * Adversary (e), Sybil: one attacker makes many node IDs to land next to a
 * chosen key and so own all r of its replicas (an eclipse of one key;
 * Douceur, "The Sybil Attack", 2002; Castro et al., "Secure routing for
 * structured peer-to-peer overlay networks", 2002, §3; Baumgart and Mies,
 * S/Kademlia, 2007, §4.1 for the cost on IDs that answers it).
 *
 * In Chord a key's replicas are its successor and the next r-1 nodes, so
 * the attacker needs r IDs in [key, s) where s is the first honest node at
 * or after the key: then the r nodes that follow the key are all its own.
 * A node ID is a hash of a key, so the attacker can only make keys until
 * enough IDs fall in that arc; under S/Kademlia's static puzzle every key it
 * tries must first meet the puzzle (2^c1 keys each), and every ID it runs
 * must solve the dynamic puzzle (2^c2 hashes).
 */
import { idFromHex, idToHex } from '../id';
import type { ChordNode } from '../node';
import type { Simulation } from './simulation';

const RING = 1n << 160n;

/** Where the attacker's IDs must fall to own every replica of `key`. */
export interface SybilTarget {
  /** The key to eclipse. */
  readonly key: bigint;
  /** The first honest node at or after the key (its successor before the attack). */
  readonly honestSuccessor: bigint;
  /** Length of [key, honestSuccessor), as a fraction of the ring. */
  readonly arcFraction: number;
}

/** The outcome of making IDs until `placed.length` fall in the target arc. */
export interface SybilPlacement {
  readonly target: SybilTarget;
  /** The IDs that fell in the arc (40 hex digits). */
  readonly placed: string[];
  /** How many IDs the attacker made to get them, the placed ones included. */
  readonly generated: number;
}

/** The arc an attacker must hit to own `key`'s replicas in `sim`'s ring as it is now. */
export function sybilTarget(sim: Simulation, key: bigint): SybilTarget {
  const k = ((key % RING) + RING) % RING;
  const s = sim.successorId(k);
  const len = (s - k + RING) % RING;
  return { key: k, honestSuccessor: s, arcFraction: Number(len) / Number(RING) };
}

/** True when `id` is in [target.key, target.honestSuccessor). */
export function inSybilArc(target: SybilTarget, id: bigint): boolean {
  return (id - target.key + RING) % RING < (target.honestSuccessor - target.key + RING) % RING;
}

/**
 * Makes IDs with `makeId` (one call = one key the attacker made; it may be
 * async, e.g. real ECDSA keys) until `count` fall in the target arc, or
 * `maxTries` were made. Returns what it placed and how many it made; a run
 * cut off by `maxTries` places fewer than `count`.
 */
export async function placeSybils(
  target: SybilTarget,
  count: number,
  makeId: () => string | Promise<string>,
  maxTries = Number.MAX_SAFE_INTEGER,
): Promise<SybilPlacement> {
  const placed: string[] = [];
  let generated = 0;
  while (placed.length < count && generated < maxTries) {
    const id = await makeId();
    generated++;
    if (inSybilArc(target, idFromHex(id)) && !placed.includes(id)) placed.push(id);
  }
  return { target, placed, generated };
}

/** A uniform random ID source from the simulation's seed: what hashing fresh keys gives, at no cost. */
export function simulatedKeys(sim: Simulation): () => string {
  return () => sim.randomId();
}

/** How an eclipse went, checked against the true ring and with real lookups. */
export interface EclipseOutcome {
  /** How many of the key's r true replica holders are the attacker's. */
  readonly sybilReplicas: number;
  /** Lookups of the key from honest nodes that ended at one of the attacker's nodes. */
  readonly lookupsToSybil: number;
  readonly lookups: number;
}

/**
 * Runs the attacker's placed IDs as nodes in `sim` (real joins; they then
 * behave correctly, which is all an eclipse by placement needs), lets the
 * ring stabilize for `settleMs`, and checks who holds `key`'s replicas and
 * where `lookupCount` lookups of it from random honest nodes end.
 */
export async function runEclipse(
  sim: Simulation,
  placement: SybilPlacement,
  r: number,
  opts: { settleMs?: number; lookupCount?: number } = {},
): Promise<EclipseOutcome> {
  const sybils = new Set(placement.placed);
  const nodes: ChordNode[] = [];
  for (const id of placement.placed) nodes.push(sim.createNode(id));
  await sim.until(Promise.all(nodes.map((n) => sim.join(n).catch(() => {}))));
  await sim.run(opts.settleMs ?? 30_000);
  const keyHex = idToHex(placement.target.key);
  const replicas = sim.replicaIds(placement.target.key, r);
  const honest = sim.liveIds().filter((id) => !sybils.has(id));
  const count = opts.lookupCount ?? 50;
  let toSybil = 0;
  let done = 0;
  const ps: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const origin = sim.nodes.get(honest[Math.floor(sim.rng.next() * honest.length)]!)!;
    ps.push(
      origin.lookup(keyHex).then(
        (res) => {
          done++;
          if (sybils.has(res.successor)) toSybil++;
        },
        () => {
          done++;
        },
      ),
    );
  }
  await sim.until(Promise.all(ps));
  return { sybilReplicas: replicas.filter((id) => sybils.has(id)).length, lookupsToSybil: toSybil, lookups: done };
}

/** Expected IDs an attacker makes to place `count` in an arc of `arcFraction` of the ring: count / arcFraction. */
export function expectedSybilTries(count: number, arcFraction: number): number {
  return arcFraction > 0 ? count / arcFraction : Infinity;
}

/** A random key to attack, from the simulation's seed. */
export function randomTargetKey(sim: Simulation): bigint {
  return idFromHex(sim.randomId());
}
