import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki, signBytes } from '../identity';
import { memoryChannelPair, type MemoryChannel } from './channel';
import { encodeFrame, isFrame, proofPayload, userBindingPayload, type HelloFrame } from './frames';
import { Link, type LinkDecision, type LinkPeer, type LocalEndpoint } from './link';
import { MAX_MESSAGE_BYTES, RESUME_CHECK_MS } from './limits';
import { ManualClock, settle } from '../common/testing';

async function endpoint(overlay = 'p2p.local', withUser = false): Promise<LocalEndpoint> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  const ep: LocalEndpoint = { overlay, nodeId, spki, privateKey: keys.privateKey };
  if (withUser) {
    const user = await generateSigningKeyPair();
    ep.user = {
      signingSpki: await exportSpki(user.publicKey),
      binding: await signBytes(user.privateKey, userBindingPayload(overlay, nodeId)),
      name: 'alice',
    };
  }
  return ep;
}

const allow = async (): Promise<LinkDecision> => ({ allow: true, reason: 'test' });

interface Side {
  link: Link;
  channel: MemoryChannel;
  ready: LinkPeer[];
  messages: Uint8Array[];
  closed: string[];
}

function side(link: Link, channel: MemoryChannel): Side {
  const s: Side = { link, channel, ready: [], messages: [], closed: [] };
  link.onReady((p) => s.ready.push(p));
  link.onMessage((m) => s.messages.push(m));
  link.onClose((r) => s.closed.push(r));
  return s;
}

async function pair(
  a: LocalEndpoint,
  b: LocalEndpoint,
  opts: { policyA?: typeof allow; policyB?: typeof allow; clock?: ManualClock; remoteIdForB?: string } = {},
): Promise<[Side, Side, ManualClock]> {
  const clock = opts.clock ?? new ManualClock(0);
  const [ca, cb] = memoryChannelPair(opts.remoteIdForB ?? a.nodeId, b.nodeId);
  const la = new Link({ channel: ca, local: a, direction: 'outbound', policy: opts.policyA ?? allow, clock, expectedPeerId: b.nodeId });
  const lb = new Link({ channel: cb, local: b, direction: 'inbound', policy: opts.policyB ?? allow, clock });
  const sa = side(la, ca);
  const sb = side(lb, cb);
  la.start();
  lb.start();
  await settle(10);
  return [sa, sb, clock];
}

describe('link handshake', () => {
  it('proves both node keys, presents bound user identities, then carries messages of any size', async () => {
    const [a, b] = await Promise.all([endpoint('p2p.local', true), endpoint()]);
    const [sa, sb] = await pair(a, b);
    expect(sa.ready.map((p) => p.nodeId)).toEqual([b.nodeId]);
    expect(sb.ready.map((p) => p.nodeId)).toEqual([a.nodeId]);
    expect(sb.ready[0]!.user?.name).toBe('alice');
    expect(sa.ready[0]!.user).toBeUndefined();

    const big = new Uint8Array(MAX_MESSAGE_BYTES);
    for (let i = 0; i < big.length; i++) big[i] = i * 7;
    sa.link.send(new Uint8Array([1, 2, 3]));
    sa.link.send(new Uint8Array(0));
    sa.link.send(big);
    sb.link.send(new Uint8Array([9]));
    await settle(10);
    expect(sb.messages.map((m) => m.length)).toEqual([3, 0, MAX_MESSAGE_BYTES]);
    expect(sb.messages[2]).toEqual(big);
    expect(sa.messages).toEqual([new Uint8Array([9])]);
    expect(() => sa.link.send(new Uint8Array(MAX_MESSAGE_BYTES + 1))).toThrow(/limit/);
  });

  it('passes a service peer’s role to the far side, and refuses a hello with an unknown role', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    const [sa, sb] = await pair({ ...a, role: 'service' }, b);
    expect(sb.ready[0]!.role).toBe('service');
    expect(sa.ready[0]!.role).toBeUndefined();
    const bogus = { t: 'hello', protocol: 'p2p-link/1', overlay: 'p2p.local', nodeId: a.nodeId, spki: a.spki, nonce: new Uint8Array(32), role: 'admin' };
    expect(isFrame(bogus)).toBe(false);
    expect(isFrame({ ...bogus, role: 'service' })).toBe(true);
  });

  it('refuses peers of another overlay', async () => {
    const [a, b] = await Promise.all([endpoint('p2p.local'), endpoint('other.net')]);
    const [sa, sb] = await pair(a, b);
    expect(sa.ready).toEqual([]);
    expect(sb.ready).toEqual([]);
    expect(sa.closed.join()).toMatch(/overlay "other.net"/);
    expect(sb.closed.join()).toMatch(/overlay/);
  });

  it('refuses a node whose signaling ID differs from the ID it presents', async () => {
    const [a, b, c] = await Promise.all([endpoint(), endpoint(), endpoint()]);
    const [, sb] = await pair(a, b, { remoteIdForB: c.nodeId });
    expect(sb.ready).toEqual([]);
    expect(sb.closed.join()).toMatch(/differs/);
  });

  it('tells the asking side when the permission gate says no, and passes no data', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    const deny = async (): Promise<LinkDecision> => ({ allow: false, reason: 'bob said no' });
    const [sa, sb] = await pair(a, b, { policyB: deny });
    expect(sb.closed).toEqual(['not allowed: bob said no']);
    expect(sa.closed).toEqual(['the peer closed the link: not allowed']);
    expect(sa.ready).toEqual([]);
    expect(() => sa.link.send(new Uint8Array(1))).toThrow();
    expect(sb.messages).toEqual([]);
  });

  it('gives up when the permission decision never comes', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    const never = (): Promise<LinkDecision> => new Promise(() => undefined);
    const [sa, sb, clock] = await pair(a, b, { policyB: never });
    await clock.advanceAsync(46_000, 1000);
    expect(sb.closed.join()).toMatch(/no permission decision/);
    expect(sa.closed.length).toBe(1);
  });
});

