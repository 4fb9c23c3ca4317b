/**
 * A call's end reaches the UI as a code (CallView.outcomeCode), so the call
 * view decides whether to offer a video message on the code, never on the
 * words. The codes of 480, 486, 603 and a timeout, read alone and from real
 * JsSIP UAs in real Phones on the in-memory overlay.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import JsSIP from 'jssip';
import { callOutcomeCode, mayLeaveMessage, sipFailureCode, type CallEnding, type CallOutcomeCode } from './call-outcome';
import { UserAgent, type CallView } from './user-agent';
import { MemorySipOverlay } from './testing/memory-sip';
import { pollUntil, startPhone } from './testing/phones';
import { installNodeWebRtc } from './testing/node-webrtc';
import { callOutcomeWords, sipStatusWords } from './words';

JsSIP.debug.disable();
beforeAll(() => installNodeWebRtc());

const phones: UserAgent[] = [];
afterEach(() => phones.splice(0).forEach((p) => p.stop()));

const id = (n: number) => n.toString(16).padStart(40, '0');

async function phone(o: MemorySipOverlay, name: string, node: string): Promise<UserAgent> {
  const p = await startPhone(o, name, node);
  phones.push(p);
  return p;
}

/** Waits for a state, not for a time: `what` names it when it never comes. */
const until = <T,>(what: string, get: () => T | null | undefined | false, timeoutMs = 40_000): Promise<T> => pollUntil(what, get, timeoutMs);

const callOf = (p: UserAgent): CallView | undefined => p.getSnapshot().calls.at(-1);
const ended = (p: UserAgent) => () => (callOf(p)?.state === 'ended' ? callOf(p) : undefined);

/** An outgoing call the far side ended before it was answered, with this final response. */
const failedOut = (status: number | undefined, cause: string): CallEnding => ({ peer: 'bob', direction: 'out', lost: false, elsewhere: false, answered: false, originator: 'remote', status, cause });

describe('the outcome code of a call', () => {
  it.each<[number | undefined, string, CallOutcomeCode, string]>([
    [480, 'Unavailable', 'unreachable', 'bob is not online'],
    [486, 'Busy', 'busy', 'bob is busy'],
    [600, 'Busy', 'busy', 'bob is busy'],
    [603, 'Rejected', 'declined', 'bob declined'],
    [408, 'Request Timeout', 'timeout', 'the network did not answer in time; try again'],
    [undefined, 'Request Timeout', 'timeout', 'the network did not answer in time; try again'],
    [undefined, 'No Answer', 'no-answer', 'bob did not answer'],
    [487, 'Canceled', 'cancelled', 'the call was cancelled'],
    [404, 'Not Found', 'not-found', 'nobody has the name bob'],
    [500, 'SIP Failure Code', 'failed', 'the call failed (SIP Failure Code)'],
  ])('a final %s (%s) is %s, shown as "%s"', (status, cause, code, words) => {
    expect(sipFailureCode(status, cause)).toBe(code);
    expect(callOutcomeCode(failedOut(status, cause))).toBe(code);
    expect(callOutcomeWords(code, 'bob', status, cause)).toBe(words);
    expect(sipStatusWords(status, 'bob', cause)).toBe(words);
  });

  it('the status decides before the cause, as the words do', () => {
    // A 480 whose JsSIP cause is something else is still "not online".
    expect(sipFailureCode(480, 'No Answer')).toBe('unreachable');
    expect(sipFailureCode(500, 'No Answer')).toBe('no-answer');
  });

  it('ends without a failure keep their own codes', () => {
    const base = failedOut(undefined, 'Terminated');
    expect(callOutcomeCode({ ...base, lost: true, answered: true })).toBe('connection-lost');
    expect(callOutcomeCode({ ...base, direction: 'in', elsewhere: true })).toBe('answered-elsewhere');
    expect(callOutcomeCode({ ...base, answered: true, originator: 'local' })).toBe('you-hung-up');
    expect(callOutcomeCode({ ...base, answered: true })).toBe('peer-hung-up');
    expect(callOutcomeCode({ ...base, originator: 'local' })).toBe('you-cancelled');
    expect(callOutcomeCode({ ...base, direction: 'in', originator: 'local' })).toBe('you-declined');
    expect(callOutcomeCode({ ...base, direction: 'in' })).toBe('missed');
  });

  it('offers a video message after exactly: not online, busy, declined, no answer, cancelled', () => {
    const all: CallOutcomeCode[] = ['refused', 'not-found', 'timeout', 'too-long', 'unreachable', 'busy', 'cancelled', 'incompatible', 'declined', 'no-answer', 'media-denied', 'connection-lost', 'failed', 'answered-elsewhere', 'you-hung-up', 'peer-hung-up', 'you-cancelled', 'you-declined', 'missed'];
    expect(all.filter(mayLeaveMessage)).toEqual(['unreachable', 'busy', 'cancelled', 'declined', 'no-answer']);
    expect(mayLeaveMessage(null)).toBe(false);
  });
});

describe('the outcome code a UserAgent puts on the call view', () => {
  it('a call to a name whose tabs are all away ends "unreachable" (480)', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', id(1));
    o.registrations.set('dave', new Set([id(9)]));
    alice.call('dave', false);
    const call = await until('the call to dave to end', ended(alice));
    expect(call).toMatchObject({ outcome: 'dave is not online', outcomeCode: 'unreachable' });
    expect(mayLeaveMessage(call.outcomeCode)).toBe(true);
  }, 60_000);

  it('a call the callee declines ends "declined" (603) for the caller and "you-declined" for the callee', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', id(1));
    const bob = await phone(o, 'bob', id(2));
    alice.call('bob', false);
    const incoming = await until('bob to ring', () => (callOf(bob)?.state === 'incoming' ? callOf(bob) : undefined));
    bob.hangUp(incoming.id);
    expect(await until('alice’s call to end', ended(alice))).toMatchObject({ outcome: 'bob declined', outcomeCode: 'declined' });
    expect(await until('bob’s call to end', ended(bob))).toMatchObject({ outcome: 'you declined', outcomeCode: 'you-declined' });
  }, 60_000);

  it('a call the caller cancels is "you-cancelled": no video message offered', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', id(1));
    await phone(o, 'bob', id(2));
    alice.call('bob', false);
    const out = await until('alice to hear it ring', () => (callOf(alice)?.state === 'ringing' ? callOf(alice) : undefined));
    alice.hangUp(out.id);
    const call = await until('alice’s call to end', ended(alice));
    expect(call).toMatchObject({ outcome: 'you cancelled the call', outcomeCode: 'you-cancelled' });
    expect(mayLeaveMessage(call.outcomeCode)).toBe(false);
  }, 60_000);
});
