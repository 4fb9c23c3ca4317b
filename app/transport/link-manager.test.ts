import { describe, expect, it } from 'vitest';
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki } from '../identity';
import { MemoryNetwork } from './dialer';
import { LinkManager } from './link-manager';
import type { LinkDecision } from './link';
import { ManualClock, settle } from '../common/testing';

const allow = async (): Promise<LinkDecision> => ({ allow: true, reason: 'test' });

async function node(net: MemoryNetwork, clock: ManualClock, maxLinks?: number) {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  const start = (): LinkManager =>
    new LinkManager({
      dialer: net.dialer(nodeId),
      local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey },
      policy: allow,
      clock,
      ...(maxLinks ? { maxLinks } : {}),
    });
  const mgr = start();
  const got: string[] = [];
  const downs: string[] = [];
  mgr.onMessage((from, m) => got.push(`${from.slice(0, 4)}:${new TextDecoder().decode(m)}`));
  mgr.onLinkDown((id, why) => downs.push(`${id.slice(0, 4)}:${why}`));
  return { mgr, nodeId, got, downs, restart: start };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('LinkManager', () => {
  it.each(Array.from({ length: 20 }, (_, i) => i + 1))('links two nodes once, even when both dial at the same moment (run %i)', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b] = await Promise.all([node(net, clock), node(net, clock)]);
    await Promise.all([a.mgr.connect(b.nodeId), b.mgr.connect(a.nodeId)]);
    await settle(10);
    expect(a.mgr.links().map((l) => l.nodeId)).toEqual([b.nodeId]);
    expect(b.mgr.links().map((l) => l.nodeId)).toEqual([a.nodeId]);
    expect(a.mgr.send(b.nodeId, text('hi b'))).toBe(true);
    expect(b.mgr.send(a.nodeId, text('hi a'))).toBe(true);
    await settle(10);
    expect(b.got).toEqual([`${a.nodeId.slice(0, 4)}:hi b`]);
    expect(a.got).toEqual([`${b.nodeId.slice(0, 4)}:hi a`]);
    expect(a.downs).toEqual([]);
  });

  it('re-makes a wanted link with back-off after its peer comes back', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b] = await Promise.all([node(net, clock), node(net, clock)]);
    a.mgr.want(b.nodeId);
    await clock.advanceAsync(100, 10);
    expect(a.mgr.isLinked(b.nodeId)).toBe(true);
    net.down.add(b.nodeId);
    b.mgr.close('crash');
    await settle(10);
    expect(a.mgr.isLinked(b.nodeId)).toBe(false);
    expect(a.downs.length).toBe(1);
    // b restarts with the same ID after a while.
    await clock.advanceAsync(5000, 100);
    net.down.delete(b.nodeId);
    b.restart();
    await clock.advanceAsync(10_000, 100);
    expect(a.mgr.isLinked(b.nodeId)).toBe(true);
  });

  it('re-dials a wanted link at once when its dialer can reach peers again, whatever its back-off had grown to', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b] = await Promise.all([node(net, clock), node(net, clock)]);
    // a wants b while nobody can be reached (its signaling server is away): the back-off grows.
    net.down.add(b.nodeId);
    a.mgr.want(b.nodeId);
    await clock.advanceAsync(60_000, 500);
    expect(a.mgr.isLinked(b.nodeId)).toBe(false);
    net.down.delete(b.nodeId);
    net.ready(a.nodeId);
    await clock.advanceAsync(200, 50);
    expect(a.mgr.isLinked(b.nodeId)).toBe(true);
  });

  it('keeps to its cap and says why', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const a = await node(net, clock, 2);
    const others = await Promise.all([node(net, clock), node(net, clock), node(net, clock)]);
    await a.mgr.connect(others[0]!.nodeId);
    await a.mgr.connect(others[1]!.nodeId);
    await expect(a.mgr.connect(others[2]!.nodeId)).rejects.toThrow(/already has 2 links/);
    await expect(others[2]!.mgr.connect(a.nodeId)).rejects.toThrow();
    expect(a.mgr.links()).toHaveLength(2);
  });

  it('says in words when a peer is not online', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const a = await node(net, clock);
    await expect(a.mgr.connect('0'.repeat(40))).rejects.toThrow(/not online/);
    await expect(a.mgr.connect(a.nodeId)).rejects.toThrow(/itself/);
  });
});
