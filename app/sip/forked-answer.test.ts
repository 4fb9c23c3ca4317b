/**
 * A late answer from another of the callee's tabs (RFC 3261 §13.2.2.4,
 * §16.7): bob rings in two tabs, tab 1 answers, and tab 2 answers while the
 * CANCEL to it is still on its way. Real JsSIP UAs inside real Phones, with
 * real WebRTC (libwebrtc from @roamhq/wrtc), on the in-memory overlay, which
 * can hold a message in flight.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import JsSIP from 'jssip';
import { MemoryKeyValueStore } from '../identity';
import { Phone, type CallView } from './phone';
import { MemorySipOverlay } from './testing/memory-sip';
import { installNodeWebRtc } from './testing/node-webrtc';

JsSIP.debug.disable();
beforeAll(() => installNodeWebRtc());

const phones: Phone[] = [];
afterEach(() => phones.splice(0).forEach((p) => p.stop()));

const id = (n: number) => n.toString(16).padStart(40, '0');
const [ALICE, BOB1, BOB2] = [id(1), id(2), id(3)];

async function phone(o: MemorySipOverlay, name: string, node: string): Promise<Phone> {
  const p = new Phone({ network: o.network(node), location: o.location(node), policy: async () => ({ allow: true, reason: '' }), domain: 'p2p.local', name, history: new MemoryKeyValueStore() });
  phones.push(p);
  await p.start();
  return p;
}

/** Waits for a state, not for a time: `what` names it when it never comes. */
async function until<T>(what: string, get: () => T | null | undefined | false, timeoutMs = 40_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const callOf = (p: Phone): CallView | undefined => p.getSnapshot().calls.at(-1);
const inState = (p: Phone, state: CallView['state']) => () => (callOf(p)?.state === state ? callOf(p) : undefined);
/** What crossed the overlay from one node to another, by the first line's method or status. */
const sent = (o: MemorySipOverlay, from: string, to: string, start: string) => o.wire.filter((w) => w.from === from && w.to === to && w.text.startsWith(start));

describe('a late answer from another of the callee’s tabs', () => {
  it('the caller acknowledges and hangs up the late 200 OK at once, the answered call goes on, and tab 2 says it was answered in another tab', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', ALICE);
    const bob1 = await phone(o, 'bob', BOB1);
    const bob2 = await phone(o, 'bob', BOB2);
    // The proxy's CANCEL to tab 2 is slow on its way.
    const cancel = o.hold((from, to, text) => from === ALICE && to === BOB2 && text.startsWith('CANCEL'));
    alice.call('bob', false);
    const [in1, in2] = await Promise.all([until('tab 1 to ring', inState(bob1, 'incoming')), until('tab 2 to ring', inState(bob2, 'incoming'))]);
    bob1.answer(in1.id, false);
    await until('alice to be in the call', inState(alice, 'active'));
    await until('the CANCEL to tab 2 to be on its way', () => cancel.count() === 1);
    bob2.answer(in2.id, false);
    const ended = await until('tab 2’s answered call to end', inState(bob2, 'ended'));
    expect(ended.outcome).toBe('answered in another tab');
    // At once: before the CANCEL even arrived.
    expect(cancel.count()).toBe(1);
    expect(sent(o, ALICE, BOB2, 'ACK ')).toHaveLength(1);
    expect(sent(o, ALICE, BOB2, 'BYE ')).toHaveLength(1);
    cancel.release();
    await until('tab 2 to answer the CANCEL', () => sent(o, BOB2, ALICE, 'SIP/2.0 200').some((w) => / CANCEL\r\n/.test(w.text)));
    // The call that was answered first is untouched.
    expect(callOf(alice)?.state).toBe('active');
    expect(callOf(bob1)?.state).toBe('active');
    expect(sent(o, ALICE, BOB1, 'BYE ')).toHaveLength(0);
    alice.hangUp(callOf(alice)!.id);
    expect((await until('tab 1’s call to end', inState(bob1, 'ended'))).outcome).toBe('alice hung up');
    expect(callOf(bob2)?.outcome).toBe('answered in another tab');
    expect(bob2.getSnapshot().recent[0]?.outcome).toBe('answered in another tab');
  }, 60_000);
});
