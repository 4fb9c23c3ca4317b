/**
 * Every way a link ends or a dial fails arrives as a code (errors.ts) where
 * it is decided: a refusal on both sides, a replaced duplicate (not a
 * refusal, not a lost link), an eviction, a far side's code the receiver
 * does not know, and each dial failure. The words stay what they were.
 */
import { describe, expect, it } from 'vitest';
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki } from '../identity';
import { memoryChannelPair } from './channel';
import { MemoryNetwork } from './dialer';
import { DialError, LinkClosedError, linkEndCodeFrom, type LinkEnd, type LinkFailure } from './errors';
import { decodeFrame, encodeFrame } from './frames';
import { Link, type LinkDecision, type LinkPolicy, type LocalEndpoint } from './link';
import { LinkManager } from './link-manager';
import { LinkTransport } from './link-transport';
import { ManualClock, settle } from '../common/testing';

const allow: LinkPolicy = async (): Promise<LinkDecision> => ({ allow: true, reason: 'test' });
const deny: LinkPolicy = async (): Promise<LinkDecision> => ({ allow: false, reason: 'bob said no' });

async function endpoint(): Promise<LocalEndpoint> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  return { overlay: 'p2p.local', nodeId: await nodeIdFromSpki(spki), spki, privateKey: keys.privateKey };
}

/** A link manager that records every link end and dial failure it reports, with their codes. */
async function node(net: MemoryNetwork, clock: ManualClock, opts: { policy?: LinkPolicy; maxLinks?: number } = {}) {
  const local = await endpoint();
  const start = (): LinkManager => {
    const mgr = new LinkManager({ dialer: net.dialer(local.nodeId), local, policy: opts.policy ?? allow, clock, ...(opts.maxLinks ? { maxLinks: opts.maxLinks } : {}) });
    mgr.onLinkUp((info) => ups.push(info.nodeId));
    mgr.onLinkDown((id, words, end) => downs.push({ id, words, end }));
    mgr.onDialFailed((id, words, failure) => failures.push({ id, words, failure }));
    return mgr;
  };
  const ups: string[] = [];
  const downs: { id: string; words: string; end: LinkEnd }[] = [];
  const failures: { id: string; words: string; failure: LinkFailure }[] = [];
  return { mgr: start(), nodeId: local.nodeId, ups, downs, failures, restart: start };
}

/** What `p` rejected with. */
async function rejection(p: Promise<unknown>): Promise<DialError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DialError);
  return e as DialError;
}

describe('a refused link', () => {
  it('ends "refused" on both sides: the refusing side decided it, the asking side heard it in the goodbye', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    const clock = new ManualClock(0);
    const [ca, cb] = memoryChannelPair(a.nodeId, b.nodeId);
    const la = new Link({ channel: ca, local: a, direction: 'outbound', policy: allow, clock, expectedPeerId: b.nodeId });
    const lb = new Link({ channel: cb, local: b, direction: 'inbound', policy: deny, clock });
    const ends: Record<string, LinkEnd> = {};
    la.onClose((_words, end) => (ends['a'] = end));
    lb.onClose((_words, end) => (ends['b'] = end));
    la.start();
    lb.start();
    await settle(10);
    expect(ends['b']).toEqual({ code: 'refused', words: 'not allowed: bob said no', fromPeer: false });
    // The asking side hears only that it was refused, not the other side's reasons.
    expect(ends['a']).toEqual({ code: 'refused', words: 'the peer closed the link: not allowed', fromPeer: true });
    expect(la.closeEnd).toEqual(ends['a']);
    // A send on it afterwards says how it ended, code and all.
    let thrown: unknown = null;
    try {
      la.send(new Uint8Array(1));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LinkClosedError);
    expect((thrown as LinkClosedError).end).toEqual(ends['a']);
  });

  it('rejects the dial with a DialError coded "refused", and both link managers report the failure as "refused"', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b] = await Promise.all([node(net, clock), node(net, clock, { policy: deny })]);
    const e = await rejection(a.mgr.connect(b.nodeId));
    expect([e.code, e.fromPeer, e.message]).toEqual(['refused', true, 'the peer closed the link: not allowed']);
    await settle(10);
    expect(a.failures.map((f) => [f.id, f.failure.code, f.failure.fromPeer])).toEqual([[b.nodeId, 'refused', true]]);
    expect(b.failures.map((f) => [f.id, f.failure.code, f.failure.fromPeer, f.words])).toEqual([[a.nodeId, 'refused', false, 'not allowed: bob said no']]);
    // A refusal is counted for the Network page, on the side that refused and on the side refused.
    expect([...b.mgr.refusals.keys()]).toEqual(['not allowed: bob said no']);
    expect([...a.mgr.refusals.keys()]).toEqual(['the peer closed the link: not allowed']);
  });
});

