import { describe, it } from 'vitest';
import { runTransportContract } from '../testing';
import { SeededRandom } from '../../common';
import { SimNetwork } from './sim-network';
import { VirtualClock } from './virtual-clock';

runTransportContract('simulator', { describe, it }, async () => {
  const clock = new VirtualClock();
  const net = new SimNetwork(clock, new SeededRandom(1), { failureDetectMs: 100 });
  const a = net.endpoint('a'.repeat(40));
  const b = net.endpoint('b'.repeat(40));
  return { a, b, absentId: 'c'.repeat(40), settle: () => clock.advance(10_000) };
});
