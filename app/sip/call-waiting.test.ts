/**
 * Call waiting and hold (issue 19): three real Phones (JsSIP UAs with real
 * WebRTC from wrtc) on the in-memory overlay. Bob is in a call with alice when
 * carol calls: carol's call rings as a waiting call; answering it holds alice's
 * call with a re-INVITE whose audio is a=sendonly (RFC 3264 §8.4), which alice
 * answers a=recvonly and shows as "held"; the held call's microphone is taken
 * off its sender; switching swaps which call is held; ending the active call
 * leaves the held one held until bob resumes it.
 */
import JsSIP from 'jssip';
import { parse } from 'sdp-transform';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserAgent, type CallView } from './user-agent';
import { MemorySipOverlay } from './testing/memory-sip';
import { pollUntil, startPhone } from './testing/phones';
import { installNodeWebRtc } from './testing/node-webrtc';

JsSIP.debug.disable();
beforeAll(() => installNodeWebRtc());

const phones: UserAgent[] = [];
afterEach(() => phones.splice(0).forEach((p) => p.stop()));

const ALICE = '1'.padStart(40, '0');
const BOB = '2'.padStart(40, '0');
const CAROL = '3'.padStart(40, '0');

async function phone(o: MemorySipOverlay, name: string, node: string): Promise<UserAgent> {
  const p = await startPhone(o, name, node);
  phones.push(p);
  return p;
}

/** Waits for a state, not for a time: `what` names it when it never comes. */
const until = <T,>(what: string, get: () => T | null | undefined | false, timeoutMs = 30_000): Promise<T> => pollUntil(what, get, timeoutMs);

const callWith = (p: UserAgent, peer: string): CallView | undefined => p.getSnapshot().calls.filter((c) => c.peer === peer).at(-1);
const inState = (p: UserAgent, peer: string, test: (c: CallView) => boolean) => () => {
  const c = callWith(p, peer);
  return c && test(c) ? c : undefined;
};

/** The audio directions of the re-INVITE offers `from` sent `to`, in order (the first INVITE's offer excluded). */
function reofferDirections(o: MemorySipOverlay, from: string, to: string): string[] {
  return o.wire
    .filter((m) => m.from === from && m.to === to && m.text.startsWith('INVITE ') && /\r\nTo: [^\r]*;tag=/.test(m.text))
    .map((m) => parse(m.text.slice(m.text.indexOf('\r\n\r\n') + 4)).media.find((x) => x.type === 'audio')?.direction ?? 'sendrecv');
}

/** The audio direction of the newest 200 OK to an INVITE that `from` sent `to`. */
function lastAnswerDirection(o: MemorySipOverlay, from: string, to: string): string | undefined {
  const ok = o.wire.filter((m) => m.from === from && m.to === to && m.text.startsWith('SIP/2.0 200') && /\r\nCSeq: \d+ INVITE\r\n/.test(m.text)).at(-1);
  return ok ? parse(ok.text.slice(ok.text.indexOf('\r\n\r\n') + 4)).media.find((x) => x.type === 'audio')?.direction : undefined;
}

/** Whether the call's peer connection has a microphone track on an audio sender: what "the microphone goes to this call" means. */
function sendsMicrophone(p: UserAgent, id: string): boolean {
  const pc = p.connection(id);
  return (pc?.getSenders() ?? []).some((s) => s.track?.kind === 'audio');
}

/** Bob in an answered call with alice, and carol's phone; carol is not calling yet. */
async function bobTalkingToAlice() {
  const o = new MemorySipOverlay();
  const alice = await phone(o, 'alice', ALICE);
  const bob = await phone(o, 'bob', BOB);
  const carol = await phone(o, 'carol', CAROL);
  alice.call('bob', false);
  const ring = await until('bob to ring for alice', inState(bob, 'alice', (c) => c.state === 'incoming'));
  expect(ring.waiting).toBe(false);
  bob.answer(ring.id, false);
  await until('alice’s call to be up', inState(alice, 'bob', (c) => c.state === 'active'));
  const withAlice = await until('bob’s call with alice to be up', inState(bob, 'alice', (c) => c.state === 'active'));
  return { o, alice, bob, carol, withAlice };
}

/** Carol calls bob during his call with alice; bob answers; alice's call is held. */
async function carolAnswered(t: Awaited<ReturnType<typeof bobTalkingToAlice>>) {
  const { o, alice, bob, carol, withAlice } = t;
  carol.call('bob', false);
  const waiting = await until('carol’s call to ring on bob’s phone', inState(bob, 'carol', (c) => c.state === 'incoming'));
  bob.answer(waiting.id, false);
  await until('bob’s call with carol to be up', inState(bob, 'carol', (c) => c.state === 'active'));
  await until('alice to see herself held', inState(alice, 'bob', (c) => c.heldByPeer));
  await until('alice’s answer to the hold', () => lastAnswerDirection(o, ALICE, BOB) === 'recvonly');
  return { withCarol: callWith(bob, 'carol')!, withAlice };
}