describe('a replaced duplicate link', () => {
  it('is closed "replaced" and is neither reported down, nor re-dialed, nor counted as a refusal on the side that replaced it', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b] = await Promise.all([node(net, clock), node(net, clock)]);
    a.mgr.want(b.nodeId);
    await clock.advanceAsync(100, 10);
    expect(a.mgr.isLinked(b.nodeId)).toBe(true);
    // b restarts with the same ID and dials a while a still holds the old link.
    const old = { downs: b.downs.length };
    const b2 = b.restart();
    await b2.connect(a.nodeId);
    await clock.advanceAsync(30_000, 500);
    // The old b heard why its link ended.
    expect(b.downs.slice(old.downs).map((d) => [d.end.code, d.end.fromPeer, d.words])).toEqual([['replaced', true, 'the peer closed the link: replaced by a newer link']]);
    // a kept the new link, reported nothing down, made no other link, and counted no refusal.
    expect(a.mgr.isLinked(b.nodeId)).toBe(true);
    expect(a.downs).toEqual([]);
    expect(a.ups).toEqual([b.nodeId]);
    expect(a.failures).toEqual([]);
    expect(a.mgr.refusals.size).toBe(0);
  });
});

describe('ordinary endings', () => {
  it('a link closed by the person, or by a leaving peer, is not a refusal on either side', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b, c] = await Promise.all([node(net, clock), node(net, clock), node(net, clock)]);
    await a.mgr.connect(b.nodeId);
    await a.mgr.connect(c.nodeId);
    a.mgr.disconnect(b.nodeId, 'closed-by-you');
    c.mgr.close('this tab is closing');
    await settle(10);
    expect(a.downs.map((d) => [d.id, d.end.code, d.end.fromPeer, d.words])).toEqual([
      [b.nodeId, 'closed-by-you', false, 'closed by you'],
      [c.nodeId, 'leaving', true, 'the peer closed the link: this tab is closing'],
    ]);
    expect(b.downs.map((d) => [d.end.code, d.end.fromPeer])).toEqual([['closed-by-you', true]]);
    expect([a.mgr.refusals.size, b.mgr.refusals.size, c.mgr.refusals.size]).toEqual([0, 0, 0]);
  });

  it('a revoked link ends "revoked" on both sides, with the gate’s words', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b] = await Promise.all([node(net, clock), node(net, clock)]);
    await a.mgr.connect(b.nodeId);
    a.mgr.disconnect(b.nodeId, 'revoked', 'you revoked the rule for this peer');
    await settle(10);
    expect(a.downs.map((d) => [d.end.code, d.words])).toEqual([['revoked', 'you revoked the rule for this peer']]);
    expect(b.downs.map((d) => [d.end.code, d.end.fromPeer, d.words])).toEqual([['revoked', true, 'the peer closed the link: you revoked the rule for this peer']]);
  });
});

describe('an eviction to make room', () => {
  it('this side’s eviction is not a lost peer to the overlay; the far side’s eviction of us is', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b] = await Promise.all([node(net, clock), node(net, clock)]);
    const ta = new LinkTransport(a.mgr);
    const tb = new LinkTransport(b.mgr);
    const lost = { a: [] as string[], b: [] as string[] };
    ta.onLinkDown((id) => lost.a.push(id));
    tb.onLinkDown((id) => lost.b.push(id));
    await a.mgr.connect(b.nodeId);
    a.mgr.disconnect(b.nodeId, 'making-room', 'making room for a link the overlay needs');
    await settle(10);
    expect(a.downs.map((d) => [d.end.code, d.end.fromPeer])).toEqual([['making-room', false]]);
    expect(b.downs.map((d) => [d.end.code, d.end.fromPeer])).toEqual([['making-room', true]]);
    expect(lost).toEqual({ a: [], b: [a.nodeId] });
  });
});

