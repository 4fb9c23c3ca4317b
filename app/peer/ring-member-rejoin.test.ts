/**
 * A join must stay on by itself (issue 13, kind 5): a tab that could not
 * join through the peers it remembers, while the signaling server lists
 * nobody (it is away), tries again with back-off and joins once a
 * remembered peer answers. Two RingMembers on authenticated in-memory links.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import { MemoryNetwork, memoryLinks } from '../transport/testing';
import { liveRingComponents } from './ring-links';
import { RingMember } from './ring-member';

const members: RingMember[] = [];
afterEach(() => members.splice(0).forEach((m) => m.leave()));

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
}

describe('joining through remembered peers', () => {
  it('retries a failed join by itself while no peer is listed online, and joins when a remembered peer is back', async () => {
    const net = new MemoryNetwork();
    const a = new RingMember({ ...liveRingComponents(await memoryLinks(net)), records: new MemoryKeyValueStore(), settings: new MemoryKeyValueStore(), onlinePeers: () => [] });
    members.push(a);
    await a.start();
    expect(a.getSnapshot().joined).toBe(true);
    const settings = new MemoryKeyValueStore();
    await settings.set('remembered-peers', [a.node.id]);
    const b = new RingMember({ ...liveRingComponents(await memoryLinks(net)), records: new MemoryKeyValueStore(), settings, onlinePeers: () => [] });
    members.push(b);
    // The remembered peer does not answer at first (its tab was reloading).
    net.down.add(a.node.id);
    await b.start();
    expect(b.getSnapshot().joined).toBe(false);
    expect(b.getSnapshot().status).toMatch(/^not in the ring: .*; trying again in \d+ s$/);
    net.down.delete(a.node.id);
    expect(await until(() => b.getSnapshot().joined && b.getSnapshot().successors.includes(a.node.id), 20_000)).toBe(true);
  }, 30_000);

  it('a join asked for while already in the ring changes nothing: the member stays joined', async () => {
    const net = new MemoryNetwork();
    const a = new RingMember({ ...liveRingComponents(await memoryLinks(net)), records: new MemoryKeyValueStore(), settings: new MemoryKeyValueStore(), onlinePeers: () => [] });
    members.push(a);
    await a.start();
    const online = [a.node.id];
    const b = new RingMember({ ...liveRingComponents(await memoryLinks(net)), records: new MemoryKeyValueStore(), settings: new MemoryKeyValueStore(), onlinePeers: () => online });
    members.push(b);
    await b.start();
    expect(b.getSnapshot().joined).toBe(true);
    // A tab that has just opened and is not in a ring yet is now the only peer listed online, and the person
    // presses "Join now" (or allows the network): that tab answers "not in a ring yet".
    const c = new RingMember({ ...liveRingComponents(await memoryLinks(net)), records: new MemoryKeyValueStore(), settings: new MemoryKeyValueStore(), onlinePeers: () => [] });
    online.splice(0, 1, c.node.id);
    await b.join();
    expect(b.node.joined).toBe(true);
    expect(b.getSnapshot().joined).toBe(true);
    expect(b.getSnapshot().status).not.toMatch(/not in the ring|waiting/);
  }, 30_000);
});
