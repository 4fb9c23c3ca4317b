/**
 * Contacts with a real permission gate (issue 18): blocking from the
 * contact card is an "always deny" rule, so the call policy and the mailbox
 * refuse the person without a question, and unblocking brings the question
 * back; "who can reach me" is enforced in the call policy; presence reads
 * update last seen and raise the changed-key warning.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../common/testing';
import { MemoryKeyValueStore } from '../identity';
import { openTestGate, questionsWhen, settle, testPeer, type TestPeer } from '../permissions/testing';
import type { NameClaim, RegistrationsResult } from '../sip';
import type { CallService } from './call-service';
import { callPolicy, mailBlockedBy } from './call-policy';
import { ContactBook } from './contact-book';
import { ContactsService } from './contacts-service';

const claimOf = (p: TestPeer, name: string): NameClaim => ({ name, signingSpki: p.user.spki, ecdhSpki: new Uint8Array([5]) });

async function setUp() {
  const { gate } = await openTestGate();
  const [bob, carol] = [await testPeer('bob'), await testPeer('carol')];
  const claims = new Map<string, NameClaim>([
    ['bob', claimOf(bob, 'bob')],
    ['carol', claimOf(carol, 'carol')],
  ]);
  let registrations: RegistrationsResult = { kind: 'timeout' };
  let answering = true;
  const calls = {
    nodeAnswers: async () => answering,
    ua: null,
    subscribe: () => () => undefined,
    resolve: async (name: string) => claims.get(name) ?? null,
    registrations: async () => registrations,
  } as unknown as CallService;
  const book = new ContactBook({ store: new MemoryKeyValueStore() });
  const clock = new ManualClock();
  const contacts = new ContactsService({ book, calls, gate, clock });
  await contacts.start();
  const reach = { reach: () => book.getSnapshot().reach, isContact: (n: string, k: Uint8Array) => book.isContact(n, k) };
  const policy = callPolicy({
    gate,
    domain: 'p2p.local',
    spkiOf: (id) => [bob, carol].find((p) => p.node.id === id)?.node.spki ?? null,
    resolve: async (n) => claims.get(n) ?? null,
    reach,
  });
  const mailBlocked = mailBlockedBy(gate, { reach: reach.reach, isContactKey: (id) => book.isContactKey(id) });
  return { clock, gate, bob, carol, claims, book, contacts, policy, mailBlocked, setRegistrations: (r: RegistrationsResult) => (registrations = r), setAnswering: (a: boolean) => (answering = a) };
}

describe('ContactsService: blocking', () => {
  it('a blocked contact’s calls, messages and mail are refused without a question; the block is a rule, and unblocking asks again', async () => {
    const { gate, bob, contacts, policy, mailBlocked } = await setUp();
    expect(await contacts.add('bob')).toBeNull();
    const card = contacts.book.get('bob')!;
    expect(contacts.isBlocked(card)).toBe(false);
    await contacts.block(card);
    expect(contacts.isBlocked(card)).toBe(true);
    expect(gate.rules.getSnapshot()).toEqual([expect.objectContaining({ scope: 'contact', decision: 'deny', subject: expect.objectContaining({ name: 'bob', keyId: bob.user.id }) })]);
    expect(await policy({ name: 'bob', nodeId: bob.node.id })).toMatchObject({ allow: false });
    expect(gate.questions.getSnapshot()).toHaveLength(0);
    expect(await mailBlocked({ name: 'bob', signSpki: bob.user.spki })).toBe(true);
    await contacts.unblock(card);
    expect(gate.rules.getSnapshot()).toEqual([]);
    expect(await mailBlocked({ name: 'bob', signSpki: bob.user.spki })).toBe(false);
    const asked = policy({ name: 'bob', nodeId: bob.node.id });
    await questionsWhen(gate);
    await gate.answer(gate.questions.getSnapshot()[0]!.id, 'allow-once');
    expect(await asked).toMatchObject({ allow: true });
  });

  it('adding refuses a name nobody holds, and one already kept, in words', async () => {
    const { contacts } = await setUp();
    expect(await contacts.add('zed')).toBe('Nobody has the name zed.');
    await contacts.add('bob');
    expect(await contacts.add('bob')).toBe('bob is already in your contacts');
  });
});

describe('call policy: who can reach me', () => {
  it('"contacts only" refuses strangers without a question and lets the gate decide for contacts; "nobody" refuses all', async () => {
    const { gate, bob, carol, contacts, book, policy, mailBlocked } = await setUp();
    await contacts.add('bob');
    await book.setReach('contacts');
    expect(await policy({ name: 'carol', nodeId: carol.node.id })).toEqual({ allow: false, reason: 'carol is not one of your contacts (who can reach you: contacts only)' });
    expect(gate.questions.getSnapshot()).toHaveLength(0);
    expect(await mailBlocked({ name: 'carol', signSpki: carol.user.spki })).toBe(true);
    expect(await mailBlocked({ name: 'bob', signSpki: bob.user.spki })).toBe(false);
    const fromBob = policy({ name: 'bob', nodeId: bob.node.id });
    await questionsWhen(gate);
    await gate.answer(gate.questions.getSnapshot()[0]!.id, 'allow-once');
    expect(await fromBob).toMatchObject({ allow: true });
    await book.setReach('nobody');
    expect(await policy({ name: 'bob', nodeId: bob.node.id })).toMatchObject({ allow: false, reason: expect.stringMatching(/nobody/) });
    expect(await mailBlocked({ name: 'bob', signSpki: bob.user.spki })).toBe(true);
    await settle();
    expect(gate.questions.getSnapshot()).toHaveLength(0);
  });

  it('someone this person wrote to may answer even under "contacts only"', async () => {
    const { gate, carol, book, policy } = await setUp();
    await book.setReach('contacts');
    gate.conversations.started(carol.user.id, 'carol', 'wrote');
    expect(await policy({ name: 'carol', nodeId: carol.node.id })).toMatchObject({ allow: true });
  });
});

describe('ContactsService: presence', () => {
  it('a read with a live registration is "online" and sets last seen; a new key behind the name is the warning and says nothing of presence', async () => {
    const { clock, contacts, book, claims, carol, setRegistrations, setAnswering } = await setUp();
    await contacts.add('bob');
    const now = clock.now();
    setRegistrations({ kind: 'found', claim: claims.get('bob')!, registrations: [{ node: 'ab'.repeat(20), gone: false, writtenAt: now - 1000, expires: now + 600_000 }] });
    contacts.setWatching(true);
    await clock.advanceAsync(1_000);
    await settle();
    expect(contacts.getSnapshot().presence['bob']).toEqual({ state: 'online', nodes: 1 });
    expect(book.get('bob')!.lastSeen).toBeGreaterThanOrEqual(now);
    expect(book.get('bob')!.lastSeen).toBeLessThanOrEqual(now + 1_000);
    // Still registered, but the tab does not answer (closed or crashed without unregistering): offline.
    setAnswering(false);
    contacts.watcher.poke('bob');
    await clock.advanceAsync(6_000);
    await settle();
    expect(contacts.getSnapshot().presence['bob']).toMatchObject({ state: 'offline' });
    setAnswering(true);
    // The name now belongs to another key (carol's): a warning, and presence unknown.
    setRegistrations({ kind: 'found', claim: { ...claims.get('bob')!, signingSpki: carol.user.spki }, registrations: [] });
    contacts.watcher.poke('bob');
    await clock.advanceAsync(6_000);
    await settle();
    expect(book.get('bob')!.newKey?.userId).toBe(carol.user.id);
    expect(contacts.getSnapshot().presence['bob']).toMatchObject({ state: 'unknown' });
    // The tab unregistered (a tombstone): offline, last seen when it was written.
    const closedAt = clock.now() - 2_000;
    setRegistrations({ kind: 'found', claim: claims.get('bob')!, registrations: [{ node: 'ab'.repeat(20), gone: true, writtenAt: closedAt, expires: closedAt + 60_000 }] });
    contacts.watcher.poke('bob');
    await clock.advanceAsync(6_000);
    await settle();
    expect(contacts.getSnapshot().presence['bob']).toEqual({ state: 'offline', lastSeen: closedAt });
    contacts.stop();
  });
});
