/**
 * The callee's registration is looked up when the person dials, not when
 * JsSIP hands the INVITE over after opening the camera and gathering ICE
 * (the calls benchmark's dial → media, issue 17): the socket's `prefetch`
 * starts the lookup and the INVITE uses it, once, while it is fresh.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, settle } from '../common/testing';
import { OverlaySocket, PREFETCH_MS } from './overlay-socket';
import { MemorySipOverlay } from './testing';
import { ALICE_NODE, BOB_NODE, DOMAIN, invite } from './testing/torture-messages';
import type { LookupResult, SipLocation } from './types';

/** Alice's socket over a location whose lookups count and wait until released; bob's node records what reaches it. */
function setUp(found: LookupResult = { kind: 'found', nodes: [BOB_NODE] }) {
  const overlay = new MemorySipOverlay();
  const clock = new ManualClock();
  const lookups: string[] = [];
  const waiting: (() => void)[] = [];
  const location: SipLocation = {
    lookup: (name) => {
      lookups.push(name);
      return new Promise((resolve) => waiting.push(() => resolve(found)));
    },
    register: async () => undefined,
  };
  const socket = new OverlaySocket({ network: overlay.network(ALICE_NODE), location, domain: DOMAIN, user: 'alice', policy: async () => ({ allow: true, reason: '' }), clock });
  socket.connect();
  const atBob: string[] = [];
  overlay.network(BOB_NODE).onReceive((_from, text) => atBob.push(text));
  const release = (): void => waiting.splice(0).forEach((go) => go());
  return { socket, clock, lookups, release, atBob };
}

/** Lets the event loop turn until `cond` holds (no clock moves; a state that never comes fails at the runner's timeout). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await settle(1);
}

describe('the callee is looked up when the person dials', () => {
  it('a lookup started by prefetch serves the INVITE: the location is read once, before the INVITE exists', async () => {
    const { socket, lookups, release, atBob } = setUp();
    socket.prefetch('bob');
    expect(lookups).toEqual(['bob']);
    expect(socket.send(invite('pf1'))).toBe(true);
    release();
    await until(() => atBob.length > 0);
    expect(atBob[0]).toMatch(/^INVITE sip:bob@p2p\.local /);
    expect(lookups).toEqual(['bob']);
  });

  it('serves one request only, and not once PREFETCH_MS have passed', async () => {
    const { socket, clock, lookups, release, atBob } = setUp();
    socket.prefetch('bob');
    clock.advance(PREFETCH_MS);
    socket.send(invite('pf2'));
    release();
    await until(() => lookups.length === 2);
    release();
    await until(() => atBob.length === 1);
    socket.send(invite('pf3'));
    await until(() => lookups.length === 3);
    release();
    await until(() => atBob.length === 2);
  });

  it('a prefetch that found nobody is not trusted: the INVITE looks up again', async () => {
    const { socket, lookups, release } = setUp({ kind: 'unknown' });
    socket.prefetch('bob');
    release();
    socket.send(invite('pf4'));
    await until(() => lookups.length === 2);
    expect(lookups).toEqual(['bob', 'bob']);
  });
});
