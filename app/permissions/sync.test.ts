import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import { STORAGE_KEYS, type CloseLinksRequest, type PermissionGate } from './index';
import { type Logger } from '../common';
import { ManualClock } from '../common/testing';
import { certificateFor, keyPair, openTestGate, publicKeyText, questionsWhen, requestFrom, settle, testPeer } from './testing/fixtures';
import { MemorySyncHub } from './testing/sync';

const alice = await testPeer('alice');
const root = await keyPair();

/** Two tabs of one person: two gates over one store, joined by an in-memory channel. */
async function twoTabs(o: { linked?: boolean; logger?: Logger } = {}): Promise<{ a: PermissionGate; b: PermissionGate; hub: MemorySyncHub; store: MemoryKeyValueStore; clock: ManualClock }> {
  const store = new MemoryKeyValueStore();
  const clock = new ManualClock();
  const hub = new MemorySyncHub();
  const linked = o.linked ?? true;
  const a = (await openTestGate({ store, clock, ...(linked ? { sync: hub.join() } : {}) })).gate;
  const b = (await openTestGate({ store, clock, ...(linked ? { sync: hub.join() } : {}), ...(o.logger ? { logger: o.logger } : {}) })).gate;
  return { a, b, hub, store, clock };
}

/** Lets a message reach the other tab and its reload finish. */
async function delivered(...gates: PermissionGate[]): Promise<void> {
  await settle();
  await Promise.all(gates.map((g) => g.reloadStores()));
}

function closeRequests(gate: PermissionGate): CloseLinksRequest[] {
  const seen: CloseLinksRequest[] = [];
  gate.onCloseLinks((r) => seen.push(r));
  return seen;
}

describe('one answer settles every tab', () => {
  it('"always allow" for the overlay in one tab releases the overlay question waiting in another', async () => {
    const { a, b, hub } = await twoTabs();
    const inA = a.decide(requestFrom(alice, { scope: 'overlay' }));
    const inB = b.decide(requestFrom(alice, { scope: 'overlay' }));
    const [qa] = await questionsWhen(a);
    await questionsWhen(b);
    await a.answer(qa!.id, 'allow-always');
    expect(await inA).toMatchObject({ allow: true, reason: 'user' });
    // B's person never answered: the allowance A stored decides B's link.
    expect(await inB).toMatchObject({ allow: true, reason: 'policy', basis: { kind: 'overlay', overlay: 'p2p.local' } });
    expect(b.questions.getSnapshot()).toEqual([]);
    expect(b.policy.overlayAllowance('p2p.local')).toMatchObject({ decision: 'allow', remembered: true });
    // One post for the one change; B's reload does not echo back.
    await settle();
    expect(hub.posts).toBe(1);
  });

  it('"always allow" for a contact in one tab releases the question about that person in another', async () => {
    const { a, b } = await twoTabs();
    const inA = a.decide(requestFrom(alice));
    const inB = b.decide(requestFrom(alice, { direction: 'outbound' }));
    const [qa] = await questionsWhen(a);
    await questionsWhen(b);
    await a.answer(qa!.id, 'allow-always');
    await inA;
    const decided = await inB;
    expect(decided).toMatchObject({ allow: true, reason: 'rule', basis: { kind: 'rule', ruleId: `contact/user/${alice.user.id}` } });
    expect(b.rules.find('contact', 'user', alice.user.id)).toMatchObject({ decision: 'allow' });
  });

  it('"always deny" in one tab refuses the waiting link in another', async () => {
    const { a, b } = await twoTabs();
    void a.decide(requestFrom(alice));
    const inB = b.decide(requestFrom(alice));
    const [qa] = await questionsWhen(a);
    await questionsWhen(b);
    await a.answer(qa!.id, 'deny-always');
    expect(await inB).toMatchObject({ allow: false, reason: 'rule' });
  });

  it('a root trusted in one tab lets in the peer it vouches for that waits in another', async () => {
    const { a, b, clock } = await twoTabs();
    const certificate = await certificateFor(root, alice, clock.now());
    const inB = b.decide(requestFrom(alice, { certificate }));
    await questionsWhen(b);
    await a.roots.add(publicKeyText(root), { label: 'Acme' });
    expect(await inB).toMatchObject({ allow: true, reason: 'policy', basis: { kind: 'root' } });
  });
});

