/**
 * Two nodes dialing each other at once ("glare"): the link the smaller node
 * ID dialed is kept on both sides, and both dials resolve with it. An
 * overlay-signaled dial takes an offer and an answer across the ring, so
 * which side's channel opens first varies from run to run; these tests open
 * them in each order by hand. Before the fix the larger ID's dial failed
 * ("the connection closed", its waiting message dropped) when its channel
 * opened first; when it opened last both links were made and one replaced
 * the other (a message in flight on the replaced one was dropped); when its
 * handshake was running it waited out the 10 s handshake timeout; and when
 * its channel closed before opening (the far side turned it down at once),
 * its dial failed although the far side's link was on its way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki } from '../identity';
import { systemClock } from '../common';
import { settle } from '../common/testing';
import { memoryChannelPair, type Channel } from './channel';
import type { Dialer } from './dialer';
import { DialError } from './errors';
import { LinkManager } from './link-manager';

/** A switchboard whose dials open only when the test says. */
class ManualSwitch {
  private readonly dials = new Map<string, { resolve: (c: Channel) => void; reject: (e: Error) => void }>();
  private readonly accept = new Map<string, (c: Channel) => void>();

  dialer(nodeId: string): Dialer {
    return {
      dial: (to) => new Promise<Channel>((resolve, reject) => this.dials.set(`${nodeId}>${to}`, { resolve, reject })),
      onIncoming: (fn) => this.accept.set(nodeId, fn),
      // A dial towards `nodeId` is being set up when the test has not opened or failed it yet.
      isDialedBy: (from) => this.dials.has(`${from}>${nodeId}`),
    };
  }

  /** Fails the dial from `from` to `to` as a channel that closed before it opened. */
  fail(from: string, to: string): void {
    this.take(from, to).reject(new DialError('connection-error', 'the connection closed while opening'));
  }

  private take(from: string, to: string): { resolve: (c: Channel) => void; reject: (e: Error) => void } {
    const d = this.dials.get(`${from}>${to}`);
    if (!d) throw new Error(`no dial ${from}>${to}`);
    this.dials.delete(`${from}>${to}`);
    return d;
  }

  /** Opens only the dialer's end of the dial from `from` to `to`; the far side never hears of it (its end closes with the dialer's). */
  openDialerEnd(from: string, to: string): void {
    this.take(from, to).resolve(memoryChannelPair(from, to)[0]);
  }

  /** Opens the dial from `from` to `to`: both ends get their channel in the same turn. */
  open(from: string, to: string): void {
    const [mine, theirs] = memoryChannelPair(from, to);
    this.take(from, to).resolve(mine);
    this.accept.get(to)!(theirs);
  }
}

async function manager(sw: ManualSwitch): Promise<LinkManager> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  return new LinkManager({
    dialer: sw.dialer(nodeId),
    local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey },
    policy: async () => ({ allow: true, reason: 'test' }),
    clock: systemClock,
  });
}

describe('two nodes dialing each other at once', () => {
  const open: LinkManager[] = [];
  afterEach(() => {
    for (const m of open.splice(0)) m.close();
  });

  /** Two managers, `small` with the smaller node ID, each dialing the other. */
  async function crossing() {
    const sw = new ManualSwitch();
    const [x, y] = await Promise.all([manager(sw), manager(sw)]);
    const [small, large] = x.localId < y.localId ? [x, y] : [y, x];
    open.push(small, large);
    const downs: string[] = [];
    const got: string[] = [];
    for (const m of [small, large]) {
      m.onLinkDown((_id, words) => downs.push(words));
      m.onMessage((_from, bytes) => got.push(`${m === small ? 'small' : 'large'}:${bytes[0]}`));
    }
    const dials = [small.connect(large.localId), large.connect(small.localId)].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    return { sw, small, large, downs, got, dials: Promise.all(dials) };
  }

  function expectOneLink(small: LinkManager, large: LinkManager): void {
    // The kept link is the one the smaller ID dialed, on both sides, and it was the only one made.
    expect(small.links().map((l) => [l.nodeId, l.direction])).toEqual([[large.localId, 'outbound']]);
    expect(large.links().map((l) => [l.nodeId, l.direction])).toEqual([[small.localId, 'inbound']]);
    expect(small.opened).toMatchObject({ server: 1, inbound: 0 });
    expect(large.opened).toMatchObject({ server: 0, inbound: 1 });
    expect([...small.refusals, ...large.refusals]).toEqual([]);
  }

  it('the larger ID’s channel opens first: it is turned down as crossed, and its dial resolves with the smaller ID’s link', async () => {
    const { sw, small, large, downs, got, dials } = await crossing();
    sw.open(large.localId, small.localId);
    await settle(5);
    sw.open(small.localId, large.localId);
    expect(await dials).toEqual(['ok', 'ok']);
    expectOneLink(small, large);
    expect(small.send(large.localId, new Uint8Array([1])) && large.send(small.localId, new Uint8Array([2]))).toBe(true);
    await settle(5);
    expect(got.sort()).toEqual(['large:1', 'small:2']);
    expect(downs).toEqual([]);
  });

  it('the larger ID’s channel opens last, after the smaller ID’s link is up: it is closed unused, nothing is replaced', async () => {
    const { sw, small, large, downs, dials } = await crossing();
    sw.open(small.localId, large.localId);
    await settle(10);
    expect(small.isLinked(large.localId) && large.isLinked(small.localId)).toBe(true);
    sw.open(large.localId, small.localId);
    expect(await dials).toEqual(['ok', 'ok']);
    await settle(10);
    expectOneLink(small, large);
    expect(downs).toEqual([]);
  });

  it('the larger ID’s own handshake is running when the smaller ID’s link comes in: its own link makes way, and its dial resolves at once', async () => {
    const { sw, small, large, downs, dials } = await crossing();
    // The larger ID's channel is open on its side only: its hello goes nowhere, its handshake waits.
    sw.openDialerEnd(large.localId, small.localId);
    await settle(5);
    sw.open(small.localId, large.localId);
    // Not after the 10 s handshake timeout of the link that waits.
    const outcome = await Promise.race([dials, settle(20).then(() => 'still dialing')]);
    expect(outcome).toEqual(['ok', 'ok']);
    expectOneLink(small, large);
    expect(downs).toEqual([]);
  });

  it('the larger ID’s channel fails before opening while the smaller ID’s offer is being answered: its dial waits for that link', async () => {
    const { sw, small, large, downs, dials } = await crossing();
    sw.fail(large.localId, small.localId);
    await settle(5);
    sw.open(small.localId, large.localId);
    expect(await dials).toEqual(['ok', 'ok']);
    expectOneLink(small, large);
    expect(downs).toEqual([]);
  });
});