describe('a far side’s goodbye code', () => {
  /** A link whose far end is driven by hand. */
  async function linkHearing(bye: Uint8Array): Promise<Link> {
    const [local, far] = await Promise.all([endpoint(), endpoint()]);
    const [mine, theirs] = memoryChannelPair(far.nodeId, local.nodeId);
    const link = new Link({ channel: theirs, local, direction: 'inbound', policy: allow, clock: new ManualClock(0) });
    link.start();
    mine.send(bye);
    await settle(10);
    return link;
  }

  it('a known code is kept; an unknown one, or none (an older peer), becomes "unknown"; the words pass either way', async () => {
    expect((await linkHearing(encodeFrame({ t: 'bye', reason: 'going', code: 'leaving' }))).closeEnd).toEqual({ code: 'leaving', words: 'the peer closed the link: going', fromPeer: true });
    expect((await linkHearing(encodeFrame({ t: 'bye', reason: 'boom', code: 'self-destruct' }))).closeEnd).toEqual({ code: 'unknown', words: 'the peer closed the link: boom', fromPeer: true });
    expect((await linkHearing(encodeFrame({ t: 'bye', reason: 'old peer' }))).closeEnd).toEqual({ code: 'unknown', words: 'the peer closed the link: old peer', fromPeer: true });
    // Not a code of ours, though a property every object has: still unknown.
    expect(linkEndCodeFrom('toString')).toBe('unknown');
    expect(linkEndCodeFrom(42)).toBe('unknown');
  });

  it('a code over its length limit makes the goodbye a malformed frame, and the link closes on a protocol error', async () => {
    const long = encodeFrame({ t: 'bye', reason: 'x', code: 'c'.repeat(33) });
    expect(decodeFrame(long)).toEqual({ error: 'unknown or malformed frame' });
    expect(decodeFrame(encodeFrame({ t: 'bye', reason: 'x', code: 'c'.repeat(32) }))).toEqual({ t: 'bye', reason: 'x', code: 'c'.repeat(32) });
    const link = await linkHearing(long);
    expect(link.closeEnd?.code).toBe('protocol-error');
    expect(link.closeEnd?.fromPeer).toBe(false);
  });
});

describe('dial failures', () => {
  it('each carries its code next to its words', async () => {
    const net = new MemoryNetwork();
    const clock = new ManualClock(0);
    const [a, b, c] = await Promise.all([node(net, clock, { maxLinks: 1 }), node(net, clock), node(net, clock)]);
    const codeOf = async (p: Promise<unknown>) => {
      const e = await rejection(p);
      return [e.code, e.message];
    };
    expect(await codeOf(a.mgr.connect('0'.repeat(40)))).toEqual(['not-online', 'the peer is not online']);
    expect(await codeOf(a.mgr.connect(a.nodeId))).toEqual(['self', 'a node does not link to itself']);
    net.blocked.add(`${a.nodeId}>${b.nodeId}`);
    expect(await codeOf(a.mgr.connect(b.nodeId))).toEqual(['no-answer', 'the peer did not answer in time']);
    net.blocked.clear();
    await a.mgr.connect(b.nodeId);
    expect(await codeOf(a.mgr.connect(c.nodeId))).toEqual(['link-cap', 'this tab already has 1 links']);
    a.mgr.close();
    expect(await codeOf(a.mgr.connect(c.nodeId))).toEqual(['manager-closed', 'the link manager is closed']);
    // onDialFailed heard the dials that got as far as the dial (not the ones refused before it).
    expect(a.failures.map((f) => f.failure.code)).toEqual(['not-online', 'no-answer', 'link-cap']);
  });

  it('a link that does not answer its keep-alives ends "keepalive"', async () => {
    const [a, b] = await Promise.all([endpoint(), endpoint()]);
    const clock = new ManualClock(0);
    const [ca, cb] = memoryChannelPair(a.nodeId, b.nodeId);
    const la = new Link({ channel: ca, local: a, direction: 'outbound', policy: allow, clock, expectedPeerId: b.nodeId });
    const lb = new Link({ channel: cb, local: b, direction: 'inbound', policy: allow, clock });
    la.start();
    lb.start();
    await settle(10);
    expect(la.isReady).toBe(true);
    ca.peer = null;
    cb.peer = null;
    for (let i = 0; i < 200 && !la.isClosed; i++) await clock.advanceAsync(100);
    expect(la.closeEnd).toEqual({ code: 'keepalive', words: 'no answer to 3 keep-alives', fromPeer: false });
  });
});
