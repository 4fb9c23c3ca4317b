import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import JsSIP from 'jssip';
import type { IncomingMessageEvent, OutgoingMessageEvent } from 'jssip/lib/UA';
import { ClockSkewError } from './errors';
import { ForkTable } from './fork-table';
import { OverlaySocket } from './overlay-socket';
import { uaConfig } from './ua-config';
import { makeResponse } from './responses';
import { Listeners, silentLogger } from '../common';
import { settle } from '../common/testing';
import { forgedMessage, MemorySipOverlay, when } from './testing';
import type { ContactPolicy, LookupResult, SipLocation } from './types';

JsSIP.debug.disable();

const DOMAIN = 'p2p.local';
const allowAll: ContactPolicy = async () => ({ allow: true, reason: 'test' });
const uas: JsSIP.UA[] = [];

afterEach(() => {
  for (const ua of uas.splice(0)) ua.stop();
});

function nodeId(n: number): string {
  return n.toString(16).padStart(40, '0');
}

async function phone(overlay: MemorySipOverlay, user: string, node: string, policy = allowAll, location = overlay.location(node)) {
  const socket = new OverlaySocket({ network: overlay.network(node), location, domain: DOMAIN, user, policy });
  const ua = new JsSIP.UA(uaConfig(socket, user, DOMAIN, node, 'p2p-softphone-test'));
  const messages: string[] = [];
  const arrived = new Listeners<void>(silentLogger);
  ua.on('newMessage', (e: IncomingMessageEvent | OutgoingMessageEvent) => {
    if (e.originator === 'remote') {
      messages.push(String((e.request as { body?: string }).body));
      arrived.emit();
    }
  });
  /** Resolves once `n` messages have arrived at this UA. */
  const received = (n: number): Promise<void> => when((fn) => arrived.add(fn), () => messages.length >= n);
  const registered = new Promise<void>((resolve, reject) => {
    ua.on('registered', () => resolve());
    ua.on('registrationFailed', (e) => reject(new Error(String(e.cause))));
  });
  ua.start();
  uas.push(ua);
  await registered;
  return { ua, messages, received, node };
}

function sendMessage(ua: JsSIP.UA, target: string, body: string): Promise<string> {
  return new Promise((resolve) => {
    ua.sendMessage(target, body, {
      eventHandlers: {
        succeeded: () => resolve('ok'),
        failed: (e) => resolve(`${(e.response as { status_code?: number } | null)?.status_code ?? ''} ${String(e.cause)}`.trim()),
      },
    });
  });
}

