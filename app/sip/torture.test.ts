/**
 * RFC 4475-style torture messages sent by a peer at bob's OverlaySocket and
 * the real JsSIP UA behind it: valid-but-odd messages are handled, invalid
 * ones get the error response RFC 3261 names (or are dropped where no answer
 * can be formed), and afterwards bob still takes a MESSAGE and an INVITE.
 */
import fc from 'fast-check';
import JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { IncomingRequest } from 'jssip/lib/SIPMessage';
import type { IncomingMessageEvent, OutgoingMessageEvent, RTCSessionEvent } from 'jssip/lib/UA';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkIncomingOffer } from './offer-gate';
import { OverlaySocket } from './overlay-socket';
import { nodeHost, parseSip } from './sip-parse';
import { Listeners, silentLogger } from '../common';
import { settle } from '../common/testing';
import { MemorySipOverlay, when } from './testing';
import { BYTE_LENGTH } from './testing/byte-length-cases';
import { APPLICATION, INVALID, VALID } from './testing/torture-cases';
import { ALICE_NODE, BOB_NODE, cancelOf, DOMAIN, invite, request, response, type TortureCase, type UaEvent } from './testing/torture-messages';

JsSIP.debug.disable();

// Node has no WebRTC. JsSIP only asks whether RTCPeerConnection exists before it takes an INVITE; it builds
// one only when a call is answered or placed, which these tests never do (the stub refuses to be built).
vi.stubGlobal('window', {
  RTCPeerConnection: class {
    constructor() {
      throw new Error('no WebRTC in Node');
    }
  },
});

interface Seen {
  event: UaEvent;
  callId: string;
  body: string;
  session?: RTCSession;
}

