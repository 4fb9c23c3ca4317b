/**
 * Who may call me (issue 14: moved out of what is now CallService): the gate decides in
 * the contact scope about the caller's claimed user key and signing node key;
 * an "allow once" covers one conversation; a remembered rule is asked again
 * each time; failures are refusals in words.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionRequest, DecisionReason, PermissionDecision, PermissionGate } from '../permissions';
import { OverlayTimeoutError, type NameClaim } from '../sip';
import { openTestGate, questionsWhen, requestFrom, testPeer } from '../permissions/testing';
import { ALLOW_ONCE_MS, callPolicy, mailBlockedBy } from './call-policy';

const nodeId = 'cd'.repeat(20);
const nodeSpki = new Uint8Array([9, 9]);
const bob: NameClaim = { name: 'bob', signingSpki: new Uint8Array([1, 2, 3, 4]), ecdhSpki: new Uint8Array([5]) };

function setUp(answer: { allow: boolean; reason: DecisionReason }, resolve: (name: string) => Promise<NameClaim | null> = async (n) => (n === 'bob' ? bob : null)) {
  const asked: DecisionRequest[] = [];
  const gate = {
    decide: async (req: DecisionRequest): Promise<PermissionDecision> => {
      asked.push(req);
      return { ...answer, detail: answer.allow ? 'you allowed it' : 'you denied it' } as PermissionDecision;
    },
  } as unknown as PermissionGate;
  let t = 1_000_000;
  const policy = callPolicy({ gate, domain: 'p2p.local', spkiOf: (id) => (id === nodeId ? nodeSpki : null), resolve, now: () => t });
  return { policy, asked, advance: (ms: number) => (t += ms) };
}

describe('call policy', () => {
  it('asks the gate in the contact scope about the caller’s user key and signing node key', async () => {
    const { policy, asked } = setUp({ allow: true, reason: 'rule' });
    expect(await policy({ name: 'bob', nodeId })).toEqual({ allow: true, reason: 'you allowed it' });
    expect(asked).toEqual([{ peerNodeId: nodeId, peerNodeSpki: nodeSpki, user: { signingSpki: bob.signingSpki, name: 'bob' }, scope: 'contact', direction: 'inbound', overlay: 'p2p.local' }]);
  });

  it('refuses, in words and without asking, a node it has no key for, a name nobody holds, and a network that does not answer', async () => {
    const { policy, asked } = setUp({ allow: true, reason: 'rule' });
    expect(await policy({ name: 'bob', nodeId: 'ef'.repeat(20) })).toEqual({ allow: false, reason: 'the caller’s node key is not known' });
    expect(await policy({ name: 'carol', nodeId })).toEqual({ allow: false, reason: 'carol is not a known name' });
    const slow = setUp({ allow: true, reason: 'rule' }, () => Promise.reject(new OverlayTimeoutError('timeout')));
    expect(await slow.policy({ name: 'bob', nodeId })).toEqual({ allow: false, reason: 'the network did not answer' });
    expect(asked).toHaveLength(0);
    expect(slow.asked).toHaveLength(0);
  });

  it('an "allow once" answer covers the conversation for ALLOW_ONCE_MS, then the person is asked again', async () => {
    const { policy, asked, advance } = setUp({ allow: true, reason: 'user' });
    await policy({ name: 'bob', nodeId });
    expect(await policy({ name: 'bob', nodeId })).toEqual({ allow: true, reason: 'allowed a moment ago' });
    expect(asked).toHaveLength(1);
    advance(ALLOW_ONCE_MS + 1);
    await policy({ name: 'bob', nodeId });
    expect(asked).toHaveLength(2);
  });

  it('a remembered rule is asked every time, so a revoke bites at once; a refusal is never remembered here', async () => {
    const rule = setUp({ allow: true, reason: 'rule' });
    await rule.policy({ name: 'bob', nodeId });
    await rule.policy({ name: 'bob', nodeId });
    expect(rule.asked).toHaveLength(2);
    const deny = setUp({ allow: false, reason: 'user' });
    expect(await deny.policy({ name: 'bob', nodeId })).toEqual({ allow: false, reason: 'you denied it' });
    await deny.policy({ name: 'bob', nodeId });
    expect(deny.asked).toHaveLength(2);
  });
});

describe('mail from a blocked sender', () => {
  it('is refused when the person keeps an "always deny" for the sender\'s user key, whatever name it comes under; allowed and unknown senders are not', async () => {
    const { gate } = await openTestGate();
    const [alice, carol] = [await testPeer('alice'), await testPeer('carol')];
    const blocked = mailBlockedBy(gate);
    expect(await blocked({ name: 'alice', signSpki: alice.user.spki })).toBe(false);
    const pending = gate.decide(requestFrom(alice));
    await gate.answer((await questionsWhen(gate))[0]!.id, 'deny-always');
    await pending;
    expect(await blocked({ name: 'alice', signSpki: alice.user.spki })).toBe(true);
    expect(await blocked({ name: 'not-alice', signSpki: alice.user.spki })).toBe(true);
    expect(await blocked({ name: 'carol', signSpki: carol.user.spki })).toBe(false);
    const allowing = gate.decide(requestFrom(carol));
    await gate.answer((await questionsWhen(gate))[0]!.id, 'allow-always');
    await allowing;
    expect(await blocked({ name: 'carol', signSpki: carol.user.spki })).toBe(false);
  });
});
