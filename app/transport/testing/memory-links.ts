/** A link manager with a fresh node key on an in-memory network, allowing every peer: for tests. */
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki } from '../../identity';
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