describe('SIP torture messages (RFC 4475 kinds) at a real JsSIP UA behind the OverlaySocket', () => {
  const o = new MemorySipOverlay();
  const alice = o.network(ALICE_NODE);
  const replies: string[] = [];
  const replied = new Listeners<void>(silentLogger);
  const seen: Seen[] = [];
  const logs: string[] = [];
  let ua: JsSIP.UA;

  beforeAll(async () => {
    // alice's node is registered for alice (the identity check is a feature); she has no UA, only a wire.
    o.registrations.set('alice', new Set([ALICE_NODE]));
    alice.onReceive((_from, text) => {
      replies.push(text);
      replied.emit();
    });
    const socket = new OverlaySocket({
      network: o.network(BOB_NODE),
      location: o.location(BOB_NODE),
      domain: DOMAIN,
      user: 'bob',
      policy: async () => ({ allow: true, reason: 'test' }),
      log: (line) => logs.push(line),
    });
    ua = new JsSIP.UA({
      sockets: [socket as unknown as JsSIP.Socket],
      uri: `sip:bob@${DOMAIN}`,
      via_host: nodeHost(BOB_NODE),
      contact_uri: `sip:bob@${nodeHost(BOB_NODE)};transport=ws`,
      register: true,
      session_timers: false,
      user_agent: 'p2p-softphone-test',
    } as ConstructorParameters<typeof JsSIP.UA>[0]);
    ua.on('newMessage', (e: IncomingMessageEvent | OutgoingMessageEvent) => {
      if (e.originator !== 'remote') return;
      const r = e.request as unknown as { call_id: string; body?: string };
      seen.push({ event: 'message', callId: r.call_id, body: String(r.body ?? '') });
    });
    ua.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator !== 'remote') return;
      // As the Phone does: the offer is read before the call rings, and an unusable one never reaches anyone.
      if (!checkIncomingOffer(e.session, e.request as IncomingRequest).ok) return;
      const r = e.request as unknown as { call_id: string; body?: string };
      seen.push({ event: 'invite', callId: r.call_id, body: String(r.body ?? ''), session: e.session });
    });
    const registered = new Promise<void>((resolve, reject) => {
      ua.on('registered', () => resolve());
      ua.on('registrationFailed', (e) => reject(new Error(String(e.cause))));
    });
    ua.start();
    await registered;
  });

  afterAll(() => ua.stop());

  let serial = 0;
  /** Sends one message as alice and collects, by its unique id, the statuses that come back and what bob's UA saw. */
  async function fire(build: (id: string) => string, want: number | null): Promise<{ id: string; sent: string; replies: string[]; statuses: number[]; seen: Seen[] }> {
    const id = `tt${String(++serial).padStart(3, '0')}x`;
    const mine = (text: string) => text.includes(id);
    const sent = build(id);
    expect(await alice.send(BOB_NODE, sent)).toBe('sent');
    const statuses = (): number[] =>
      replies.filter(mine).map((t) => {
        const m = parseSip(t);
        return 'error' in m || m.kind !== 'response' ? -1 : m.status;
      });
    // Wait for the expected answer. Then let everything else the message causes happen (for one that
    // must be dropped: prove nothing comes): the socket and bob's UA answer from promise callbacks and
    // JsSIP's transaction layer answers synchronously, so draining the event loop is enough; no time passes.
    if (want !== null) await when((fn) => replied.add(fn), () => statuses().includes(want));
    await settle();
    return { id, sent, replies: replies.filter(mine), statuses: statuses(), seen: seen.filter((s) => s.callId.includes(id)) };
  }

  async function check(c: TortureCase): Promise<{ statuses: number[]; seen: Seen[] }> {
    const r = await fire(c.build, c.status);
    // The socket keeps whatever JsSIP throws (tested below); no torture message may make it throw at all.
    expect(logs.splice(0).filter((l) => /failed/.test(l))).toEqual([]);
    if (c.status === null) expect(r.statuses).toEqual([]);
    else expect(r.statuses).toContain(c.status);
    // One answer only: the proxy's error and JsSIP's never both go out.
    expect(r.statuses.filter((s) => s >= 200)).toEqual(c.status !== null && c.status >= 200 ? [c.status] : []);
    // Every answer is a response alice can read and match to her request: her branch, Call-ID and From tag.
    for (const text of r.replies) {
      const res = parseSip(text);
      if ('error' in res || res.kind !== 'response') throw new Error(`an answer alice cannot read: ${text.slice(0, 200)}`);
      expect(res.branch).toBe(`z9hG4bK-${r.id}`);
      expect(res.callId).toMatch(new RegExp(`^${r.id}`));
      expect(res.fromTag).toMatch(new RegExp(`-${r.id}$`));
    }
    expect(r.seen.map((s) => s.event)).toEqual(c.ua ? [c.ua] : []);
    if (c.body !== undefined) expect(r.seen[0]?.body).toBe(c.body);
    if (c.header) expect(r.replies.some((t) => c.header!.test(t))).toBe(true);
    return r;
  }

  describe('valid but unusual messages are handled (§3.1.1)', () => {
    for (const c of VALID) it(`${c.section} ${c.name}`, async () => void (await check(c)));
  });

  describe('invalid messages get the error SIP names, or are dropped (§3.1.2)', () => {
    for (const c of INVALID) it(`${c.section} ${c.name}`, async () => void (await check(c)));
  });

  describe('Content-Length counts bytes: bodies are cut in bytes, never inside a character (RFC 3261 §18.3, §20.14)', () => {
    for (const c of BYTE_LENGTH) it(`${c.section} ${c.name}`, async () => void (await check(c)));
  });

  describe('transaction and application layer (§3.3)', () => {
    for (const c of APPLICATION)
      it(`${c.section} ${c.name}`, async () => {
        const r = await check(c);
        // A call that rang is declined, so nothing is left ringing.
        for (const s of r.seen) s.session?.terminate({ status_code: 603 });
      });
  });

  describe('random damage to valid messages', () => {
    it('never makes the socket or the UA throw', async () => {
      const valid = [(id: string) => request(id, { method: 'MESSAGE', body: 'fuzz' }), (id: string) => invite(id), (id: string) => request(id, { method: 'OPTIONS' })];
      const damage = fc.record({
        which: fc.integer({ min: 0, max: valid.length - 1 }),
        line: fc.nat(),
        kind: fc.constantFrom('drop', 'double', 'cut', 'insert', 'fold'),
        at: fc.nat(),
        junk: fc.string({ minLength: 1, maxLength: 12 }),
      });
      await fc.assert(
        fc.asyncProperty(damage, async (d) => {
          const text = valid[d.which]!(`fz${++serial}x`);
          const lines = text.split('\r\n');
          const i = d.line % lines.length;
          const l = lines[i]!;
          if (d.kind === 'drop') lines.splice(i, 1);
          else if (d.kind === 'double') lines.splice(i, 0, l);
          else if (d.kind === 'cut') lines[i] = l.slice(0, d.at % (l.length + 1));
          else if (d.kind === 'insert') lines[i] = l.slice(0, d.at % (l.length + 1)) + d.junk + l.slice(d.at % (l.length + 1));
          else lines[i] = `${l.slice(0, d.at % (l.length + 1))}\r\n ${l.slice(d.at % (l.length + 1))}`;
          await alice.send(BOB_NODE, lines.join('\r\n'));
        }),
        { seed: 4475, numRuns: 300 },
      );
      await settle();
      expect(logs.splice(0).filter((l) => /failed/.test(l))).toEqual([]);
      // Rung calls are declined so that none is left ringing.
      for (const s of seen.splice(0)) if (s.session && !s.session.isEnded()) s.session.terminate({ status_code: 603 });
    });
  });

  describe('after the whole batch', () => {
    it('bob still takes a normal MESSAGE', async () => {
      const r = await fire((id) => request(id, { method: 'MESSAGE', body: 'still there?' }), 200);
      expect(r.statuses).toEqual([200]);
      expect(r.seen.map((s) => [s.event, s.body])).toEqual([['message', 'still there?']]);
    });

    it('bob still takes a normal INVITE: it rings, and a CANCEL ends it with 487', async () => {
      const r = await fire((id) => invite(id), 180);
      expect(r.statuses).toEqual([100, 180]);
      expect(r.seen.map((s) => s.event)).toEqual(['invite']);
      const session = r.seen[0]!.session!;
      expect(session.isInProgress()).toBe(true);
      const ended = new Promise<string>((resolve) => session.on('failed', (e) => resolve(String(e.cause))));
      await alice.send(BOB_NODE, cancelOf(r.sent));
      expect(await ended).toBe(JsSIP.C.causes.CANCELED);
      await settle();
      const last = replies.filter((t) => t.includes(r.id)).map((t) => t.split('\r\n')[0]);
      expect(last).toEqual(expect.arrayContaining(['SIP/2.0 200 OK', 'SIP/2.0 487 Request Terminated']));
    });
  });
});

