import { describe, it } from 'vitest';
import { runTransportContract } from '../overlay/testing';
import { MemoryNetwork } from './dialer';
import { LinkTransport } from './link-transport';
import { memoryLinks } from './testing/memory-links';
import { settle } from '../common/testing';

async function transport(net: MemoryNetwork): Promise<LinkTransport> {
  return new LinkTransport(await memoryLinks(net));
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