describe('call waiting and hold', () => {
  it('a call during a call is not refused: it rings as a waiting call, and carol hears it ring', async () => {
    const { bob, carol } = await bobTalkingToAlice();
    carol.call('bob', false);
    const waiting = await until('carol’s call to ring on bob’s phone', inState(bob, 'carol', (c) => c.state === 'incoming'));
    expect(waiting.waiting).toBe(true);
    await until('carol to hear it ring', inState(carol, 'bob', (c) => c.state === 'ringing'));
    // Alice's call goes on, untouched, while carol's rings.
    expect(callWith(bob, 'alice')).toMatchObject({ state: 'active', held: false, waiting: false });
  }, 60_000);

  it('answering the waiting call holds the first with a re-INVITE a=sendonly; alice answers recvonly and sees herself held; the microphone goes to carol only', async () => {
    const t = await bobTalkingToAlice();
    const { withCarol, withAlice } = await carolAnswered(t);
    expect(reofferDirections(t.o, BOB, ALICE)).toEqual(['sendonly']);
    expect(callWith(t.bob, 'alice')).toMatchObject({ state: 'active', held: true, heldByPeer: false });
    expect(callWith(t.alice, 'bob')).toMatchObject({ state: 'active', held: false, heldByPeer: true });
    expect(callWith(t.bob, 'carol')).toMatchObject({ state: 'active', held: false, waiting: false });
    expect([sendsMicrophone(t.bob, withAlice.id), sendsMicrophone(t.bob, withCarol.id)]).toEqual([false, true]);
  }, 60_000);

  it('switching back holds carol and resumes alice, and the microphone follows; switching again swaps back', async () => {
    const t = await bobTalkingToAlice();
    const { withCarol, withAlice } = await carolAnswered(t);
    await t.bob.resume(withAlice.id);
    await until('carol to see herself held', inState(t.carol, 'bob', (c) => c.heldByPeer));
    await until('alice to be off hold', inState(t.alice, 'bob', (c) => !c.heldByPeer));
    await until('alice’s answer to the resume', () => lastAnswerDirection(t.o, ALICE, BOB) === 'sendrecv');
    expect(reofferDirections(t.o, BOB, ALICE)).toEqual(['sendonly', 'sendrecv']);
    expect(reofferDirections(t.o, BOB, CAROL)).toEqual(['sendonly']);
    await until('carol’s answer to the hold', () => lastAnswerDirection(t.o, CAROL, BOB) === 'recvonly');
    expect([callWith(t.bob, 'alice')?.held, callWith(t.bob, 'carol')?.held]).toEqual([false, true]);
    expect([sendsMicrophone(t.bob, withAlice.id), sendsMicrophone(t.bob, withCarol.id)]).toEqual([true, false]);

    await t.bob.resume(withCarol.id);
    await until('alice held again', inState(t.alice, 'bob', (c) => c.heldByPeer));
    await until('carol off hold', inState(t.carol, 'bob', (c) => !c.heldByPeer));
    expect([callWith(t.bob, 'alice')?.held, callWith(t.bob, 'carol')?.held]).toEqual([true, false]);
    expect([sendsMicrophone(t.bob, withAlice.id), sendsMicrophone(t.bob, withCarol.id)]).toEqual([false, true]);
  }, 90_000);

  it('ending the active call leaves the held one held until bob resumes it', async () => {
    const t = await bobTalkingToAlice();
    const { withCarol, withAlice } = await carolAnswered(t);
    t.bob.hangUp(withCarol.id);
    await until('carol’s call to end', inState(t.carol, 'bob', (c) => c.state === 'ended'));
    await until('bob’s call with carol to end', inState(t.bob, 'carol', (c) => c.state === 'ended'));
    expect(callWith(t.bob, 'alice')).toMatchObject({ state: 'active', held: true });
    expect(callWith(t.alice, 'bob')).toMatchObject({ state: 'active', heldByPeer: true });
    expect(sendsMicrophone(t.bob, withAlice.id)).toBe(false);
    await t.bob.resume(withAlice.id);
    await until('alice off hold', inState(t.alice, 'bob', (c) => !c.heldByPeer));
    expect(callWith(t.bob, 'alice')).toMatchObject({ state: 'active', held: false });
    expect(sendsMicrophone(t.bob, withAlice.id)).toBe(true);
  }, 60_000);

  it('declining a waiting call answers 486 Busy Here: carol reads "bob is busy" and alice’s call goes on unheld', async () => {
    const t = await bobTalkingToAlice();
    t.carol.call('bob', false);
    const waiting = await until('carol’s call to ring on bob’s phone', inState(t.bob, 'carol', (c) => c.state === 'incoming'));
    t.bob.hangUp(waiting.id);
    expect(await until('carol’s call to end', inState(t.carol, 'bob', (c) => c.state === 'ended'))).toMatchObject({ outcome: 'bob is busy', outcomeCode: 'busy' });
    expect(callWith(t.bob, 'alice')).toMatchObject({ state: 'active', held: false });
    expect(reofferDirections(t.o, BOB, ALICE)).toEqual([]);
  }, 60_000);

  it('a hold with no other call: bob holds and resumes alice; the held side can hold too (both on hold is a=inactive)', async () => {
    const t = await bobTalkingToAlice();
    await t.bob.hold(t.withAlice.id);
    await until('alice held', inState(t.alice, 'bob', (c) => c.heldByPeer));
    const aliceCall = callWith(t.alice, 'bob')!;
    await t.alice.hold(aliceCall.id);
    await until('bob sees himself held', inState(t.bob, 'alice', (c) => c.heldByPeer));
    expect(reofferDirections(t.o, ALICE, BOB)).toEqual(['inactive']);
    await until('bob’s answer to alice’s hold', () => lastAnswerDirection(t.o, BOB, ALICE) === 'inactive');
    await t.bob.resume(t.withAlice.id);
    await until('alice off bob’s hold', inState(t.alice, 'bob', (c) => !c.heldByPeer));
    // Alice still holds: bob's resume is recvonly (RFC 3264 §8.4: the held side still receives nothing back).
    expect(reofferDirections(t.o, BOB, ALICE)).toEqual(['sendonly', 'recvonly']);
    expect(callWith(t.bob, 'alice')).toMatchObject({ held: false, heldByPeer: true });
  }, 60_000);
});