describe('link keep-alive', () => {
  it('keeps an idle link up, and closes it within four keep-alive periods once the far side goes silent', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    const [sa, sb, clock] = await pair(a, b);
    await clock.advanceAsync(60_000, 500);
    expect(sa.link.isReady && sb.link.isReady).toBe(true);
    expect(sa.link.rttMs).not.toBeNull();
    // b's tab freezes: nothing it would send arrives, nothing reaches it.
    sb.channel.peer = null;
    sa.channel.peer = null;
    const start = clock.now();
    while (!sa.link.isClosed && clock.now() - start < 20_000) await clock.advanceAsync(100);
    expect(sa.closed).toEqual(['no answer to 3 keep-alives']);
    expect(clock.now() - start).toBeLessThanOrEqual(8_000);
  });
});

describe('a tab that hung (its timers ran nothing for a minute)', () => {
  /** Two linked sides with clocks of their own, so one side can stall while the other runs. */
  async function stalled(farSideClosedIt: boolean) {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    const [clockA, clockB] = [new ManualClock(0), new ManualClock(0)];
    const [ca, cb] = memoryChannelPair(a.nodeId, b.nodeId);
    const sa = side(new Link({ channel: ca, local: a, direction: 'outbound', policy: allow, clock: clockA, expectedPeerId: b.nodeId }), ca);
    const sb = side(new Link({ channel: cb, local: b, direction: 'inbound', policy: allow, clock: clockB }), cb);
    sa.link.start();
    sb.link.start();
    await settle(10);
    for (let i = 0; i < 20; i++) {
      clockA.advance(500);
      clockB.advance(500);
      await settle();
    }
    expect(sa.link.isReady && sb.link.isReady).toBe(true);
    // a's renderer stops for 60 s. Meanwhile b, unanswered, may have given up on the link.
    if (farSideClosedIt) {
      sa.channel.peer = null;
      sb.channel.peer = null;
    }
    clockA.stall(60_000);
    // a runs again: its overdue keep-alive timer fires first.
    const resumedAt = clockA.now();
    while (!sa.link.isClosed && clockA.now() - resumedAt < 20_000) {
      clockA.advance(100);
      await settle();
    }
    return { sa, sb, after: clockA.now() - resumedAt };
  }

  it('closes a link the far side gave up on within RESUME_CHECK_MS of running again, not three keep-alive rounds later', async () => {
    const { sa, after } = await stalled(true);
    expect(sa.closed).toEqual(['no answer to 3 keep-alives']);
    expect(after).toBeLessThanOrEqual(RESUME_CHECK_MS + 100);
  });

  it('keeps a link whose far side answers the ping sent on resuming', async () => {
    const { sa, sb, after } = await stalled(false);
    expect([sa.closed, sb.closed]).toEqual([[], []]);
    expect(sa.link.isReady).toBe(true);
    expect(after).toBeGreaterThanOrEqual(20_000);
  });
});

