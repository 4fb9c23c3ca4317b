/**
 * The node ID puzzle in the link handshake: a far side whose key and X do
 * not solve the overlay's puzzle is refused with `weak-node-id` before the
 * permission gate is asked, and the goodbye tells it why.
 */
import { describe, expect, it } from 'vitest';
import { canonicalEncode, exportSpki, generateSigningKeyPair, nodeIdFromSpki, solveDynamicPuzzle, type IdPuzzleDifficulty } from '../identity';
import { memoryChannelPair } from './channel';
import { decodeFrame } from './frames';
import type { LinkEnd } from './errors';
import { Link, type LinkDecision, type LocalEndpoint } from './link';
import { ManualClock, settle } from '../common/testing';

const PUZZLE: IdPuzzleDifficulty = { staticBits: 0, dynamicBits: 8 };

async function endpoint(solve: boolean): Promise<LocalEndpoint> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const ep: LocalEndpoint = { overlay: 'p2p.local', nodeId: await nodeIdFromSpki(spki), spki, privateKey: keys.privateKey };
  if (solve) ep.puzzle = (await solveDynamicPuzzle(spki, PUZZLE.dynamicBits)).x;
  return ep;
}

interface Outcome {
  ready: string[];
  ends: LinkEnd[];
  asked: number;
}

/** Links `a` (outbound) to `b` (inbound), both asking for PUZZLE. */
async function link(a: LocalEndpoint, b: LocalEndpoint): Promise<[Outcome, Outcome]> {
  const clock = new ManualClock(0);
  const [ca, cb] = memoryChannelPair(a.nodeId, b.nodeId);
  const out: [Outcome, Outcome] = [
    { ready: [], ends: [], asked: 0 },
    { ready: [], ends: [], asked: 0 },
  ];
  const policy = (o: Outcome) => async (): Promise<LinkDecision> => {
    o.asked++;
    return { allow: true, reason: 'test' };
  };
  const la = new Link({ channel: ca, local: a, direction: 'outbound', policy: policy(out[0]), clock, expectedPeerId: b.nodeId, idPuzzle: PUZZLE });
  const lb = new Link({ channel: cb, local: b, direction: 'inbound', policy: policy(out[1]), clock, idPuzzle: PUZZLE });
  [la, lb].forEach((l, i) => {
    l.onReady((p) => out[i]!.ready.push(p.nodeId));
    l.onClose((_r, end) => out[i]!.ends.push(end));
  });
  la.start();
  lb.start();
  await settle(20);
  return out;
}

describe('the node ID puzzle in the link handshake', () => {
  it('two peers that solved it link up', async () => {
    const [a, b] = await Promise.all([endpoint(true), endpoint(true)]);
    const [oa, ob] = await link(a, b);
    expect(oa.ready).toEqual([b.nodeId]);
    expect(ob.ready).toEqual([a.nodeId]);
  });

  it('a peer presenting no solution is refused with weak-node-id, and the gate is never asked', async () => {
    const [a, b] = await Promise.all([endpoint(false), endpoint(true)]);
    const [oa, ob] = await link(a, b);
    expect(ob.ready).toEqual([]);
    expect(ob.asked).toBe(0);
    expect(ob.ends).toHaveLength(1);
    expect(ob.ends[0]).toMatchObject({ code: 'weak-node-id', fromPeer: false });
    expect(ob.ends[0]!.words).toMatch(/presented no solution/);
    // The refused side hears the code in the goodbye.
    expect(oa.ready).toEqual([]);
    expect(oa.ends[0]).toMatchObject({ code: 'weak-node-id', fromPeer: true });
  });

  it('a peer presenting the solution of another key is refused', async () => {
    const [a, b, c] = await Promise.all([endpoint(true), endpoint(true), endpoint(true)]);
    a.puzzle = c.puzzle!;
    const [, ob] = await link(a, b);
    expect(ob.ready).toEqual([]);
    expect(ob.ends[0]?.code).toBe('weak-node-id');
    expect(ob.ends[0]!.words).toMatch(/solution .* is wrong/);
  });

  it('an X of the wrong size is a bad frame, not a crash', async () => {
    const b = await endpoint(true);
    const bad = canonicalEncode({ t: 'hello', protocol: 'p2p-link/1', overlay: 'p2p.local', nodeId: b.nodeId, spki: b.spki, nonce: new Uint8Array(32), puzzle: new Uint8Array(31) });
    expect(decodeFrame(bad)).toEqual({ error: 'unknown or malformed frame' });
  });
});
