/**
 * The registrar on a DHT whose replicas differ for a moment (issue 13, kind
 * 3): bob's REGISTER from a new tab and his un-REGISTER from an old one reach
 * three of the four replicas of his contacts, because the store to the first
 * replica is lost. A caller must find the new tab and not the old one, at
 * once, not after anti-entropy; a claim refreshed past one replica reads as
 * its newest version.
 */
import { describe, expect, it } from 'vitest';
import { canonicalDecode, canonicalEncode } from '../identity';
import { bytesToHexId, createRecord, idFromHex, type OverlayNode } from '../overlay';
import { randomBytes } from '../common';
import { Simulation, cheapSigner, type ChordNode } from '../overlay/sim';
import { DhtLocation } from './dht-location';
import { CLAIM_TTL_MS, NameDirectory, dhtKey } from './name-directory';

const DOMAIN = 'p2p.local';
const R = 4;

/** Drops `node`'s store requests to `replica` (its link lost them) until the returned function is called. */
function loseStoresTo(node: ChordNode, replica: string): () => void {
  const transport = node.components.transport;
  const send = transport.send.bind(transport);
  transport.send = (to, bytes) => {
    if (to === replica && (canonicalDecode(bytes) as { t?: string }).t === 'store') return;
    send(to, bytes);
  };
  return () => void (transport.send = send);
}

/**
 * Runs the simulation until `p` settles: names and keys are hashed with the
 * real WebCrypto, whose promises the virtual clock cannot track.
 */
async function settle<T>(sim: Simulation, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; !done && i < 20_000; i++) {
    await sim.run(10);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return p;
}

async function ring(seed: number) {
  const sim = new Simulation({ seed, network: { linkEvents: false }, overlay: { successors: R, syncMs: 600_000 } });
  sim.buildByOracle(16);
  await sim.run(5_000);
  const bob = { signer: cheapSigner(randomBytes(sim.rng, 65)), ecdh: randomBytes(sim.rng, 65) };
  const alice = { signer: cheapSigner(randomBytes(sim.rng, 65)), ecdh: randomBytes(sim.rng, 65) };
  const replicasOf = async (prefix: string, name: string) => sim.replicaIds(idFromHex(bytesToHexId(await dhtKey(prefix, name))), R);
  return { sim, bob, alice, replicasOf };
}

describe('the registrar reads past a stale replica', () => {
  it('a caller finds the tab that just registered, and not the one that just left', async () => {
    const { sim, bob, alice, replicasOf } = await ring(41);
    const contacts = await replicasOf('sip:', `bob@${DOMAIN}`);
    const tabs = [...sim.nodes.values()].filter((n) => !contacts.includes(n.id));
    const [oldTab, newTab, caller] = [tabs[0]!, tabs[1]!, tabs[2]!];
    const location = (node: OverlayNode, who: typeof bob) => new DhtLocation(node, new NameDirectory(node, who.signer, who.ecdh), who.signer, DOMAIN);
    await settle(sim, location(oldTab, bob).register('bob', 3600));
    const alices = location(caller, alice);
    expect(await settle(sim, alices.lookup('bob'))).toEqual({ kind: 'found', nodes: [oldTab.id] });

    const restore = [loseStoresTo(newTab, contacts[0]!), loseStoresTo(oldTab, contacts[0]!)];
    await settle(sim, location(newTab, bob).register('bob', 3600));
    await settle(sim, location(oldTab, bob).register('bob', 0));
    for (const r of restore) r();
    expect(sim.nodes.get(contacts[0]!)!.replication.store.list(bytesToHexId(await dhtKey('sip:', `bob@${DOMAIN}`)), sim.clock.now()).length).toBe(1);

    expect(await settle(sim, alices.lookup('bob'))).toEqual({ kind: 'found', nodes: [newTab.id] });
  });

  it('a refreshed name claim reads as its newest version', async () => {
    const { sim, bob, replicasOf } = await ring(42);
    const claimAt = await replicasOf('user:', 'bob');
    const key = await dhtKey('user:', 'bob');
    const [tab, otherTab] = [...sim.nodes.values()].filter((n) => !claimAt.includes(n.id));
    // A claim last refreshed two days ago, on all four replicas.
    const then = sim.clock.now() - 2 * 24 * 3600_000;
    const old = await createRecord(bob.signer, { key, kind: 'single', value: canonicalEncode({ v: 1, name: 'bob', sign: bob.signer.spki, ecdh: bob.ecdh }), version: then, expires: then + CLAIM_TTL_MS });
    expect((await settle(sim, tab!.put(old))).stored.length).toBe(R);
    // This tab refreshes it (claim() does on start), and the store to the first replica is lost.
    const restore = loseStoresTo(tab!, claimAt[0]!);
    await settle(sim, new NameDirectory(tab!, bob.signer, bob.ecdh).claim('bob'));
    restore();
    const versions = () => claimAt.map((id) => sim.nodes.get(id)!.localRecord(bytesToHexId(key))?.version);
    const refreshed = versions()[1]!;
    expect(versions()).toEqual([then, refreshed, refreshed, refreshed]);
    // Bob's other tab starts: it must see the refreshed claim (and write no claim of its own), and the read levels the replicas.
    await sim.run(10_000);
    await settle(sim, new NameDirectory(otherTab!, bob.signer, bob.ecdh).claim('bob'));
    await sim.run(1_000);
    expect(versions()).toEqual([refreshed, refreshed, refreshed, refreshed]);
  });
});
