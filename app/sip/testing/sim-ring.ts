import { sha256 } from '../../identity';
import { bytesToHexId, type OverlayNode } from '../../overlay';
import { randomBytes } from '../../common';
import { cheapSigner, type Simulation } from '../../overlay/sim';

/**
 * Joins `n` nodes (IDs from random keys, cheap signers) into one ring on
 * `sim` and lets it settle for 60 virtual seconds. Returns the nodes in the
 * order they joined.
 */
export async function joinSimRing(sim: Simulation, n: number): Promise<OverlayNode[]> {
  const nodes: OverlayNode[] = [];
  for (let i = 0; i < n; i++) {
    const spki = randomBytes(sim.rng, 65);
    const id = bytesToHexId((await sha256(spki)).slice(0, 20));
    const node = sim.createNode(id, {}, { nodeSigner: cheapSigner(spki) });
    nodes.push(node);
    await sim.until(i === 0 ? node.join([]) : sim.join(node));
  }
  await sim.run(60_000);
  return nodes;
}

/**
 * Moves `sim`'s virtual time along with real time (50 ms every 5 ms, 10x),
 * one step at a time. JsSIP's transaction timers run on the host's
 * setTimeout and WebCrypto is not waited for by the virtual clock, so both
 * need real time to pass while the overlay needs virtual time: tests using
 * this wait for events, never for a span of real time. Returns the stop.
 */
export function pumpSimClock(sim: Simulation): () => void {
  let busy = false;
  const pump = setInterval(() => {
    if (busy) return;
    busy = true;
    void sim.clock.advance(50).finally(() => (busy = false));
  }, 5);
  return () => clearInterval(pump);
}
