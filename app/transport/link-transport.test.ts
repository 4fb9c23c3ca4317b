import { describe, it } from 'vitest';
import { runTransportContract } from '../overlay';
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki } from '../identity';
import { MemoryNetwork } from './dialer';
import { LinkManager } from './link-manager';
import { LinkTransport } from './link-transport';
import { realClock } from './signaling-client';
import { settle } from './testing/virtual-clock';

async function transport(net: MemoryNetwork): Promise<LinkTransport> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  const links = new LinkManager({
    dialer: net.dialer(nodeId),
    local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey },
    policy: async () => ({ allow: true, reason: 'test' }),
    clock: realClock,
  });
  return new LinkTransport(links);
}

// The same acceptance suite the simulator's Transport passes, over real
// handshakes, framing and link management (an in-memory byte pipe stands in for the data channel).
runTransportContract('authenticated links', { describe, it }, async () => {
  const net = new MemoryNetwork();
  const [a, b] = await Promise.all([transport(net), transport(net)]);
  return {
    a,
    b,
    absentId: 'f'.repeat(40),
    settle: () => settle(20),
    dispose: () => {
      a.close();
      b.close();
    },
  };
});
