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
import { UserAgent, type CallView } from './user-agent';
import { MAX_LATE_DIALOGS } from './fork-table';
import { makeResponse } from './responses';
import { nodeHost } from './sip-parse';
import { installNodeWebRtc, MemorySipOverlay, when } from './testing';

JsSIP.debug.disable();
beforeAll(() => installNodeWebRtc());

const phones: UserAgent[] = [];
const overlays = new Set<MemorySipOverlay>();
/** The state `until` waits for, named in the log when a test fails (at the runner's timeout) while waiting. */
let waitingFor: string | null = null;
afterEach((ctx) => {
  if (ctx.task.result?.state === 'fail' && waitingFor) console.error(`gave up waiting for ${waitingFor}`);
  waitingFor = null;
  phones.splice(0).forEach((p) => p.stop());
  overlays.clear();
});

const id = (n: number) => n.toString(16).padStart(40, '0');
const [ALICE, BOB1, BOB2] = [id(1), id(2), id(3)];

async function phone(o: MemorySipOverlay, name: string, node: string): Promise<UserAgent> {
  const p = new UserAgent({ network: o.network(node), location: o.location(node), policy: async () => ({ allow: true, reason: '' }), domain: 'p2p.local', name, history: new MemoryKeyValueStore() });
  phones.push(p);
  overlays.add(o);
  await p.start();
  return p;
}

/** Every change a test can wait for: any UserAgent's snapshot, any message delivered or held on the overlay. */
function anyChange(fn: () => void): () => void {
  const offs = [...phones.map((p) => p.subscribe(fn)), ...[...overlays].map((o) => o.changed.add(fn))];
  return () => offs.forEach((off) => off());
}

/** Waits for a state, not for a time, and returns what `get` found: `what` names it when it never comes. */
async function until<T>(what: string, get: () => T | null | undefined | false): Promise<T> {
  let found: T | null | undefined | false = null;
  waitingFor = what;
  await when(anyChange, () => Boolean((found = get())));
  waitingFor = null;
  return found as T;
}

