/**
 * Link offers through the overlay are routed messages on their own topic:
 * on the simulator's ring (real sealing, the cheap stand-in signature), an
 * offer crosses relays to a node the sender does not know, and reaches its
 * WebRTC only when no relay changed it and it was not seen before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../identity';
import { randomBytes } from '../common';
import { bytesToHexId, type OverlayNode } from '../overlay';
import { cheapSigner, isParseFailure, parseMessage, encodeMessage, Simulation, type ChordNode } from '../overlay/sim';
import { OverlayAttach, type LinkManager } from '../transport';
import { encodeAttach } from '../transport/testing';
import { routedAttachPath } from './overlay-signaling';

const N = 16;

describe('link offers routed through the overlay', () => {
  const sim = new Simulation({ seed: 1616, network: { linkEvents: false } });
  const nodes: ChordNode[] = [];
  /** Relays change one byte of every sealed message for a target in this set. */
  const tamperFor = new Set<string>();
  let tampered = 0;

  beforeAll(async () => {
    for (let i = 0; i < N; i++) {
      const spki = randomBytes(sim.rng, 65);
      const id = bytesToHexId((await sha256(spki)).slice(0, 20));
      const node = sim.createNode(id, {}, { nodeSigner: cheapSigner(spki) });
      const receive = node.receive.bind(node);
      node.receive = (from, bytes) => {
        const m = parseMessage(bytes);
        if (!isParseFailure(m) && m.t === 'app-sealed' && bytesToHexId(m.to) !== node.id && tamperFor.has(bytesToHexId(m.to)) && m.hops === 0) {
          // The first relay only (every attempt): a second relay flipping the same bit back would undo it.
          const box = m.box.slice();
          box[20] = box[20]! ^ 1;
          tampered++;
          return receive(from, encodeMessage({ ...m, box }));
        }
        receive(from, bytes);
      };
      nodes.push(node);
      await sim.until(i === 0 ? node.join([]) : sim.join(node));
    }
    await sim.run(60_000);
  }, 60_000);

  function strangers(): [ChordNode, ChordNode] {
    for (const a of nodes)
      for (const b of nodes) if (a !== b && !a.table.known().some((p) => p.hex === b.id)) return [a, b];
    throw new Error('every node knows every other');
  }

  /** An OverlayAttach on `node` whose WebRTC records the offers it was asked to take. */
  function attachOn(node: ChordNode): { attach: OverlayAttach; offers: number[] } {
    const offers: number[] = [];
    const links = { links: () => [{ nodeId: 'x' }] } as unknown as LinkManager;
    const attach = new OverlayAttach({
      iceServers: () => [],
      createPeerConnection: () => {
        offers.push(Date.now());
        throw new Error('no WebRTC in the simulator');
      },
    });
    attach.use(routedAttachPath(node as unknown as OverlayNode, links));
    return { attach, offers };
  }

  it('delivers an offer to a node the sender does not know, across relays, to its WebRTC once', async () => {
    const [a, b] = strangers();
    const { attach, offers } = attachOn(b);
    const body = validOffer(1);
    const r = await sim.until(a.routed.send(b.id, 'attach', body));
    await sim.run(500);
    expect(r.outcome === 'delivered' && r.hops).toBeGreaterThanOrEqual(2);
    // WebRTC was asked once (the simulator has none, so the offer ends refused as busy).
    expect(offers.length).toBe(1);
    expect(attach.counters.get('attach-webrtc-failed')).toBe(1);
  });

  it('an offer a relay changed is refused and counted, and never reaches WebRTC', async () => {
    const [a, b] = strangers();
    const { attach, offers } = attachOn(b);
    tamperFor.add(b.id);
    const before = sim.counters.bad.get('app-bad-signature') ?? 0;
    try {
      await sim.until(a.routed.send(b.id, 'attach', validOffer(2)));
      await sim.run(500);
    } finally {
      tamperFor.delete(b.id);
    }
    expect(tampered).toBeGreaterThan(0);
    expect((sim.counters.bad.get('app-bad-signature') ?? 0) - before).toBeGreaterThanOrEqual(1);
    expect(attach.counters.get('attach-webrtc-failed')).toBeUndefined();
    expect(offers).toEqual([]);
  });
});

/** A well-formed attach offer (attach-messages.ts) with a placeholder SDP. */
function validOffer(seq: number): Uint8Array {
  return encodeAttach({ t: 'offer', id: new Uint8Array(16).fill(seq), sdp: 'v=0\r\n' });
}
