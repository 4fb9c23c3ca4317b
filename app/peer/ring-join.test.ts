/**
 * Ring membership on the simulator's virtual clock: the real RingMember
 * (join, re-join with back-off, RingUnifier) on a SimNetwork, every member
 * given the list of online peers as the signaling server would give it.
 * Seeded, so every run replays; no test waits on real time.
 */
import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import { SeededRandom } from '../common';
import { cheapVerifier, Simulation } from '../overlay/sim';
import { RingMember } from './ring-member';
import { simRingLinks, type SimRingLinksOptions } from './testing/sim-ring-links';

function simMember(sim: Simulation, id: string, onlinePeers: () => readonly string[], links: SimRingLinksOptions = {}): RingMember {
  return new RingMember({
    links: simRingLinks(sim.net, id, links),
    records: new MemoryKeyValueStore(),
    settings: new MemoryKeyValueStore(),
    onlinePeers,
    clock: sim.clock,
    random: new SeededRandom(Math.floor(sim.rng.next() * 2 ** 32)),
    verifier: cheapVerifier,
    tracker: sim.clock.tracker,
  });
}

/** Successor and predecessor pointers that are wrong for one ring of `members`, counting a member not in a ring as wrong. */
function wrongPointers(members: readonly RingMember[]): number {
  const ids = members.map((m) => m.node.id).sort();
  let wrong = 0;
  for (const { node } of members) {
    const i = ids.indexOf(node.id);
    if (!node.joined) wrong++;
    if (node.successors()[0] !== ids[(i + 1) % ids.length]) wrong++;
    if (node.predecessor !== ids[(i - 1 + ids.length) % ids.length]) wrong++;
  }
  return wrong;
}

/** Moves virtual time on in small steps, letting the members' promise chains run between them (no real waiting). */
async function run(sim: Simulation, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    await sim.run(50);
    await new Promise((r) => setImmediate(r));
  }
}

/** Runs until `members` form one consistent ring; the virtual time that took, or null past `maxMs`. */
async function timeToOneRing(sim: Simulation, members: readonly RingMember[], maxMs: number): Promise<number | null> {
  const start = sim.clock.now();
  while (sim.clock.now() - start < maxMs) {
    await run(sim, 250);
    if (wrongPointers(members) === 0) return sim.clock.now() - start;
  }
  return null;
}

/** Prints a figure for the notes when RING_FIGURES is set; tests stay quiet otherwise. */
function figure(line: string): void {
  if (process.env.RING_FIGURES) console.log(line);
}

function leaveAll(members: readonly RingMember[]): void {
  for (const m of members) m.leave();
}

describe('ring membership on virtual time', () => {
  it('50 members that start at the same instant form one consistent ring', async () => {
    const sim = new Simulation({ seed: 1401 });
    const ids = Array.from({ length: 50 }, () => sim.randomId());
    const members = ids.map((id) => simMember(sim, id, () => ids));
    for (const m of members) void m.start();
    const took = await timeToOneRing(sim, members, 30_000);
    figure(`50 simultaneous joins: one consistent ring after ${took} ms of virtual time`);
    expect(took).not.toBeNull();
    // It stays one ring, and every member's whole successor list is right.
    await run(sim, 10_000);
    expect(wrongPointers(members)).toBe(0);
    const sorted = [...ids].sort();
    for (const m of members) {
      const i = sorted.indexOf(m.node.id);
      // The head of the successor list, where the r = 4 replicas live. The list runs on to 16
      // (overlay constants.ts SUCCESSOR_LIST_LENGTH); its far end catches up a stabilize round per position.
      expect(m.getSnapshot().successors.slice(0, 4)).toEqual([1, 2, 3, 4].map((k) => sorted[(i + k) % sorted.length]));
      expect(m.getSnapshot().joined).toBe(true);
    }
    leaveAll(members);
  }, 120_000);

  it('two rings formed apart merge into one once they can reach each other', async () => {
    const sim = new Simulation({ seed: 1402 });
    const a = Array.from({ length: 25 }, () => sim.randomId());
    const b = Array.from({ length: 25 }, () => sim.randomId());
    const inA = new Set(a);
    let online: (id: string) => readonly string[] = (id) => (inA.has(id) ? a : b);
    const ringA = a.map((id) => simMember(sim, id, () => online(id)));
    const ringB = b.map((id) => simMember(sim, id, () => online(id)));
    // Two networks that cannot see each other, each with its own signaling server.
    sim.net.partition((id) => (inA.has(id) ? 1 : 2));
    for (const m of [...ringA, ...ringB]) void m.start();
    expect(await timeToOneRing(sim, ringA, 120_000)).not.toBeNull();
    expect(await timeToOneRing(sim, ringB, 120_000)).not.toBeNull();
    const all = [...ringA, ...ringB];
    expect(wrongPointers(all)).toBeGreaterThan(0);

    // The networks join and one signaling server lists everyone.
    sim.net.heal();
    online = () => [...a, ...b];
    const took = await timeToOneRing(sim, all, 30_000);
    figure(`two rings of 25: one consistent ring ${took} ms of virtual time after they could reach each other`);
    expect(took).not.toBeNull();
    leaveAll(all);
  }, 120_000);

  it('a member whose links are refused backs off, and joins once it is allowed', async () => {
    const sim = new Simulation({ seed: 1403 });
    const ids = Array.from({ length: 7 }, () => sim.randomId());
    const refused = new Set<string>();
    const members = ids.map((id) => simMember(sim, id, () => ids, { refuses: (peer) => refused.has(id) || refused.has(peer) }));
    const [late, ...ring] = members as [RingMember, ...RingMember[]];
    for (const m of ring) void m.start();
    expect(await timeToOneRing(sim, ring, 60_000)).not.toBeNull();

    refused.add(late.node.id);
    const statuses: string[] = [];
    late.subscribe(() => {
      const s = late.getSnapshot().status;
      if (statuses.at(-1) !== s) statuses.push(s);
    });
    void late.start();
    await run(sim, 60_000);
    const attempts = statuses.filter((s) => s.startsWith('joining through')).length;
    const waits = statuses.flatMap((s) => /trying again in (\d+) s$/.exec(s)?.[1] ?? []).map(Number);
    // Refused: waits of 3, 6, 12, 24 s (a minute holds 5 attempts), where a join nobody answered would retry every 1 to 5 s.
    expect(waits.slice(0, 4)).toEqual([3, 6, 12, 24]);
    expect(attempts).toBe(5);
    expect(late.getSnapshot().joined).toBe(false);

    refused.delete(late.node.id);
    const took = await timeToOneRing(sim, members, 120_000);
    figure(`refused member: in the ring ${took} ms of virtual time after it was allowed`);
    expect(took).not.toBeNull();
    leaveAll(members);
  }, 120_000);
});
