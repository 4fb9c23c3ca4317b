/**
 * Routed messages encrypted for their target, on the simulator (real
 * ECDH/HKDF/AES-GCM; the cheap stand-in signature, which anyone can compute,
 * lets a test play an origin that re-signs what it altered): relays see no
 * topic or body and only padded sizes; an altered, replayed, misaddressed or
 * plaintext message is refused and counted at the target.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalEncode, ROUTED_PAD_BUCKETS, SEAL_OVERHEAD_BYTES, sha256, toHex, utf8 } from '../identity';
import { randomBytes } from '../common';
import { bytesToHexId, hexIdToBytes } from './id';
import { envelopeSigningPayload } from './message-sealing';
import { encodeMessage, isParseFailure, parseMessage, type Message } from './messages';
import type { ChordNode } from './node';
import { cheapSigner } from './sim/cheap-crypto';
import { Simulation } from './sim/simulation';

type Sealed = Extract<Message, { t: 'app-sealed' }>;
const N = 24;

describe('routed messages encrypted for the target node', () => {
  const sim = new Simulation({ seed: 1717, network: { linkEvents: false } });
  const nodes: ChordNode[] = [];
  const spkis = new Map<string, Uint8Array>();
  /** Every routed message a node passed on for others, as the bytes it received. */
  const relayed: Uint8Array[] = [];
  /** Sealed messages as they reached their target. */
  const arrived: Sealed[] = [];

  beforeAll(async () => {
    for (let i = 0; i < N; i++) {
      const spki = randomBytes(sim.rng, 65);
      const id = bytesToHexId((await sha256(spki)).slice(0, 20));
      const node = sim.createNode(id, {}, { nodeSigner: cheapSigner(spki) });
      spkis.set(node.id, spki);
      nodes.push(node);
      const receive = node.receive.bind(node);
      node.receive = (from, bytes) => {
        const m = parseMessage(bytes);
        if (!isParseFailure(m) && 'to' in m && m.t !== 'app-ack') {
          if (bytesToHexId(m.to) !== node.id) relayed.push(bytes);
          else if (m.t === 'app-sealed') arrived.push(m);
        }
        receive(from, bytes);
      };
      await sim.until(i === 0 ? node.join([]) : sim.join(node));
    }
    await sim.run(60_000);
  }, 60_000);

  function strangers(): [ChordNode, ChordNode] {
    for (const a of nodes)
      for (const b of nodes) if (a !== b && !a.table.known().some((p) => p.hex === b.id)) return [a, b];
    throw new Error('every node knows every other');
  }

  function inbox(node: ChordNode, topic = 'sip'): string[] {
    const got: string[] = [];
    node.routed.on(topic, (_from, body) => got.push(new TextDecoder().decode(body)));
    return got;
  }

  function badCount(reason: string): number {
    return sim.counters.bad.get(reason) ?? 0;
  }

  function inject(via: ChordNode, to: ChordNode, msg: Message): void {
    via.components.transport.send(to.id, encodeMessage(msg));
  }

  /** Re-signs an envelope as its origin would (the stand-in signature is computable from the key). */
  async function resigned(m: Sealed): Promise<Sealed> {
    return { ...m, sig: await cheapSigner(spkis.get(bytesToHexId(m.from))!).sign(envelopeSigningPayload(m)) };
  }

  /** Sends one message from `a` to `b` and returns it as it arrived at `b`. */
  async function sendAndCatch(a: ChordNode, b: ChordNode, text: string): Promise<Sealed> {
    const before = arrived.length;
    const r = await sim.until(a.routed.send(b.id, 'sip', utf8(text)));
    expect(r.outcome).toBe('delivered');
    const m = arrived.slice(before).find((x) => bytesToHexId(x.from) === a.id);
    if (!m) throw new Error('no sealed message arrived');
    return m;
  }

  it('relays see neither the topic nor the body, and sizes only as padding buckets', async () => {
    const [a, b] = strangers();
    const got = inbox(b);
    const from = relayed.length;
    const short = 'MESSAGE sip:bob@p2p.local SIP/2.0 secret-words-for-bob';
    const long = short + ' '.repeat(700);
    await sim.until(a.routed.send(b.id, 'sip', utf8(short)));
    await sim.until(a.routed.send(b.id, 'sip', utf8(long)));
    await sim.run(500);
    expect(got).toEqual([short, long]);
    const seen = relayed.slice(from);
    expect(seen.length).toBeGreaterThan(0);
    const hex = seen.map(toHex).join(' ');
    for (const secret of ['secret-words-for-bob', 'topic', 'sip:bob']) expect(hex).not.toContain(toHex(utf8(secret)));
    const sizes = seen.map(parseMessage).flatMap((m) => (!isParseFailure(m) && m.t === 'app-sealed' ? [m.box.length - SEAL_OVERHEAD_BYTES] : []));
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const s of sizes) expect(ROUTED_PAD_BUCKETS).toContain(s);
    expect(new Set(sizes).size).toBe(1);
  });

  it('refuses and counts a body altered by one byte, whether or not the envelope is signed again', async () => {
    const [a, b] = strangers();
    const got = inbox(b, 'tamper');
    const good = await sendAndCatch(a, b, 'x');
    const box = good.box.slice();
    box[40] = box[40]! ^ 1;
    const altered = { ...good, aid: good.aid + 1_000_000, box };
    const [sigBefore, openBefore] = [badCount('app-bad-signature'), badCount('app-undecryptable')];
    inject(a, b, altered);
    inject(a, b, await resigned(altered));
    await sim.run(500);
    expect(got).toEqual([]);
    expect(badCount('app-bad-signature') - sigBefore).toBe(1);
    expect(badCount('app-undecryptable') - openBefore).toBe(1);
  });

  it('delivers a replayed message once and counts the replays', async () => {
    const [a, b] = strangers();
    const got = inbox(b, 'replay');
    const before = badCount('app-replayed');
    const r = await sim.until(a.routed.send(b.id, 'replay', utf8('once')));
    expect(r.outcome).toBe('delivered');
    const m = arrived.filter((x) => bytesToHexId(x.from) === a.id && bytesToHexId(x.to) === b.id).at(-1)!;
    inject(a, b, { ...m, hops: 0 });
    inject(a, b, { ...m, hops: 3 });
    await sim.run(500);
    expect(got).toEqual(['once']);
    expect(badCount('app-replayed') - before).toBe(2);
  });

  it('refuses a message encrypted for another node, re-addressed or re-signed for this one', async () => {
    const [a, b] = strangers();
    const c = nodes.find((n) => n !== a && n !== b && !n.isClosed)!;
    const got = inbox(c);
    const forB = await sendAndCatch(a, b, 'for bob only');
    const [sigBefore, openBefore] = [badCount('app-bad-signature'), badCount('app-undecryptable')];
    const toC = { ...forB, aid: forB.aid + 2_000_000, to: hexIdToBytes(c.id) };
    inject(a, c, toC);
    inject(a, c, await resigned(toC));
    await sim.run(500);
    expect(got).toEqual([]);
    expect(badCount('app-bad-signature') - sigBefore).toBe(1);
    expect(badCount('app-undecryptable') - openBefore).toBe(1);
  });

  it('refuses a stale message and one that claims another origin', async () => {
    const [a, b] = strangers();
    const got = inbox(b, 'old');
    const m = await sendAndCatch(a, b, 'now');
    const [staleBefore, keyBefore] = [badCount('app-stale'), badCount('app-wrong-key')];
    inject(a, b, await resigned({ ...m, aid: m.aid + 3_000_000, at: sim.clock.now() - 3_600_000 }));
    inject(a, b, { ...m, aid: m.aid + 3_000_001, from: hexIdToBytes(a.id === nodes[0]!.id ? nodes[1]!.id : nodes[0]!.id) });
    await sim.run(500);
    expect(got).toEqual([]);
    expect(badCount('app-stale') - staleBefore).toBe(1);
    expect(badCount('app-wrong-key') - keyBefore).toBe(1);
  });

  it('refuses a plaintext message from a tab that does not encrypt, and tells its origin why', async () => {
    const [a, b] = strangers();
    const got = inbox(b, 'plain');
    const spki = spkis.get(a.id)!;
    const unsigned = { aid: 77, to: hexIdToBytes(b.id), from: hexIdToBytes(a.id), at: sim.clock.now(), topic: 'plain', body: utf8('hello in clear') };
    const sig = await cheapSigner(spki).sign(canonicalEncode({ d: 'p2p-sip/app-message/1', ...unsigned }));
    const acks: Extract<Message, { t: 'app-ack' }>[] = [];
    const receive = a.receive.bind(a);
    a.receive = (from, bytes) => {
      const m = parseMessage(bytes);
      if (!isParseFailure(m) && m.t === 'app-ack' && m.aid === 77) acks.push(m);
      receive(from, bytes);
    };
    const before = badCount('app-not-encrypted');
    inject(a, b, { t: 'app', ...unsigned, spki, hops: 0, sig });
    await sim.run(1000);
    a.receive = receive;
    expect(got).toEqual([]);
    expect(badCount('app-not-encrypted') - before).toBe(1);
    expect(acks.map((k) => [k.refusal, k.via])).toEqual([['not-encrypted', 0]]);
  });

  it('refuses a sealed message when the target cannot open it with its key, and the sender learns the new key and resends', async () => {
    const [a, b] = strangers();
    const got = inbox(b, 'rekey');
    await sim.until(a.routed.send(b.id, 'rekey', utf8('first')));
    // b's node comes back with the same node key but a new agreement key (a new run without a stored one).
    const spki = spkis.get(b.id)!;
    sim.crash(b.id);
    const b2 = sim.createNode(b.id, {}, { nodeSigner: cheapSigner(spki) });
    nodes.push(b2);
    await sim.until(sim.join(b2));
    await sim.run(20_000);
    const got2 = inbox(b2, 'rekey');
    const before = badCount('app-undecryptable');
    const r = await sim.until(a.routed.send(b2.id, 'rekey', utf8('second')));
    await sim.run(500);
    expect(r.outcome).toBe('delivered');
    expect(got).toEqual(['first']);
    expect(got2).toEqual(['second']);
    expect(badCount('app-undecryptable') - before).toBe(1);
  });
});