describe('taking back a permission in one tab', () => {
  it('revoking a rule closes the links that rule let in in another tab', async () => {
    const { a, b } = await twoTabs();
    const inA = a.decide(requestFrom(alice));
    await a.answer((await questionsWhen(a))[0]!.id, 'allow-always');
    await inA;
    await delivered(b);
    const decision = await b.decide(requestFrom(alice));
    expect(decision).toMatchObject({ allow: true, reason: 'rule' });
    const closed = new Promise<CloseLinksRequest>((resolve) => b.onCloseLinks(resolve));
    b.registerLink('link-1', decision);

    // Only the channel tells B: no reload is called here.
    await a.rules.revoke(`contact/user/${alice.user.id}`);
    expect(await closed).toEqual({ linkIds: ['link-1'], reason: 'your rule for alice (' + decision.subject.fingerprint + ') was revoked' });
    expect(b.rules.getSnapshot()).toEqual([]);
  });

  it('forgetting the overlay allowance closes the overlay links it let in in another tab', async () => {
    const { a, b } = await twoTabs();
    await a.policy.setOverlay('p2p.local', 'allow', true);
    await delivered(b);
    const decision = await b.decide(requestFrom(alice, { scope: 'overlay' }));
    expect(decision).toMatchObject({ allow: true, basis: { kind: 'overlay' } });
    const closed = closeRequests(b);
    b.registerLink('o1', decision);
    await a.policy.forgetOverlay('p2p.local');
    await delivered(b);
    expect(closed.map((r) => r.linkIds)).toEqual([['o1']]);
  });

  it('keeps this tab\'s "allow once" for an overlay when another tab changes something else', async () => {
    const { a, b } = await twoTabs();
    const inB = b.decide(requestFrom(alice, { scope: 'overlay' }));
    await b.answer((await questionsWhen(b))[0]!.id, 'allow-once');
    const closed = closeRequests(b);
    b.registerLink('o1', await inB);
    await a.policy.setStrict(false);
    await a.roots.add(publicKeyText(root));
    await delivered(b);
    expect(b.policy.overlayAllowance('p2p.local')).toMatchObject({ decision: 'allow', remembered: false });
    expect(closed).toEqual([]);
  });
});

describe('reloading', () => {
  it('keeps the rules in force and logs when the stored data is damaged', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
    const { a, b, store } = await twoTabs({ logger });
    const inA = a.decide(requestFrom(alice));
    await a.answer((await questionsWhen(a))[0]!.id, 'allow-always');
    await inA;
    await delivered(b);
    const decision = await b.decide(requestFrom(alice));
    const closed = closeRequests(b);
    b.registerLink('link-1', decision);
    const rulesBefore = b.rules.getSnapshot();
    expect(rulesBefore).toHaveLength(1);

    for (const bad of ['{not json', { format: 'something else' }, [1, 2, 3], null]) {
      store.data.set(STORAGE_KEYS.rules, bad);
      store.data.set(STORAGE_KEYS.policy, bad);
      store.data.set(STORAGE_KEYS.roots, bad);
      await expect(b.reloadStores()).resolves.toBeUndefined();
    }
    expect(b.rules.getSnapshot()).toBe(rulesBefore);
    expect(b.rules.find('contact', 'user', alice.user.id)).toMatchObject({ decision: 'allow' });
    expect(closed).toEqual([]);
    expect(warnings.filter((w) => /could not be re-read/.test(w)).length).toBeGreaterThanOrEqual(12);
    // A missing key is not "no rules" either: nothing here deletes it, so the state stays.
    store.data.delete(STORAGE_KEYS.rules);
    await b.reloadStores();
    expect(b.rules.getSnapshot()).toBe(rulesBefore);
  });

  it('a reload that finds nothing new tells nobody', async () => {
    const { a, b } = await twoTabs();
    const inA = a.decide(requestFrom(alice));
    await a.answer((await questionsWhen(a))[0]!.id, 'allow-always');
    await inA;
    await a.policy.setOverlay('p2p.local', 'allow', true);
    await a.roots.add(publicKeyText(root));
    await delivered(b);
    expect(b.rules.getSnapshot()).toHaveLength(1);
    let changes = 0;
    b.rules.subscribe(() => changes++);
    b.policy.subscribe(() => changes++);
    b.roots.subscribe(() => changes++);
    await b.reloadStores();
    expect(changes).toBe(0);
  });

  it('without a channel each tab works alone, as before', async () => {
    const { a, b } = await twoTabs({ linked: false });
    void a.decide(requestFrom(alice, { scope: 'overlay' }));
    const inB = b.decide(requestFrom(alice, { scope: 'overlay' }));
    await a.answer((await questionsWhen(a))[0]!.id, 'allow-always');
    await settle();
    expect(b.questions.getSnapshot()).toHaveLength(1);
    await b.answer(b.questions.getSnapshot()[0]!.id, 'deny');
    expect(await inB).toMatchObject({ allow: false, reason: 'user' });
  });

  it('a closed gate stops listening to the channel', async () => {
    const { a, b } = await twoTabs();
    b.close();
    await a.policy.setOverlay('p2p.local', 'allow', true);
    await settle();
    expect(b.policy.overlayAllowance('p2p.local')).toBeUndefined();
  });
});