const callOf = (p: UserAgent): CallView | undefined => p.getSnapshot().calls.at(-1);
const inState = (p: UserAgent, state: CallView['state']) => () => (callOf(p)?.state === state ? callOf(p) : undefined);
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

  it('when the caller cancels and both tabs answer before the CANCEL reaches them, both answered calls are hung up at once', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', ALICE);
    const bob1 = await phone(o, 'bob', BOB1);
    const bob2 = await phone(o, 'bob', BOB2);
    const cancels = o.hold((from, _to, text) => from === ALICE && text.startsWith('CANCEL'));
    alice.call('bob', false);
    const [in1, in2] = await Promise.all([until('tab 1 to ring', inState(bob1, 'incoming')), until('tab 2 to ring', inState(bob2, 'incoming'))]);
    const out = await until('alice to hear it ring', inState(alice, 'ringing'));
    alice.hangUp(out.id);
    await until('the CANCELs to be on their way', () => cancels.count() === 2);
    bob1.answer(in1.id, false);
    bob2.answer(in2.id, false);
    const [e1, e2] = await Promise.all([until('tab 1’s call to end', inState(bob1, 'ended')), until('tab 2’s call to end', inState(bob2, 'ended'))]);
    // The caller hung up; no tab of bob's won, so neither says "answered in another tab".
    expect([e1.outcome, e2.outcome]).toEqual(['alice hung up', 'alice hung up']);
    expect(callOf(alice)?.outcome).toBe('you cancelled the call');
    for (const tab of [BOB1, BOB2]) expect(sent(o, ALICE, tab, 'BYE ')).toHaveLength(1);
    // At once, before the CANCELs arrived; and no second CANCEL to a tab that already has one on its way.
    expect(cancels.count()).toBe(2);
    cancels.release();
  }, 60_000);

  it('a scripted second tab: every retransmission of its late 200 OK is acknowledged and it is hung up once; answers from strangers, without a To tag or naming another node get nothing they could use', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', ALICE);
    const bob1 = await phone(o, 'bob', BOB1);
    // Tab 2 is SIP text written by hand: it registers, rings and answers as the test says.
    o.registrations.get('bob')!.add(BOB2);
    const got: string[] = [];
    const tab2 = o.network(BOB2);
    tab2.onReceive((_from, text) => got.push(text));
    const [STRANGER, VICTIM] = [id(9), id(7)];
    const stranger = o.network(STRANGER);
    const strangerGot: string[] = [];
    stranger.onReceive((_from, text) => strangerGot.push(text));
    o.network(VICTIM).onReceive(() => undefined);
    const cancel = o.hold((from, to, text) => from === ALICE && to === BOB2 && text.startsWith('CANCEL'));
    alice.call('bob', false);
    const invite = await until('the INVITE at tab 2', () => got.find((t) => t.startsWith('INVITE ')));
    const contact = `Contact: <sip:bob@${nodeHost(BOB2)};transport=ws>`;
    const withTag = (res: string, tag: string) => res.replace(/^(To: .*;tag=)\w+/m, `$1${tag}`);
    await tab2.send(ALICE, withTag(makeResponse(invite, 180, [contact]), 't2'));
    const in1 = await until('tab 1 to ring', inState(bob1, 'incoming'));
    bob1.answer(in1.id, false);
    await until('alice to be in the call', inState(alice, 'active'));
    await until('the CANCEL to tab 2 to be on its way', () => cancel.count() === 1);

    const ok = withTag(makeResponse(invite, 200, [contact]), 't2');
    const requests = (start: string) => got.filter((t) => t.startsWith(start));
    await tab2.send(ALICE, ok);
    await until('the ACK and BYE at tab 2', () => requests('BYE ').length === 1 && requests('ACK ').length === 1);
    const [ack, bye] = [requests('ACK ')[0]!, requests('BYE ')[0]!];
    expect(ack.split('\r\n')[0]).toBe(`ACK sip:bob@${nodeHost(BOB2)};transport=ws SIP/2.0`);
    expect(bye).toMatch(/^To: .*;tag=t2$/m);
    expect(bye).toMatch(/^CSeq: (\d+) BYE$/m);
    expect(Number(/^CSeq: (\d+)/m.exec(bye)![1])).toBe(Number(/^CSeq: (\d+)/m.exec(invite)![1]) + 1);
    expect(bye).toMatch(/^Reason: SIP ;cause=200 ;text="Call completed elsewhere"$/m);
    expect(bye).toMatch(new RegExp(`^Via: SIP/2.0/WS ${nodeHost(ALICE)};branch=z9hG4bK`, 'm'));

    // The 200 OK again (tab 2 did not hear the ACK in time): another ACK, no second BYE.
    await tab2.send(ALICE, ok);
    await until('the second ACK', () => requests('ACK ').length === 2);
    // Another dialog from tab 2 without a Contact, then one whose Contact names another node: both end at tab 2 itself.
    await tab2.send(ALICE, withTag(makeResponse(invite, 200), 't3'));
    await tab2.send(ALICE, withTag(makeResponse(invite, 200, [`Contact: <sip:bob@${nodeHost(VICTIM)};transport=ws>`]), 't4'));
    await until('the BYEs for t3 and t4', () => requests('BYE ').length === 3);
    expect(requests('BYE ').slice(1).map((t) => t.split('\r\n')[0])).toEqual([1, 2].map(() => `BYE sip:bob@${nodeHost(BOB2)};transport=ws SIP/2.0`));
    // No To tag: no dialog to end, nothing sent. A stranger's copy of the 200 OK: dropped, nothing sent back.
    await tab2.send(ALICE, makeResponse(invite, 200, [contact]).replace(/^(To: [^\r\n]*?);tag=\w+/m, '$1'));
    await stranger.send(ALICE, withTag(ok, 't9'));
    await tab2.send(ALICE, 'SIP/2.0 200 OK\r\n\r\n');
    // A tab making up new To tags without end gets a bounded number of BYEs.
    for (let i = 0; i < MAX_LATE_DIALOGS + 10; i++) await tab2.send(ALICE, withTag(ok, `flood${i}`));
    cancel.release();
    await until('tab 2 to get the CANCEL', () => requests('CANCEL ').length === 1);
    expect(requests('ACK ')).toHaveLength(MAX_LATE_DIALOGS + 1);
    expect(requests('BYE ')).toHaveLength(MAX_LATE_DIALOGS);
    expect(requests('CANCEL ')[0]).toMatch(/^Reason: SIP ;cause=200/m);
    expect(strangerGot).toEqual([]);
    expect(o.wire.filter((w) => w.to === VICTIM)).toEqual([]);
    // Through all of it the call that was answered first went on.
    expect(callOf(alice)?.state).toBe('active');
    expect(callOf(bob1)?.state).toBe('active');
    expect(sent(o, ALICE, BOB1, 'BYE ')).toHaveLength(0);
  }, 60_000);

  it('a tab that was still ringing when another tab answered says so, rather than "missed call"', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', ALICE);
    const bob1 = await phone(o, 'bob', BOB1);
    const bob2 = await phone(o, 'bob', BOB2);
    alice.call('bob', false);
    const [in1] = await Promise.all([until('tab 1 to ring', inState(bob1, 'incoming')), until('tab 2 to ring', inState(bob2, 'incoming'))]);
    bob1.answer(in1.id, false);
    const ended = await until('tab 2 to stop ringing', inState(bob2, 'ended'));
    expect(ended.outcome).toBe('answered in another tab');
    expect(bob2.getSnapshot().recent[0]).toMatchObject({ outcome: 'answered in another tab', seconds: 0 });
    await until('alice to be in the call', inState(alice, 'active'));
    // The caller's own cancel is not "answered elsewhere".
    alice.hangUp(callOf(alice)!.id);
    await until('tab 1’s call to end', inState(bob1, 'ended'));
    alice.call('bob', false);
    await until('tab 2 to ring again', inState(bob2, 'incoming'));
    await until('alice to hear it ring', inState(alice, 'ringing'));
    alice.hangUp(callOf(alice)!.id);
    expect((await until('tab 2 to stop ringing', inState(bob2, 'ended'))).outcome).toBe('missed call from alice');
  }, 60_000);
});
