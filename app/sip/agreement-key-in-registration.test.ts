/**
 * A caller learns the callee node's agreement key from the callee's SIP
 * registration (issue 17, the calls benchmark's dial → media): the contact
 * entry carries the node's signed agreement key, the lookup that finds the
 * callee's nodes hands it to the overlay, and the INVITE is sealed at once,
 * with no agreement-ask round trip across the ring. A key in an entry that
 * is not the node's (bound by another node key, or malformed) is refused and
 * counted, and the caller falls back to asking the node: the call still goes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEncode } from '../identity';
import { createRecord, type OverlayNode } from '../overlay';
import { randomBytes } from '../common';
import { Simulation, cheapSigner } from '../overlay/sim';
import { joinSimRing, pumpSimClock } from './testing/sim-ring';
import { DhtLocation } from './dht-location';
import { NameDirectory, dhtKey } from './name-directory';
import { OverlaySipNetwork } from './overlay-network';
import { OverlaySocket } from './overlay-socket';
import { invite } from './testing/torture-messages';
import { nodeHost } from './sip-parse';

const DOMAIN = 'p2p.local';
const N = 10;

describe('the agreement key travels in the SIP registration', () => {
  const sim = new Simulation({ seed: 1717, network: { linkEvents: false } });
  const nodes: OverlayNode[] = [];
  /** Nodes already used by a test, so every test starts with two nodes that have never exchanged a routed message. */
  const used = new Set<string>();
  let stopPump: () => void;

  beforeAll(async () => {
    nodes.push(...(await joinSimRing(sim, N)));
    stopPump = pumpSimClock(sim);
  }, 60_000);

  afterAll(() => stopPump());

  /** Messages of `type` sent by every node, relays' forwarding included (so 0 means none was sent at all). */
  const count = (type: string): number => sim.counters.sent.get(type) ?? 0;
  const bad = (reason: string): number => sim.counters.bad.get(reason) ?? 0;

  /** Two nodes not linked to each other and not used by another test. */
  function strangers(): [OverlayNode, OverlayNode] {
    for (const a of nodes)
      for (const b of nodes)
        if (a !== b && !used.has(a.id) && !used.has(b.id) && !a.knownPeers().includes(b.id)) {
          used.add(a.id);
          used.add(b.id);
          return [a, b];
        }
    throw new Error('no two strangers left');
  }

  function person(): { signer: ReturnType<typeof cheapSigner>; ecdh: Uint8Array } {
    return { signer: cheapSigner(randomBytes(sim.rng, 65)), ecdh: randomBytes(sim.rng, 65) };
  }

  /** `name` registered on `node` the way the phone's REGISTER does it; returns its location service. */
  async function registered(name: string, node: OverlayNode, who = person()): Promise<DhtLocation> {
    const location = new DhtLocation(node, new NameDirectory(node, who.signer, who.ecdh), who.signer, DOMAIN);
    await location.register(name, 600);
    return location;
  }

  /**
   * Alice's socket sends an INVITE to sip:`callee`@p2p.local (as her JsSIP UA
   * would); resolves with the text node `to` received.
   */
  async function call(from: OverlayNode, location: DhtLocation, to: OverlayNode, callee: string): Promise<string> {
    const socket = new OverlaySocket({ network: new OverlaySipNetwork(from), location, domain: DOMAIN, user: 'alice', policy: async () => ({ allow: true, reason: '' }), clock: sim.clock });
    const replies: string[] = [];
    socket.ondata = (t) => replies.push(t);
    socket.connect();
    const arrived = new Promise<string>((resolve) => new OverlaySipNetwork(to).onReceive((_from, text) => resolve(text)));
    const id = `ak-${from.id.slice(0, 6)}`;
    const via = `Via: SIP/2.0/WS ${nodeHost(from.id)};branch=z9hG4bK-${id}`;
    expect(socket.send(invite(id, { line: `INVITE sip:${callee}@${DOMAIN} SIP/2.0`, replace: { via, to: `To: <sip:${callee}@${DOMAIN}>` } }))).toBe(true);
    const text = await arrived;
    socket.disconnect();
    expect(replies.filter((r) => /^SIP\/2.0 [4-6]/.test(r))).toEqual([]);
    return text;
  }

  it('a call to a registered callee sends no agreement-ask: the lookup that finds the callee gives its node key', async () => {
    const [na, nb] = strangers();
    const alice = await registered('alice', na);
    await registered('bob', nb);
    const asks = count('agreement-ask');
    const text = await call(na, alice, nb, 'bob');
    expect(text).toMatch(/^INVITE sip:bob@p2p\.local SIP\/2\.0\r\n/);
    expect(count('agreement-ask') - asks).toBe(0);
    // The contact entry holds the key bound to bob's node by its node key, as the overlay gives it.
    const entries = await (na.get(await dhtKey('sip:', `bob@${DOMAIN}`)));
    const own = await nb.routed.ownAgreementKey();
    expect(entries.some((r) => Buffer.from(r.value).includes(Buffer.from(own.key)))).toBe(true);
  }, 30_000);

  it('a key in the entry that another node key binds is refused and counted; the caller asks the node and the call still goes', async () => {
    const [na, nb] = strangers();
    const [nc] = nodes.filter((n) => !used.has(n.id));
    const alice = await registered('alice2', na);
    const bob = person();
    await registered('bob2', nb, bob);
    // Bob's own (signed) entry for his node names a key another node bound: whoever wrote it, the overlay refuses it.
    const other = await nc!.routed.ownAgreementKey();
    const key = await dhtKey('sip:', `bob2@${DOMAIN}`);
    const forged = await createRecord(bob.signer, {
      key,
      kind: 'dict',
      sub: nb.id,
      value: canonicalEncode({ node: nb.id, gone: false, ak: { spki: other.spki, key: other.key, sig: other.sig } }),
      version: sim.clock.now() + 1,
      expires: sim.clock.now() + 600_000,
    });
    expect((await na.put(forged)).stored.length).toBeGreaterThan(0);
    const [asks, refused] = [count('agreement-ask'), bad('agreement-record-bad-binding')];
    const text = await call(na, alice, nb, 'bob2');
    expect(text).toMatch(/^INVITE sip:bob2@p2p\.local SIP\/2\.0\r\n/);
    expect(bad('agreement-record-bad-binding') - refused).toBe(1);
    expect(count('agreement-ask') - asks).toBeGreaterThan(0);
  }, 30_000);

  it('a malformed key in the entry leaves the contact usable: the caller asks the node', async () => {
    const [na, nb] = strangers();
    const alice = await registered('alice3', na);
    const bob = person();
    await registered('bob3', nb, bob);
    const forged = await createRecord(bob.signer, {
      key: await dhtKey('sip:', `bob3@${DOMAIN}`),
      kind: 'dict',
      sub: nb.id,
      value: canonicalEncode({ node: nb.id, gone: false, ak: { key: 'not bytes', sig: new Uint8Array(600), spki: new Uint8Array(3) } }),
      version: sim.clock.now() + 1,
      expires: sim.clock.now() + 600_000,
    });
    expect((await na.put(forged)).stored.length).toBeGreaterThan(0);
    const asks = count('agreement-ask');
    const text = await call(na, alice, nb, 'bob3');
    expect(text).toMatch(/^INVITE sip:bob3@p2p\.local SIP\/2\.0\r\n/);
    expect(count('agreement-ask') - asks).toBeGreaterThan(0);
  }, 30_000);
});
