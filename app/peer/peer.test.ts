/**
 * One assembly for both kinds of peer (issue 14): a tab's Peer has a phone
 * and mail that follows its name; a service peer's has neither (its links
 * refuse contact: link-policy.test.ts). Built, not started (no signaling).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKeyValueStore, MemoryLockManager, exportSpki, generateSigningKeyPair, loadUserIdentity, nodeIdFromSpki } from '../identity';
import { PermissionGate } from '../permissions';
import { SignalingClient, parseServerList, type LocalEndpoint } from '../transport';
import { Peer, type PeerOptions } from './peer';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((f) => f()));

async function parts(role: 'tab' | 'service'): Promise<Omit<PeerOptions, 'contact'>> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  const local: LocalEndpoint = { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey, ...(role === 'service' ? { role } : {}) };
  const signaling = new SignalingClient({
    nodeId,
    servers: parseServerList('http://127.0.0.1:9/sig', 'http://127.0.0.1/').servers,
    createPeer: () => {
      throw new Error('not started in this test');
    },
  });
  const gate = await PermissionGate.open({ store: new MemoryKeyValueStore() });
  closers.push(() => gate.close());
  return { role, local, signaling, gate, records: new MemoryKeyValueStore(), ringSettings: new MemoryKeyValueStore() };
}

describe('Peer', () => {
  it('a tab gets a phone and mail that waits for a name', async () => {
    const { identity: user } = await loadUserIdentity(new MemoryKeyValueStore(), new MemoryLockManager());
    const peer = new Peer({ ...(await parts('tab')), contact: { user, settings: new MemoryKeyValueStore(), history: new MemoryKeyValueStore(), mailStore: new MemoryKeyValueStore() } });
    closers.push(() => peer.leave());
    expect(peer.role).toBe('tab');
    expect(peer.calls).not.toBeNull();
    expect(peer.mail).not.toBeNull();
    expect(peer.mail!.current).toBeNull();
    // The ring member's node sits on the links' node ID.
    expect(peer.overlay.node.id).toBe(peer.links.manager.localId);
  });

  it('a service peer has no phone and no mail', async () => {
    const peer = new Peer(await parts('service'));
    closers.push(() => peer.leave());
    expect(peer.role).toBe('service');
    expect(peer.calls).toBeNull();
    expect(peer.mail).toBeNull();
  });
});
