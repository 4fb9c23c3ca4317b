/**
 * Links signaled through the overlay (RELOAD AppAttach) over real WebRTC
 * (libwebrtc from @roamhq/wrtc), with the signaling server down: the same
 * Transport contract as every other transport, the same proof and
 * permission gate as a link made through the server, and the refusals of
 * replayed, misdirected and malformed attach messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runTransportContract } from '../overlay/testing';
import { settle } from '../common/testing';
import { decodeAttach, encodeAttach } from './attach-messages';
import { LinkTransport } from './link-transport';
import { attachLinks, MemoryAttachHub } from './testing';
import type { LinkManager } from './link-manager';

runTransportContract('links signaled through the overlay (WebRTC)', { describe, it }, async () => {
  const hub = new MemoryAttachHub();
  const [a, b] = await Promise.all([attachLinks(hub), attachLinks(hub)]);
  const ta = new LinkTransport(a.manager);
  const tb = new LinkTransport(b.manager);
  return {
    a: ta,
    b: tb,
    absentId: 'f'.repeat(40),
    settle: () => new Promise((r) => setTimeout(r, 1500)),
    dispose: () => {
      ta.close();
      tb.close();
    },
  };
});

describe('link signaling through the overlay', () => {
  const open: LinkManager[] = [];
  afterEach(() => {
    for (const m of open.splice(0)) m.close();
  });

  async function pair(hub: MemoryAttachHub, policyB?: Parameters<typeof attachLinks>[1]) {
    const a = await attachLinks(hub);
    const b = await attachLinks(hub, policyB);
    open.push(a.manager, b.manager);
    return { a, b };
  }

  it('makes a link with the server down, proven and decided by the gate like any other, and says it was made through the overlay', async () => {
    const hub = new MemoryAttachHub();
    const asked: string[] = [];
    const { a, b } = await pair(hub, async (peer, dir) => {
      asked.push(`${peer.nodeId}/${dir}`);
      return { allow: true, reason: 'test' };
    });
    await a.manager.connect(b.manager.localId);
    expect(asked).toEqual([`${a.manager.localId}/inbound`]);
    expect(a.manager.links().map((l) => [l.nodeId, l.via, l.direction])).toEqual([[b.manager.localId, 'overlay', 'outbound']]);
    expect(a.manager.opened.overlay).toBe(1);
    expect(a.attach.counters.get('dials-opened')).toBe(1);
    expect(b.attach.counters.get('incoming-opened')).toBe(1);
  });

  it('a link the gate refuses is refused the same way', async () => {
    const hub = new MemoryAttachHub();
    const { a, b } = await pair(hub, async () => ({ allow: false, reason: 'no' }));
    await expect(a.manager.connect(b.manager.localId)).rejects.toMatchObject({ code: 'refused', fromPeer: true });
    expect(b.manager.links()).toEqual([]);
  });

  it('answers an offer once: the same offer again is refused and counted, and makes no second connection', async () => {
    const hub = new MemoryAttachHub();
    const { a, b } = await pair(hub);
    let offer: Uint8Array | null = null;
    hub.tap = (_from, _to, body) => {
      if (decodeAttach(body)?.t === 'offer') offer = body;
      return true;
    };
    await a.manager.connect(b.manager.localId);
    expect(offer).not.toBeNull();
    hub.inject(a.manager.localId, b.manager.localId, offer!);
    hub.inject(a.manager.localId, b.manager.localId, offer!);
    await settle(10);
    expect(b.attach.counters.get('attach-replayed')).toBe(2);
    expect(b.attach.counters.get('offers-taken')).toBe(1);
  });

  it('takes an answer only from the node the offer went to: a forged answer is counted and the true one still links', async () => {
    const hub = new MemoryAttachHub();
    const { a, b } = await pair(hub);
    const c = await attachLinks(hub);
    open.push(c.manager);
    hub.tap = (from, to, body) => {
      const m = decodeAttach(body);
      // A third node answers first, with its own SDP, for the offer meant for b.
      if (m?.t === 'offer' && to === b.manager.localId) hub.inject(c.manager.localId, from, encodeAttach({ t: 'answer', id: m.id, sdp: 'v=0\r\n' }));
      return true;
    };
    await a.manager.connect(b.manager.localId);
    expect(a.attach.counters.get('attach-unexpected-answer')).toBe(1);
    expect(a.manager.links().map((l) => l.nodeId)).toEqual([b.manager.localId]);
  });

  it('refuses malformed attach messages and unreadable offers, counted, and keeps working', async () => {
    const hub = new MemoryAttachHub();
    const { a, b } = await pair(hub);
    const refusals: string[] = [];
    hub.tap = (_from, _to, body) => {
      const m = decodeAttach(body);
      if (m?.t === 'refuse') refusals.push(m.why);
      return true;
    };
    const junk = [new Uint8Array([0xff, 1, 2]), encodeAttach({ t: 'offer', id: new Uint8Array(3), sdp: 'v=0' }), new TextEncoder().encode('offer')];
    for (const j of junk) hub.inject(a.manager.localId, b.manager.localId, j);
    hub.inject(a.manager.localId, b.manager.localId, encodeAttach({ t: 'offer', id: new Uint8Array(16).fill(7), sdp: 'not an SDP' }));
    await settle(50);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.attach.counters.get('attach-malformed')).toBe(3);
    expect(b.attach.counters.get('attach-bad-offer')).toBe(1);
    expect(refusals).toEqual(['bad-offer']);
    await a.manager.connect(b.manager.localId);
    expect(a.manager.isLinked(b.manager.localId)).toBe(true);
  });

  it('fails with no-route when the overlay cannot deliver the offer and the server is down', async () => {
    const hub = new MemoryAttachHub();
    const { a } = await pair(hub);
    await expect(a.manager.connect('e'.repeat(40))).rejects.toMatchObject({ code: 'no-route' });
  });
});
