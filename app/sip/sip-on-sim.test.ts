/**
 * Real JsSIP UAs on OverlaySockets over the overlay simulator (the way
 * JsSIP's own LoopSocket test runs two UAs): names are claimed on the DHT,
 * REGISTER writes signed contact entries, MESSAGE crosses relays, and the
 * registrar answers 404/480/403 as a proxy would.
 */
import JsSIP from 'jssip';
import type { IncomingMessageEvent, OutgoingMessageEvent } from 'jssip/lib/UA';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEncode } from '../identity';
import { bytesToHexId, createRecord, type OverlayNode } from '../overlay';
import { Listeners, randomBytes, silentLogger } from '../common';
import { Simulation, cheapSigner } from '../overlay/sim';
import { joinSimRing, pumpSimClock } from './testing/sim-ring';
import { DhtLocation } from './dht-location';
import { NameTakenError } from './errors';
import { NameDirectory, dhtKey } from './name-directory';
import { OverlaySipNetwork } from './overlay-network';
import { OverlaySocket } from './overlay-socket';
import { uaConfig } from './ua-config';
import { forgedMessage, when } from './testing';
import type { ContactPolicy } from './types';

JsSIP.debug.disable();

const DOMAIN = 'p2p.local';
const N = 14;
const allowAll: ContactPolicy = async () => ({ allow: true, reason: 'test' });

