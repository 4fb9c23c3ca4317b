/**
 * A recursive lookup's answer reaches the origin when the answering node has
 * no link to it and cannot open one (only the origin side can call): it goes
 * back along the route, over links that already exist. Real nodes, real
 * handshakes, links on an in-memory byte pipe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idFromHex, idToHex, webCryptoVerifier, type LookupEvent } from '../overlay';
import { SeededRandom, systemClock } from '../common';
import { ChordNode, encodeMessage } from '../overlay/sim';
import { MemoryNetwork } from './dialer';
import type { LinkManager } from './link-manager';
import { LinkTransport } from './link-transport';
import { memoryLinks } from './testing/memory-links';

const N = 10;
const R = 3;

describe('lookup answers without a link to the origin', () => {
  const net = new MemoryNetwork();
  const nodes: ChordNode[] = [];
  const managers = new Map<string, LinkManager>();
  let ids: string[] = [];

  const successorOf = (x: bigint): string => ids.find((h) => idFromHex(h) >= x) ?? ids[0]!;

  beforeAll(async () => {
    for (let i = 0; i < N; i++) {
      const links = await memoryLinks(net);
      const nodeId = links.localId;
      managers.set(nodeId, links);
      nodes.push(new ChordNode({ transport: new LinkTransport(links), clock: systemClock, random: new SeededRandom(i + 1), verifier: webCryptoVerifier }, { successors: R }));
    }
    ids = nodes.map((n) => n.id).sort();
    for (const node of nodes) {
      const k = ids.indexOf(node.id);
      const succs = Array.from({ length: R }, (_, j) => ids[(k + 1 + j) % N]!);
      node.installRoutingState(ids[(k - 1 + N) % N]!, succs, successorOf);
    }
  });

  afterAll(() => {
    for (const n of nodes) n.close();
  });

  /** A key whose answering node (its successor's predecessor) is `answerer`: just after it. */
  const keyAfter = (answerer: string): string => idToHex(idFromHex(answerer) + 1n);

  it('comes back along the route, with no fallback to an iterative walk, when the answering node cannot call the origin', async () => {
    const origin = nodes.find((n) => n.id === ids[0])!;
    // The answering node: one the origin does not send the lookup to first, so the answer has a route to come back on.
    const answerer = ids.slice(2).find((h) => origin.table.closestPreceding(idFromHex(keyAfter(h)), 1, () => false)[0]?.hex !== h)!;
    net.blocked.add(`${answerer}>${origin.id}`);
    const key = keyAfter(answerer);
    const events: LookupEvent[] = [];
    const before = nodes.reduce((s, n) => s + n.counters.answersPassedBack, 0);
    const found = await origin.lookup(key, { mode: 'recursive', onProgress: (e) => events.push(e), timeoutMs: 10_000 });
    expect(found.successor).toBe(successorOf(idFromHex(key)));
    expect(found.hops).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.type === 'fallback')).toEqual([]);
    expect(nodes.reduce((s, n) => s + n.counters.answersPassedBack, 0)).toBeGreaterThan(before);
    // It never linked to the origin to answer.
    expect(managers.get(answerer)!.isLinked(origin.id)).toBe(false);
  });

  it('a node that was not on the route cannot hand an answer back, and an answer is not passed on out of turn', async () => {
    const [a, b, c] = [nodes[1]!, nodes[2]!, nodes[3]!];
    const bad = (a.counters.bad.get('bad-route-answer') ?? 0) + (b.counters.bad.get('bad-route-answer') ?? 0);
    const passed = a.counters.answersPassedBack + b.counters.answersPassedBack;
    // b receives an answer for a route [c, a, x] it is not on; a receives one from a node that did not follow it.
    const x = nodes[4]!;
    const route = [c.id, a.id, x.id].map((h) => Uint8Array.from(h.match(/../g)!.map((p) => parseInt(p, 16))));
    b.receive(x.id, encodeRouted(route));
    a.receive(c.id, encodeRouted(route));
    expect((a.counters.bad.get('bad-route-answer') ?? 0) + (b.counters.bad.get('bad-route-answer') ?? 0)).toBe(bad + 2);
    expect(a.counters.answersPassedBack + b.counters.answersPassedBack).toBe(passed);
  });
});

function encodeRouted(route: Uint8Array[]): Uint8Array {
  return encodeMessage({ t: 'routed', lid: 7, nodes: [route[2]!], route });
}
