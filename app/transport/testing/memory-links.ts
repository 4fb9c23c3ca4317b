/** A link manager with a fresh node key on an in-memory network, allowing every peer: for tests. */
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki, signBytes } from '../../identity';
import { systemClock } from '../../common';
import type { MemoryNetwork } from '../dialer';
import { LinkManager } from '../link-manager';

export async function memoryLinks(net: MemoryNetwork): Promise<LinkManager> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  return new LinkManager({
    dialer: net.dialer(nodeId),
    local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey },
    policy: async () => ({ allow: true, reason: 'test' }),
    clock: systemClock,
  });
}

/** A link manager like memoryLinks, with the node key's signer too (for routed messages and records). */
export async function memoryLinksKeyed(net: MemoryNetwork): Promise<{ manager: LinkManager; signer: { spki: Uint8Array; sign(payload: Uint8Array): Promise<Uint8Array> } }> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  const manager = new LinkManager({
    dialer: net.dialer(nodeId),
    local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey },
    policy: async () => ({ allow: true, reason: 'test' }),
    clock: systemClock,
  });
  return { manager, signer: { spki, sign: (payload) => signBytes(keys.privateKey, payload) } };
}