describe('SIP over the simulated overlay with real JsSIP UAs', () => {
  const sim = new Simulation({ seed: 2024, network: { linkEvents: false } });
  const nodes: OverlayNode[] = [];
  const uas: JsSIP.UA[] = [];
  let stopPump: () => void;

  beforeAll(async () => {
    nodes.push(...(await joinSimRing(sim, N)));
    stopPump = pumpSimClock(sim);
  }, 60_000);

  afterAll(() => {
    for (const ua of uas) ua.stop();
    stopPump();
  });

  function person(): { signer: ReturnType<typeof cheapSigner>; ecdh: Uint8Array } {
    return { signer: cheapSigner(randomBytes(sim.rng, 65)), ecdh: randomBytes(sim.rng, 65) };
  }

  async function phone(name: string, node: OverlayNode, who = person(), policy = allowAll) {
    const directory = new NameDirectory(node, who.signer, who.ecdh);
    const network = new OverlaySipNetwork(node);
    const socket = new OverlaySocket({ network, location: new DhtLocation(node, directory, who.signer, DOMAIN), domain: DOMAIN, user: name, policy });
    const ua = new JsSIP.UA(uaConfig(socket, name, DOMAIN, node.id, 'p2p-softphone-test'));
    uas.push(ua);
    const messages: { from: string; body: string }[] = [];
    const arrived = new Listeners<void>(silentLogger);
    ua.on('newMessage', (e: IncomingMessageEvent | OutgoingMessageEvent) => {
      if (e.originator === 'remote') {
        messages.push({ from: e.request.from.uri.user, body: String((e.request as { body?: string }).body) });
        arrived.emit();
      }
    });
    /** Resolves once `n` messages have arrived at this UA. */
    const received = (n: number): Promise<void> => when((fn) => arrived.add(fn), () => messages.length >= n);
    const registered = new Promise<string>((resolve) => {
      ua.on('registered', () => resolve('registered'));
      ua.on('registrationFailed', (e) => {
        const res = e.response as { status_code?: number; reason_phrase?: string } | null;
        resolve(`${res?.status_code ?? ''} ${res?.reason_phrase ?? String(e.cause)}`);
      });
    });
    ua.start();
    return { ua, messages, received, network, who, registered: await registered };
  }

  function sendMessage(ua: JsSIP.UA, target: string, body: string): Promise<string> {
    return new Promise((resolve) => {
      ua.sendMessage(target, body, {
        eventHandlers: {
          succeeded: () => resolve('ok'),
          failed: (e) => {
            const res = e.response as { status_code?: number; reason_phrase?: string } | null;
            resolve(`${res?.status_code ?? ''} ${res?.reason_phrase ?? String(e.cause)}`.trim());
          },
        },
      });
    });
  }

  /** Two live nodes that do not know each other, so SIP between them crosses relays. */
  function strangers(): [OverlayNode, OverlayNode] {
    for (const a of nodes)
      for (const b of nodes) if (a !== b && !a.isClosed && !b.isClosed && !a.knownPeers().includes(b.id)) return [a, b];
    throw new Error('no two strangers');
  }

  it('claims names, registers, and delivers a MESSAGE across relays to every tab of the callee', async () => {
    const [na, nb] = strangers();
    const alice = await phone('alice', na);
    expect(alice.registered).toBe('registered');
    const bobKeys = person();
    const bob1 = await phone('bob', nb, bobKeys);
    const bob2 = await phone('bob', nodes.find((n) => n !== na && n !== nb)!, bobKeys);
    expect([bob1.registered, bob2.registered]).toEqual(['registered', 'registered']);
    const relayed = sim.counters.relayed;
    expect(await sendMessage(alice.ua, `sip:bob@${DOMAIN}`, 'hello bob')).toBe('ok');
    // The 200 OK that settles the send comes from one of bob's tabs; the other may still be receiving.
    await Promise.all([bob1.received(1), bob2.received(1)]);
    expect(bob1.messages).toEqual([{ from: 'alice', body: 'hello bob' }]);
    expect(bob2.messages).toEqual([{ from: 'alice', body: 'hello bob' }]);
    expect(sim.counters.relayed).toBeGreaterThan(relayed);
  }, 30_000);

  it('refuses a name that someone else holds', async () => {
    const carol = await phone('carol', nodes[5]!);
    expect(carol.registered).toBe('registered');
    const thief = await phone('carol', nodes[6]!);
    expect(thief.registered).toMatch(/^403 .*taken/);
  }, 30_000);

  it('answers 404 for an unknown name and 480 for a name whose tabs are gone', async () => {
    const sender = await phone('dave', nodes[7]!);
    expect(await sendMessage(sender.ua, `sip:nobody@${DOMAIN}`, 'hi')).toMatch(/^404/);
    const erin = await phone('erin', nodes[8]!);
    expect(erin.registered).toBe('registered');
    sim.crash(nodes[8]!.id);
    expect(await sendMessage(sender.ua, `sip:erin@${DOMAIN}`, 'are you there')).toMatch(/^480 erin is not online/);
  }, 60_000);

  it('when the replicas of a name hold rival claims (a split network healed), every reader gets the owner most hold, and the other is told it is taken', async () => {
    const key = await dhtKey('user:', 'zoe');
    const live = nodes.filter((n) => !n.isClosed);
    const { replicas } = await live[0]!.lookup(bytesToHexId(key));
    const [x, y] = [person(), person()];
    const claimOf = (who: ReturnType<typeof person>) =>
      createRecord(who.signer, { key, kind: 'single', value: canonicalEncode({ v: 1, name: 'zoe', sign: who.signer.spki, ecdh: who.ecdh }), version: sim.clock.now(), expires: sim.clock.now() + 3_600_000 });
    // x's claim only at the key's successor (the one replica reads used to rest on), y's at the others.
    expect(await sim.nodes.get(replicas[0]!)!.replication.accept([await claimOf(x)])).toEqual([null]);
    for (const r of replicas.slice(1)) expect(await sim.nodes.get(r)!.replication.accept([await claimOf(y)])).toEqual([null]);
    for (const n of live.slice(0, 6)) {
      const got = await new NameDirectory(n, person().signer, person().ecdh).resolve('zoe');
      expect(got?.signingSpki).toEqual(y.signer.spki);
    }
    await expect(new NameDirectory(live[1]!, x.signer, x.ecdh).claim('zoe')).rejects.toBeInstanceOf(NameTakenError);
    await expect(new NameDirectory(live[2]!, y.signer, y.ecdh).claim('zoe')).resolves.toBeUndefined();
  }, 30_000);

  it('refuses a MESSAGE whose From names a person the sending node does not speak for', async () => {
    const frank = await phone('frank', nodes[9]!);
    const mallory = await phone('mallory', nodes[10]!);
    expect([frank.registered, mallory.registered]).toEqual(['registered', 'registered']);
    const forged = forgedMessage({ domain: DOMAIN, to: 'frank', claimedUser: 'alice', senderNode: nodes[10]!.id });
    const replies: string[] = [];
    const replied = new Listeners<void>(silentLogger);
    mallory.network.onReceive((_from, text) => {
      replies.push(text);
      replied.emit();
    });
    expect(await mallory.network.send(nodes[9]!.id, forged)).toBe('sent');
    // frank's socket refuses the MESSAGE before its UA sees it, so once the 403 is back, the UA has seen all it will.
    await when((fn) => replied.add(fn), () => replies.some((r) => r.startsWith('SIP/2.0 ')));
    expect(frank.messages).toEqual([]);
    expect(replies.some((r) => /^SIP\/2.0 403 the caller is not alice/.test(r))).toBe(true);
  }, 30_000);
});
