/**
 * Routed application messages on the simulator: a signed message crosses
 * relays to its target and arrives once (message-sealing.test.ts has the
 * refusals of forged, altered, stale, replayed and misaddressed ones).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../identity';
import { bytesToHexId } from './id';
import type { ChordNode } from './node';
import { randomBytes } from '../common';
import { cheapSigner } from './sim/cheap-crypto';
import { Simulation } from './sim/simulation';

const N = 40;

async function keyedNode(sim: Simulation): Promise<{ node: ChordNode; spki: Uint8Array }> {
  const spki = randomBytes(sim.rng, 65);
  const id = bytesToHexId((await sha256(spki)).slice(0, 20));
  return { node: sim.createNode(id, {}, { nodeSigner: cheapSigner(spki) }), spki };
}

describe('routed application messages', () => {
  const sim = new Simulation({ seed: 77, network: { linkEvents: false } });
  const nodes: ChordNode[] = [];
  const spkis = new Map<string, Uint8Array>();

  beforeAll(async () => {
    for (let i = 0; i < N; i++) {
      const { node, spki } = await keyedNode(sim);
      spkis.set(node.id, spki);
      nodes.push(node);
      await sim.until(i === 0 ? node.join([]) : sim.join(node));
    }
    await sim.run(120_000);
  }, 60_000);

  /** Two nodes that do not know each other directly, so a message to one from the other needs relays. */
  function strangers(): [ChordNode, ChordNode] {
    for (const a of nodes)
      for (const b of nodes) {
        if (a === b) continue;
        if (!a.table.known().some((p) => p.hex === b.id)) return [a, b];
      }
    throw new Error('every node knows every other');
  }

  function inbox(node: ChordNode, topic = 'sip'): { from: string; text: string }[] {
    const got: { from: string; text: string }[] = [];
    node.routed.on(topic, (from, body) => got.push({ from, text: new TextDecoder().decode(body) }));
    return got;
  }

  it('crosses relays to a node the sender does not know, arrives once, and is acknowledged with its hop count', async () => {
    const [a, b] = strangers();
    const got = inbox(b);
    const relayedBefore = sim.counters.relayed;
    const r = await sim.until(a.routed.send(b.id, 'sip', new TextEncoder().encode('INVITE sip:bob@p2p.local SIP/2.0')));
    await sim.run(1000);
    expect(r.outcome).toBe('delivered');
    expect(r.outcome === 'delivered' && r.hops).toBeGreaterThanOrEqual(2);
    expect(got).toEqual([{ from: a.id, text: 'INVITE sip:bob@p2p.local SIP/2.0' }]);
    expect(sim.counters.relayed).toBeGreaterThan(relayedBefore);
  });

  it('keeps the order of messages between two nodes and delivers each once', async () => {
    const [a, b] = strangers();
    const got = inbox(b, 'order');
    const results = await sim.until(Promise.all([1, 2, 3, 4, 5].map((i) => a.routed.send(b.id, 'order', new TextEncoder().encode(`m${i}`)))));
    await sim.run(1000);
    expect(results.every((r) => r.outcome === 'delivered')).toBe(true);
    expect(got.map((g) => g.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('says unreachable at once for a node that is not on the ring (a relay answers for it)', async () => {
    const [a] = strangers();
    const r = await sim.until(a.routed.send(bytesToHexId(randomBytes(sim.rng, 20)), 'sip', new Uint8Array([1])));
    expect(r.outcome).toBe('unreachable');
  });

  it('says timeout when the target crashed, and nothing is delivered', async () => {
    const [a, b] = strangers();
    const got = inbox(b);
    sim.crash(b.id);
    const r = await sim.until(a.routed.send(b.id, 'sip', new Uint8Array([1])));
    expect(r.outcome).not.toBe('delivered');
    expect(got).toEqual([]);
  });

  it('refuses oversized bodies before sending', async () => {
    const [a, b] = strangers();
    await expect(a.routed.send(b.id, 'sip', new Uint8Array(70 * 1024))).rejects.toThrow(/at most/);
  });
});