describe('link bad input', () => {
  /** A hand-driven far end that says what we tell it to. */
  async function rawPeer(local: LocalEndpoint, claimedId?: string) {
    const clock = new ManualClock(0);
    const evil = await endpoint();
    const [mine, theirs] = memoryChannelPair(claimedId ?? evil.nodeId, local.nodeId);
    const s = side(new Link({ channel: theirs, local, direction: 'inbound', policy: allow, clock }), theirs);
    const heard: Uint8Array[] = [];
    mine.onData((b) => heard.push(b));
    s.link.start();
    return { s, mine, evil, heard, clock };
  }

  it('refuses a hello whose key does not give its node ID', async () => {
    const victim = await endpoint();
    const local = await endpoint();
    const { s, mine, evil } = await rawPeer(local, victim.nodeId);
    const hello: HelloFrame = { t: 'hello', protocol: 'p2p-link/1', overlay: 'p2p.local', nodeId: victim.nodeId, spki: evil.spki, nonce: new Uint8Array(32) };
    mine.send(encodeFrame(hello));
    await settle(10);
    expect(s.closed.join()).toMatch(/does not come from its key/);
  });

  it('refuses a peer that claims another node’s ID and key but cannot sign for it', async () => {
    const victim = await endpoint();
    const local = await endpoint();
    const { s, mine, evil } = await rawPeer(local, victim.nodeId);
    const nonce = new Uint8Array(32).fill(7);
    mine.send(encodeFrame({ t: 'hello', protocol: 'p2p-link/1', overlay: 'p2p.local', nodeId: victim.nodeId, spki: victim.spki, nonce }));
    await settle(10);
    // It signs the right statement with its own key: the proof fails.
    const signature = await signBytes(evil.privateKey, proofPayload('p2p.local', victim.nodeId, local.nodeId, nonce, new Uint8Array(32)));
    mine.send(encodeFrame({ t: 'proof', signature }));
    await settle(10);
    expect(s.ready).toEqual([]);
    expect(s.closed.join()).toMatch(/could not prove/);
  });

  it('refuses a user identity that does not vouch for the node', async () => {
    const [a, b] = await Promise.all([endpoint('p2p.local', true), endpoint()]);
    const other = await endpoint();
    a.user!.binding = await signBytes(other.privateKey, userBindingPayload('p2p.local', a.nodeId));
    const [, sb] = await pair(a, b);
    expect(sb.ready).toEqual([]);
    expect(sb.closed.join()).toMatch(/does not vouch/);
  });

  it('refuses data before the handshake, and frames out of turn', async () => {
    const local = await endpoint();
    const r1 = await rawPeer(local);
    r1.mine.send(encodeFrame({ t: 'chunk', data: new Uint8Array(3), more: false }));
    await settle(10);
    expect(r1.s.closed.join()).toMatch(/before the handshake/);
    expect(r1.s.messages).toEqual([]);
    const r2 = await rawPeer(local);
    r2.mine.send(encodeFrame({ t: 'proof', signature: new Uint8Array(64) }));
    await settle(10);
    expect(r2.s.closed.join()).toMatch(/out of turn/);
  });

  it('closes on random bytes and random frames without throwing, and never delivers them', async () => {
    const local = await endpoint();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.anything().map((v) => {
            try {
              return encodeFrame(v as never);
            } catch {
              return new Uint8Array([0xff]);
            }
          }),
        ),
        async (bytes) => {
          const { s, mine } = await rawPeer(local);
          mine.send(bytes);
          await settle(3);
          expect(s.messages).toEqual([]);
          expect(s.ready).toEqual([]);
        },
      ),
      { seed: 11, numRuns: 150 },
    );
  });

  it('closes a link whose peer streams a message past the size limit', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    const [sa, sb] = await pair(a, b);
    const chunk = encodeFrame({ t: 'chunk', data: new Uint8Array(16 * 1024), more: true });
    for (let i = 0; i <= MAX_MESSAGE_BYTES / (16 * 1024); i++) sa.channel.send(chunk);
    await settle(10);
    expect(sb.closed.join()).toMatch(/over the .*limit/);
    expect(sb.messages).toEqual([]);
  });
});
