/**
 * The overlay's client API (api.ts) on the simulator: a blob's holders are
 * found and asked without downloading it, records handed to a node are
 * counted as it answers, and a peer that answers with a malformed reply, a
 * reply of the wrong type or a wrong result count gives a BadReplyError (bad
 * input from a peer, DESIGN.md), at once, never a crash or a wrong count.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalDecode, canonicalEncode, utf8, type CanonicalValue } from '../../identity';
import type { OverlayNode } from '../api';
import { BadReplyError } from '../errors';
import { bytesToHexId, idFromHex } from '../id';
import { randomBytes, SeededRandom } from '../../common';
import { blobKey, createRecord, type WireRecord } from '../storage/record';
import { cheapSigner, cheapVerifier } from './cheap-crypto';
import { Simulation } from './simulation';

const R = 4;

type Reply = Record<string, CanonicalValue>;

describe('overlay client API', () => {
  const sim = new Simulation({ seed: 41, network: { linkEvents: false }, overlay: { successors: R } });
  const rng = new SeededRandom(8);
  const owner = cheapSigner(randomBytes(rng, 91));
  const node = (id: string): OverlayNode => sim.nodes.get(id)!;

  /** Makes `peer` rewrite its replies of type `t` (a misbehaving peer) until the returned function is called. */
  function rewriteReplies(peer: string, t: string, rewrite: (reply: Reply) => Reply): () => void {
    const transport = sim.nodes.get(peer)!.components.transport;
    const send = transport.send.bind(transport);
    transport.send = (to, bytes) => {
      const msg = canonicalDecode(bytes) as Reply;
      send(to, msg['t'] === t ? canonicalEncode(rewrite(msg)) : bytes);
    };
    return () => void (transport.send = send);
  }

  async function blob(text: string, version = 1, value: Uint8Array = utf8(text)): Promise<WireRecord> {
    return createRecord(owner, { key: await blobKey(utf8(text), cheapVerifier), kind: 'blob', value, version, expires: sim.clock.now() + 3_600_000 });
  }

  async function records(n: number): Promise<WireRecord[]> {
    const out: WireRecord[] = [];
    for (let i = 0; i < n; i++) out.push(await createRecord(owner, { key: randomBytes(rng, 20), kind: 'single', value: utf8(`r${i}`), version: 1, expires: sim.clock.now() + 3_600_000 }));
    return out;
  }

  /** Two live nodes, neither of which holds a replica of `key`. */
  function outsiders(key: Uint8Array): [OverlayNode, OverlayNode] {
    const holders = sim.replicaIds(idFromHex(bytesToHexId(key)), R);
    const [a, b] = sim.liveIds().filter((id) => !holders.includes(id));
    return [node(a!), node(b!)];
  }

  beforeAll(async () => {
    sim.buildByOracle(30);
    await sim.run(5_000);
  });

  it('probeHolders names the blob’s replicas and what each holds: present, deleted, missing', async () => {
    const live = await blob('a fragment');
    const [writer, reader] = outsiders(live.k);
    expect((await sim.until(writer.put(live))).stored.length).toBe(R);
    const replicas = sim.replicaIds(idFromHex(bytesToHexId(live.k)), R).sort();

    const answers = await sim.until(reader.probeHolders(live));
    expect(answers.map((a) => a.node).sort()).toEqual(replicas);
    expect(answers.map((a) => a.held)).toEqual(Array(R).fill('present'));

    // The owner deletes it: an empty blob of a higher version (a tombstone).
    expect((await sim.until(writer.put(await blob('a fragment', 2, new Uint8Array(0))))).stored.length).toBe(R);
    expect((await sim.until(reader.probeHolders(live))).map((a) => a.held)).toEqual(Array(R).fill('deleted'));

    const never = await blob('never stored');
    expect((await sim.until(reader.probeHolders(never))).map((a) => a.held)).toEqual(Array(R).fill('missing'));
  });

  it('handOver gives records to a node and counts what it took and what it refused', async () => {
    const [from, to] = sim.liveIds().slice(2, 4).map(node) as [OverlayNode, OverlayNode];
    const good = await records(5);
    const forged = { ...(await records(1))[0]!, value: utf8('not what was signed') };
    const before = to.recordCount;
    const result = await sim.until(from.handOver(to.id, [...good, forged]));
    expect(result).toEqual({ offered: 6, taken: 5, refused: 1, unanswered: 0, badReplies: [] });
    expect(to.recordCount).toBe(before + 5);
    for (const r of good) expect(to.localRecord(bytesToHexId(r.k))?.version).toBe(1);
    expect(to.localRecord(bytesToHexId(forged.k))).toBeUndefined();
  });

  describe('a peer that answers badly', () => {
    const pair = (): [OverlayNode, OverlayNode] => {
      const [a, b] = sim.liveIds();
      return [node(a!), node(b!)];
    };

    it('too many results for the records sent: a BadReplyError, and nothing counted as taken', async () => {
      const [from, to] = pair();
      const restore = rewriteReplies(to.id, 'stored', (m) => ({ ...m, results: [null, null, null, null, null, null, null, null] }));
      try {
        const result = await sim.until(from.handOver(to.id, await records(3)));
        expect(result).toMatchObject({ offered: 3, taken: 0, refused: 0, unanswered: 3 });
        expect(result.badReplies).toHaveLength(1);
        expect(result.badReplies[0]).toBeInstanceOf(BadReplyError);
        expect(result.badReplies[0]!.reason).toBe('8 results for 3 records');
        expect(result.badReplies[0]!.peer).toBe(to.id);
      } finally {
        restore();
      }
    });

    it('a malformed reply fails the request at once with the validator’s reason, not after its timeout', async () => {
      const [from, to] = pair();
      const restore = rewriteReplies(to.id, 'stored', (m) => ({ ...m, results: 'all of them' }));
      try {
        const started = sim.clock.now();
        const result = await sim.until(from.handOver(to.id, await records(2), { timeoutMs: 60_000 }));
        expect(sim.clock.now() - started).toBeLessThan(60_000);
        expect(result).toMatchObject({ offered: 2, taken: 0, unanswered: 2 });
        expect(result.badReplies.map((e) => e.reason)).toEqual(['malformed stored']);
      } finally {
        restore();
      }
    });

    it('a reply of the wrong type is refused by the RPC layer, not handed on as an answer', async () => {
      const [from, to] = pair();
      const restore = rewriteReplies(to.id, 'stored', (m) => ({ t: 'pong', id: m['id']! }));
      try {
        const result = await sim.until(from.handOver(to.id, await records(2)));
        expect(result.taken).toBe(0);
        expect(result.badReplies.map((e) => e.reason)).toEqual(['pong does not answer store']);
      } finally {
        restore();
      }
    });

    it('askHeld rejects with BadReplyError; probeHolders reports that holder’s error and the others’ answers', async () => {
      const live = await blob('another fragment');
      const [writer, reader] = outsiders(live.k);
      expect((await sim.until(writer.put(live))).stored.length).toBe(R);
      const [liar, ...honest] = sim.replicaIds(idFromHex(bytesToHexId(live.k)), R);
      const restore = rewriteReplies(liar!, 'sync-reply', (m) => ({ ...m, want: 'everything' }));
      try {
        await expect(sim.until(reader.askHeld(liar!, live))).rejects.toThrow(BadReplyError);
        const answers = await sim.until(reader.probeHolders(live));
        const bad = answers.find((a) => a.node === liar);
        expect(bad).toMatchObject({ held: null });
        expect(bad?.error?.reason).toBe('malformed sync-reply');
        expect(answers.filter((a) => honest.includes(a.node)).map((a) => a.held)).toEqual(Array(R - 1).fill('present'));
      } finally {
        restore();
      }
    });
  });

  it('shows the routing state read-only: predecessor, successors and fingers as node IDs', () => {
    const n = sim.randomLive();
    const ids = sim.liveIds().sort();
    const k = ids.indexOf(n.id);
    expect(n.predecessor).toBe(ids[(k - 1 + ids.length) % ids.length]);
    // The successor list is longer than the r replicas (constants.ts SUCCESSOR_LIST_LENGTH).
    expect(n.successors()).toEqual(Array.from({ length: n.config.successorListLength }, (_, j) => ids[(k + 1 + j) % ids.length]));
    expect(n.fingers().every((f) => ids.includes(f))).toBe(true);
    expect(n.knownPeers()).toEqual(expect.arrayContaining([n.predecessor!, ...n.successors()]));
  });
});