describe('SIP over the overlay', () => {
  it('registers each tab and delivers a MESSAGE to every tab of the callee', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', nodeId(1));
    const bob1 = await phone(o, 'bob', nodeId(2));
    const bob2 = await phone(o, 'bob', nodeId(3));
    expect([...o.registrations.get('bob')!]).toEqual([nodeId(2), nodeId(3)]);
    expect(await sendMessage(alice.ua, `sip:bob@${DOMAIN}`, 'hello bob')).toBe('ok');
    // The 200 OK that settles the send comes from one of bob's tabs; the other may still be receiving.
    await Promise.all([bob1.received(1), bob2.received(1)]);
    expect(bob1.messages).toEqual(['hello bob']);
    expect(bob2.messages).toEqual(['hello bob']);
    // Nothing but the two bob tabs received it, and nothing passed through a third node.
    expect(o.wire.filter((w) => w.text.startsWith('MESSAGE')).map((w) => w.to)).toEqual([nodeId(2), nodeId(3)]);
  });

  it('answers as a registrar and proxy would: 404 for an unknown name, 480 when no contact answers', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', nodeId(1));
    expect(await sendMessage(alice.ua, `sip:carol@${DOMAIN}`, 'hi')).toMatch(/^404/);
    o.registrations.set('dave', new Set());
    expect(await sendMessage(alice.ua, `sip:dave@${DOMAIN}`, 'hi')).toMatch(/^480/);
    o.registrations.set('erin', new Set([nodeId(9)]));
    expect(await sendMessage(alice.ua, `sip:erin@${DOMAIN}`, 'hi')).toMatch(/^480/);
  });

  it('says the network did not answer (408), not "not online" (480), when no contact acknowledged', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', nodeId(1));
    const bob1 = await phone(o, 'bob', nodeId(2));
    const bob2 = await phone(o, 'bob', nodeId(3));
    o.silent.add(bob1.node).add(bob2.node);
    expect(await sendMessage(alice.ua, `sip:bob@${DOMAIN}`, 'hi')).toMatch(/^(408|Request Timeout)/);
    // One tab known gone, one silent: bob is not online, as far as anyone can tell.
    o.silent.delete(bob2.node);
    o.down.add(bob2.node);
    expect(await sendMessage(alice.ua, `sip:bob@${DOMAIN}`, 'hi')).toMatch(/^480/);
    // A call forked to both tabs: the final answer is 480 when any tab is known gone, 408 when all were silent.
    const invite = 'INVITE sip:bob@p2p.local SIP/2.0\r\nVia: SIP/2.0/WS x;branch=z9hG4bK1\r\nTo: <sip:bob@p2p.local>\r\nFrom: <sip:alice@p2p.local>;tag=a\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';
    const finalOf = (statuses: (408 | 480)[]): string | null => {
      const forks = new ForkTable();
      forks.open('c1', 'z9hG4bK1', invite, ['n1', 'n2']);
      let final: string | null = null;
      statuses.forEach((st, i) => (final = forks.unreachable('c1', 'z9hG4bK1', `n${i + 1}`, st, makeResponse(invite, st)) ?? final));
      return final;
    };
    expect(finalOf([408, 408])).toMatch(/^SIP\/2.0 408/);
    expect(finalOf([408, 480])).toMatch(/^SIP\/2.0 480/);
  });

  it('refuses a request whose From names someone the sending node does not speak for', async () => {
    const o = new MemorySipOverlay();
    await phone(o, 'alice', nodeId(1));
    const bob = await phone(o, 'bob', nodeId(2));
    // mallory registers as herself, then claims to be alice.
    const mallory = await phone(o, 'mallory', nodeId(4));
    const forged = forgedMessage({ domain: DOMAIN, to: 'bob', claimedUser: 'alice', senderNode: nodeId(4) });
    const replied = new Listeners<void>(silentLogger);
    o.network(nodeId(4)).onReceive(() => replied.emit());
    await o.network(nodeId(4)).send(nodeId(2), forged);
    // bob's socket refuses the MESSAGE before its UA sees it, so once the answer is back, the UA has seen all it will.
    await when((fn) => replied.add(fn), () => o.wire.some((w) => w.from === nodeId(2) && w.to === nodeId(4)));
    expect(bob.messages).toEqual([]);
    const reply = o.wire.find((w) => w.from === nodeId(2) && w.to === nodeId(4));
    expect(reply?.text).toMatch(/^SIP\/2.0 403 the caller is not alice/);
    void mallory;
  });

  it('reads a caller it cannot find once more before refusing, and answers 408, not 403, when both reads time out', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', nodeId(1));
    // bob's reads of alice's registration: the first times out, the second sees her (a registration a moment old, links churning).
    const reads: LookupResult['kind'][] = ['timeout'];
    const flaky = (nodeHex: string): SipLocation => {
      const real = o.location(nodeHex);
      return { ...real, lookup: async (name) => (name === 'alice' && reads.length > 0 ? { kind: reads.shift()! } as LookupResult : real.lookup(name)) };
    };
    const bob = await phone(o, 'bob', nodeId(2), allowAll, flaky(nodeId(2)));
    expect(await sendMessage(alice.ua, `sip:bob@${DOMAIN}`, 'first try')).toBe('ok');
    expect(bob.messages).toEqual(['first try']);
    // Every read times out: the caller is told the network did not answer, never that bob refused.
    reads.push('timeout', 'timeout');
    // (JsSIP reports a 408 answer to a MESSAGE as its cause "Request Timeout", which the app words as "try again".)
    expect(await sendMessage(alice.ua, `sip:bob@${DOMAIN}`, 'second try')).toMatch(/^(408|Request Timeout)/);
    // A name the registry does not know, read twice: a refusal.
    reads.push('unknown', 'unknown');
    expect(await sendMessage(alice.ua, `sip:bob@${DOMAIN}`, 'third try')).toMatch(/^403/);
    expect(bob.messages).toEqual(['first try']);
  });

  it('answers 403 when the person refuses the caller, and the UA never sees the request', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', nodeId(1));
    const deny: ContactPolicy = async ({ name }) => ({ allow: name !== 'alice', reason: 'no' });
    const bob = await phone(o, 'bob', nodeId(2), deny);
    expect(await sendMessage(alice.ua, `sip:bob@${DOMAIN}`, 'let me in')).toMatch(/^403/);
    expect(bob.messages).toEqual([]);
  });

  it('drops garbage from the overlay without throwing or reaching the UA', async () => {
    const o = new MemorySipOverlay();
    const bob = await phone(o, 'bob', nodeId(2));
    const net = o.network(nodeId(7));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 400 }), fc.constantFrom('MESSAGE sip:bob@p2p.local SIP/2.0\r\n\r\n', 'SIP/2.0 200 OK\r\n\r\n', 'x'.repeat(70_000))), async (text) => {
        await net.send(nodeId(2), text);
      }),
      { seed: 3, numRuns: 200 },
    );
    await settle();
    expect(bob.messages).toEqual([]);
  });

  it('answers a REGISTER refused for a wrong clock with a 403 that says so, in words', async () => {
    const o = new MemorySipOverlay();
    const location = { ...o.location(nodeId(7)), register: () => Promise.reject(new ClockSkewError("this computer's clock is more than 10 minutes behind the other peers' clocks")) };
    const socket = new OverlaySocket({ network: o.network(nodeId(7)), location, domain: DOMAIN, user: 'carol', policy: allowAll });
    const ua = new JsSIP.UA(uaConfig(socket, 'carol', DOMAIN, nodeId(7), 'p2p-softphone-test'));
    uas.push(ua);
    const failed = new Promise<string>((resolve) => {
      ua.on('registered', () => resolve('registered'));
      ua.on('registrationFailed', (e) => {
        const res = e.response as { status_code?: number; reason_phrase?: string } | null;
        resolve(`${res?.status_code} ${res?.reason_phrase}`);
      });
    });
    ua.start();
    expect(await failed).toMatch(/^403 this computer's clock is more than 10 minutes behind/);
  });
});