describe('requests inside a call come only from the nodes in that call', () => {
  it('a relay that saw the INVITE cannot CANCEL or BYE it from its own node; alice still can', async () => {
    const o = new MemorySipOverlay();
    o.registrations.set('alice', new Set([ALICE_NODE]));
    // mallory is a registered person whose node relayed alice's INVITE, so she knows its Call-ID, tags and branch.
    const MALLORY_NODE = '00000000000000000000000000000000000bad00';
    o.registrations.set('mallory', new Set([MALLORY_NODE]));
    const socket = new OverlaySocket({ network: o.network(BOB_NODE), location: o.location(BOB_NODE), domain: DOMAIN, user: 'bob', policy: async () => ({ allow: true, reason: '' }) });
    const ua = new JsSIP.UA({
      sockets: [socket as unknown as JsSIP.Socket],
      uri: `sip:bob@${DOMAIN}`,
      contact_uri: `sip:bob@${nodeHost(BOB_NODE)};transport=ws`,
      register: false,
      session_timers: false,
    } as ConstructorParameters<typeof JsSIP.UA>[0]);
    const sessions: RTCSession[] = [];
    ua.on('newRTCSession', (e: RTCSessionEvent) => sessions.push(e.session));
    const connected = new Promise<void>((r) => ua.on('connected', () => r()));
    ua.start();
    await connected;
    const replies: { from: string; line: string }[] = [];
    const alice = o.network(ALICE_NODE);
    const mallory = o.network(MALLORY_NODE);
    alice.onReceive((_from, t) => replies.push({ from: 'alice', line: t.split('\r\n')[0]! }));
    mallory.onReceive((_from, t) => replies.push({ from: 'mallory', line: t.split('\r\n')[0]! }));
    const inv = invite('dlg1');
    await alice.send(BOB_NODE, inv);
    await settle();
    expect(sessions).toHaveLength(1);
    const cancel = cancelOf(inv);
    const bye = cancel.replace(/^CANCEL /, 'BYE ').replace('CSeq: 1 CANCEL', 'CSeq: 2 BYE').replace(/^To: (.*)$/m, 'To: $1;tag=guessed').replace('branch=z9hG4bK-dlg1', 'branch=z9hG4bK-dlg1-bye');
    await mallory.send(BOB_NODE, cancel);
    await mallory.send(BOB_NODE, bye);
    await settle();
    expect(sessions[0]!.isInProgress()).toBe(true);
    expect(replies.filter((r) => r.from === 'mallory').map((r) => r.line)).toEqual(['SIP/2.0 403 not a party to this call', 'SIP/2.0 403 not a party to this call']);
    await alice.send(BOB_NODE, cancel);
    await settle();
    expect(sessions[0]!.isEnded()).toBe(true);
    expect(replies.filter((r) => r.from === 'alice').map((r) => r.line)).toEqual(expect.arrayContaining(['SIP/2.0 200 OK', 'SIP/2.0 487 Request Terminated']));
    ua.stop();
  });
});

describe('the OverlaySocket keeps whatever the UA throws', () => {
  it('logs a UA that throws on a request or a response, and the socket goes on', async () => {
    const o = new MemorySipOverlay();
    o.registrations.set('alice', new Set([ALICE_NODE]));
    const logs: string[] = [];
    const socket = new OverlaySocket({ network: o.network(BOB_NODE), location: o.location(BOB_NODE), domain: DOMAIN, user: 'bob', policy: async () => ({ allow: true, reason: '' }), log: (l) => logs.push(l) });
    const got: string[] = [];
    socket.ondata = (text) => {
      got.push(text.slice(0, 8));
      throw new TypeError('a bug in the UA');
    };
    socket.connect();
    const alice = o.network(ALICE_NODE);
    await alice.send(BOB_NODE, request('thrower1', { method: 'MESSAGE', body: 'boom' }));
    // A response for one of bob's own MESSAGEs goes through the socket's deferred hand-over.
    await alice.send(BOB_NODE, response('thrower2', 'SIP/2.0 200 OK', 'MESSAGE'));
    await settle();
    // Both reach the UA; in which order depends on how many steps the caller check takes.
    expect([...got].sort()).toEqual(['MESSAGE ', 'SIP/2.0 ']);
    expect(logs.filter((l) => l.includes('a bug in the UA'))).toHaveLength(2);
    socket.disconnect();
  });
});
