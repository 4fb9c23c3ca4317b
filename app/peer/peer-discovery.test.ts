/**
 * Peer discovery on a virtual clock with a stand-in for the signaling
 * server's listing: what is kept of an answer, when the server is asked,
 * and that a failed answer keeps the last list.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../overlay/sim';
import { parseServerUrl, type SignalingState } from '../transport';
import { PeerDiscovery, type DiscoverySignaling } from './peer-discovery';

const self = 'a'.repeat(40);
const p1 = '1'.repeat(40);
const p2 = '2'.repeat(40);

/** A signaling client in `state`, and a server that answers each GET with the next of `answers` (the last one repeats). */
function setUp(answers: (() => Promise<Response>)[], state: SignalingState['kind'] = 'online') {
  const clock = new VirtualClock(0);
  const asked: string[] = [];
  const signaling: { serverList: DiscoverySignaling['serverList']; tryList: DiscoverySignaling['tryList']; state: SignalingState } = {
    serverList: [parseServerUrl('http://localhost:9000/signal')],
    tryList: [parseServerUrl('http://localhost:9000/signal')],
    state: state === 'online' ? { kind: 'online', server: 'http://localhost:9000/signal', since: 0 } : { kind: 'stopped', reason: 'test' },
  };
  const fetch = async (url: string | URL | Request): Promise<Response> => {
    asked.push(String(url));
    return answers[Math.min(asked.length - 1, answers.length - 1)]!();
  };
  const discovery = new PeerDiscovery({ signaling, selfId: self, clock, fetch: fetch as typeof globalThis.fetch });
  return { clock, asked, signaling, discovery };
}

const json = (body: unknown, status = 200) => () => Promise.resolve(new Response(JSON.stringify(body), { status }));

describe('peer discovery', () => {
  it('keeps the node IDs of the answer in its order, without this peer and without anything else', async () => {
    const { asked, discovery } = setUp([json([p2, self, 'not-an-id', 42, 'B'.repeat(40), p1])]);
    let changes = 0;
    discovery.onChange(() => changes++);
    await discovery.discover();
    expect(asked).toEqual(['http://localhost:9000/signal/peerjs/peers']);
    expect(discovery.onlineIds()).toEqual([p2, p1]);
    expect(changes).toBe(1);
  });

  it('keeps at most 500 peers of a long answer', async () => {
    const many = Array.from({ length: 600 }, (_, i) => i.toString(16).padStart(40, '0'));
    const { discovery } = setUp([json(many)]);
    await discovery.discover();
    expect(discovery.onlineIds()).toEqual(many.slice(0, 500));
  });

  it('asks nothing while the signaling client is not online', async () => {
    const { asked, discovery, signaling } = setUp([json([p1])], 'stopped');
    await discovery.discover();
    expect(asked).toEqual([]);
    signaling.state = { kind: 'online', server: 'x', since: 0 };
    await discovery.discover();
    expect(discovery.onlineIds()).toEqual([p1]);
  });

  it('keeps the last list when an answer fails, is an error or is not a list', async () => {
    const { discovery } = setUp([json([p1, p2]), () => Promise.reject(new TypeError('fetch failed')), json([p2], 503), json({ peers: [p2] })]);
    await discovery.discover();
    let changes = 0;
    discovery.onChange(() => changes++);
    for (let i = 0; i < 3; i++) await discovery.discover();
    expect(discovery.onlineIds()).toEqual([p1, p2]);
    expect(changes).toBe(0);
  });

  it('asks every everyMs of its clock once started, and no more once stopped', async () => {
    const { clock, asked, discovery } = setUp([json([p1])]);
    discovery.start();
    await clock.advance(4999);
    expect(asked.length).toBe(0);
    await clock.advance(1);
    expect(asked.length).toBe(1);
    await clock.advance(10_000);
    expect(asked.length).toBe(3);
    discovery.stop();
    await clock.advance(60_000);
    expect(asked.length).toBe(3);
  });
});
