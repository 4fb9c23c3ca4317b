import { describe, expect, it } from 'vitest';
import { CONVERSATION_MS, Conversations, MAX_CONVERSATIONS } from './index';
import { openTestGate, questionsWhen, requestFrom, testPeer } from './testing/fixtures';

const alice = await testPeer('alice');
const bob = await testPeer('bob');

describe('calling back is not a question', () => {
  it('lets the person this one called call and write back without a question, until the conversation ends', async () => {
    const { gate, clock } = await openTestGate();
    gate.conversations.started(alice.user.id, 'alice', 'called', 'call-1');
    // The call is up: no end yet, however long it lasts.
    clock.advance(CONVERSATION_MS * 3);
    expect(await gate.decide(requestFrom(alice))).toMatchObject({ allow: true, reason: 'conversation', detail: 'you called alice: they may answer until the conversation ends' });
    expect(gate.conversations.getSnapshot()).toEqual([{ userId: alice.user.id, name: 'alice', why: 'called', lastAt: expect.any(Number) as number, endsAt: null }]);

    gate.conversations.callEnded('call-1');
    clock.advance(CONVERSATION_MS - 1);
    expect(await gate.decide(requestFrom(alice))).toMatchObject({ allow: true, reason: 'conversation' });
    clock.advance(1);
    // Ended: the next request is a question again, and the page's list is empty.
    const pending = gate.decide(requestFrom(alice));
    const [q] = await questionsWhen(gate);
    expect(q!.peer.name).toBe('alice');
    await gate.answer(q!.id, 'deny');
    expect(await pending).toMatchObject({ allow: false, reason: 'user' });
    expect(gate.conversations.getSnapshot()).toEqual([]);
  });

  it('covers only the person written to, only their calls and messages to this one, and an "Always deny" still refuses', async () => {
    const { gate } = await openTestGate();
    gate.conversations.started(alice.user.id, 'alice', 'wrote');
    // bob was not written to: asked.
    const bobAsks = gate.decide(requestFrom(bob));
    const [q] = await questionsWhen(gate);
    expect(q!.peer.name).toBe('bob');
    await gate.answer(q!.id, 'deny-always');
    await bobAsks;
    // Not for overlay links, nor for this side's own outbound links.
    const overlay = gate.decide(requestFrom(alice, { scope: 'overlay' }));
    expect((await questionsWhen(gate))[0]!.kind).toBe('overlay');
    await gate.answer((await questionsWhen(gate))[0]!.id, 'deny');
    expect(await overlay).toMatchObject({ allow: false });
    // A remembered deny wins over the conversation.
    gate.conversations.started(bob.user.id, 'bob', 'called', 'c2');
    expect(await gate.decide(requestFrom(bob))).toMatchObject({ allow: false, reason: 'rule' });
    // Ending it by hand takes it away at once.
    gate.conversations.end(alice.user.id);
    expect(gate.conversations.allows(alice.user.id)).toBeNull();
  });

  it('refuses a malformed user ID, ignores unknown calls, and keeps at most MAX_CONVERSATIONS', () => {
    let now = 0;
    const c = new Conversations(() => now);
    expect(() => c.started('not-an-id', 'x', 'wrote')).toThrow(RangeError);
    c.callEnded('nobody');
    for (let i = 0; i <= MAX_CONVERSATIONS; i++) c.started(i.toString(16).padStart(40, '0'), `p${i}`, 'wrote');
    expect(c.getSnapshot()).toHaveLength(MAX_CONVERSATIONS);
    expect(c.allows('0'.repeat(40))).toBeNull();
    now = CONVERSATION_MS;
    c.prune();
    expect(c.getSnapshot()).toEqual([]);
  });
});
