/**
 * A name's registrations with their times (issue 18: presence is read from
 * them): a live entry, then the tombstone an unregister writes, each with
 * when it was written and when it lapses, on the simulator's virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '../identity';
import { bytesToHexId, type OverlayNode } from '../overlay';
import { randomBytes } from '../common';
import { Simulation, cheapSigner } from '../overlay/sim';
import { DhtLocation } from './dht-location';
import { NameDirectory } from './name-directory';

describe('DhtLocation.registrations', () => {
  it('lists live entries and unregister tombstones with their write and expiry times; an unknown name is "unknown"', async () => {
    const sim = new Simulation({ seed: 1818, network: { linkEvents: false } });
    const nodes: OverlayNode[] = [];
    for (let i = 0; i < 6; i++) {
      const spki = randomBytes(sim.rng, 65);
      const node = sim.createNode(bytesToHexId((await sha256(spki)).slice(0, 20)), {}, { nodeSigner: cheapSigner(spki) });
      await sim.until(nodes.length === 0 ? node.join([]) : sim.join(node));
      nodes.push(node);
    }
    await sim.run(30_000);
    const settle = async <T>(p: Promise<T>): Promise<T> => {
      let done = false;
      void p.finally(() => (done = true)).catch(() => undefined);
      for (let i = 0; i < 2_000 && !done; i++) {
        await sim.run(50);
        await new Promise((r) => setImmediate(r));
      }
      return p;
    };
    const signer = cheapSigner(randomBytes(sim.rng, 65));
    const directory = new NameDirectory(nodes[1]!, signer, randomBytes(sim.rng, 65));
    const bob = new DhtLocation(nodes[1]!, directory, signer, 'p2p.local');
    const reader = new DhtLocation(nodes[4]!, new NameDirectory(nodes[4]!, signer, randomBytes(sim.rng, 65)), signer, 'p2p.local');
    expect(await settle(reader.registrations('bob'))).toEqual({ kind: 'unknown' });
    await settle(bob.register('bob', 300));
    const at = sim.clock.now();
    const live = await settle(reader.registrations('bob'));
    expect(live.kind).toBe('found');
    if (live.kind !== 'found') return;
    expect(live.registrations).toHaveLength(1);
    const r = live.registrations[0]!;
    expect(r).toMatchObject({ node: nodes[1]!.id, gone: false });
    expect(r.writtenAt).toBeLessThanOrEqual(at);
    expect(r.expires - r.writtenAt).toBe(300_000);
    await sim.run(20_000);
    await settle(bob.register('bob', 0));
    const gone = await settle(reader.registrations('bob'));
    if (gone.kind !== 'found') throw new Error(`expected found, got ${gone.kind}`);
    expect(gone.registrations).toEqual([expect.objectContaining({ node: nodes[1]!.id, gone: true })]);
    expect(gone.registrations[0]!.writtenAt).toBeGreaterThanOrEqual(at + 20_000);
    expect(await settle(reader.lookup('bob'))).toEqual({ kind: 'found', nodes: [] });
  }, 60_000);
});
