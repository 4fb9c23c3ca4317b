/**
 * A tab that stops running while a call rings (a hung renderer, a suspended
 * laptop) must not leave the other side ringing on: the OverlaySocket probes
 * the far node of every unanswered INVITE and ends the branch when the
 * overlay no longer delivers to it, on the caller's side (480 to the UA) and
 * on the callee's (the CANCEL the caller can no longer send).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, settle } from '../common/testing';
import { OverlaySocket } from './overlay-socket';
import { makeResponse } from './responses';
import { parseSip } from './sip-parse';
import { MemorySipOverlay } from './testing/memory-sip';
import { ALICE_NODE, BOB_NODE, DOMAIN, invite } from './testing/torture-messages';

const PROBE_MS = 20;
const allow = async () => ({ allow: true, reason: 'test' });

function socketOf(o: MemorySipOverlay, node: string, user: string, clock: ManualClock) {
  const toUa: string[] = [];
  const logs: string[] = [];
  const socket = new OverlaySocket({ network: o.network(node), location: o.location(node), domain: DOMAIN, user, policy: allow, log: (l) => logs.push(l), branchProbeMs: PROBE_MS, clock });
  socket.ondata = (text) => toUa.push(text);
  socket.connect();
  return { socket, toUa, logs };
}

const firstLines = (texts: string[]) => texts.map((t) => t.slice(0, t.indexOf('\r\n')));
/**
 * The probes run on a ManualClock: time moves in probe-sized steps, with the
 * in-memory overlay's deliveries (promise callbacks) let run between steps.
 * True once `cond` holds; false if it does not within `maxMs` of test time.
 */
async function until(clock: ManualClock, cond: () => boolean, maxMs = 100 * PROBE_MS): Promise<boolean> {
  for (let t = 0; ; t += PROBE_MS) {
    await settle();
    if (cond()) return true;
    if (t >= maxMs) return false;
    clock.advance(PROBE_MS);
  }
}

describe('a call ringing into a tab that stops answering', () => {
  it('the caller’s UA gets 480 once the callee’s node stops acknowledging, not a ringing call forever', async () => {
    const o = new MemorySipOverlay();
    const clock = new ManualClock(0);
    o.registrations.set('bob', new Set([BOB_NODE]));
    const alice = socketOf(o, ALICE_NODE, 'alice', clock);
    // bob's tab: rings for every INVITE.
    const bob = o.network(BOB_NODE);
    bob.onReceive((_from, text) => {
      if (text.startsWith('INVITE ')) void bob.send(ALICE_NODE, makeResponse(text, 180));
    });
    alice.socket.send(invite('hang1'));
    expect(await until(clock, () => firstLines(alice.toUa).some((l) => l.startsWith('SIP/2.0 180')))).toBe(true);
    // While bob's node answers the probes, the call keeps ringing.
    await clock.advanceAsync(PROBE_MS * 10, PROBE_MS);
    expect(firstLines(alice.toUa).filter((l) => !l.startsWith('SIP/2.0 1'))).toEqual([]);
    // bob's tab hangs: the overlay gets no acknowledgement from it any more.
    o.silent.add(BOB_NODE);
    expect(await until(clock, () => alice.toUa.some((t) => t.startsWith('SIP/2.0 480')))).toBe(true);
    const final = parseSip(alice.toUa.find((t) => t.startsWith('SIP/2.0 480'))!);
    expect('error' in final ? final.error : [final.callId, final.method]).toEqual(['hang1@torture', 'INVITE']);
    expect(alice.logs.some((l) => /stopped answering a call \(timeout\)/.test(l))).toBe(true);
    // A node that a relay knows has left ends the branch the same way.
    o.silent.delete(BOB_NODE);
    alice.socket.send(invite('hang2'));
    expect(await until(clock, () => alice.toUa.some((t) => t.includes('hang2') && t.startsWith('SIP/2.0 180')))).toBe(true);
    o.down.add(BOB_NODE);
    expect(await until(clock, () => alice.toUa.some((t) => t.includes('hang2') && t.startsWith('SIP/2.0 480')))).toBe(true);
    alice.socket.disconnect();
  });

  it('the callee’s UA stops ringing (gets a CANCEL) once the caller’s node stops acknowledging', async () => {
    const o = new MemorySipOverlay();
    const clock = new ManualClock(0);
    o.registrations.set('alice', new Set([ALICE_NODE]));
    const bob = socketOf(o, BOB_NODE, 'bob', clock);
    const alice = o.network(ALICE_NODE);
    alice.onReceive(() => undefined);
    const inv = invite('hang3');
    expect(await alice.send(BOB_NODE, inv)).toBe('sent');
    expect(await until(clock, () => firstLines(bob.toUa).some((l) => l.startsWith('INVITE ')))).toBe(true);
    // bob's UA rings…
    bob.socket.send(makeResponse(inv, 180));
    await clock.advanceAsync(PROBE_MS * 10, PROBE_MS);
    expect(firstLines(bob.toUa)).toEqual([`INVITE sip:bob@${DOMAIN} SIP/2.0`]);
    // …and alice's tab hangs.
    o.silent.add(ALICE_NODE);
    expect(await until(clock, () => bob.toUa.some((t) => t.startsWith('CANCEL ')))).toBe(true);
    const cancel = parseSip(bob.toUa.find((t) => t.startsWith('CANCEL '))!);
    const original = parseSip(inv);
    expect('error' in cancel || 'error' in original ? 'unparsable' : [cancel.callId, cancel.branch, cancel.cseq]).toEqual(
      'error' in original ? [] : [original.callId, original.branch, original.cseq],
    );
    bob.socket.disconnect();
  });

  it('an INVITE answered finally is not watched any more: a caller that goes away after the answer is left to the media checks', async () => {
    const o = new MemorySipOverlay();
    const clock = new ManualClock(0);
    o.registrations.set('alice', new Set([ALICE_NODE]));
    const bob = socketOf(o, BOB_NODE, 'bob', clock);
    const alice = o.network(ALICE_NODE);
    alice.onReceive(() => undefined);
    const inv = invite('hang4');
    await alice.send(BOB_NODE, inv);
    expect(await until(clock, () => bob.toUa.length > 0)).toBe(true);
    bob.socket.send(makeResponse(inv, 486));
    await clock.advanceAsync(PROBE_MS * 3, PROBE_MS);
    o.silent.add(ALICE_NODE);
    await clock.advanceAsync(PROBE_MS * 10, PROBE_MS);
    expect(firstLines(bob.toUa)).toEqual([`INVITE sip:bob@${DOMAIN} SIP/2.0`]);
    bob.socket.disconnect();
  });
});
