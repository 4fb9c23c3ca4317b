import { describe, expect, it } from 'vitest';
import { InvalidDecisionRequestError, QuestionNotFoundError, type CloseLinksRequest } from './index';
import { certificateFor, keyPair, openTestGate, publicKeyText, questionsWhen, requestFrom, testPeer } from './testing/fixtures';

const alice = await testPeer('alice');
const bob = await testPeer('bob');
const root = await keyPair();

describe('decision order', () => {
  it('asks when no rule or policy decides, and the answer is the decision', async () => {
    const { gate } = await openTestGate();
    const pending = gate.decide(requestFrom(alice));
    const [q] = await questionsWhen(gate);
    expect(q).toMatchObject({ kind: 'peer', scope: 'contact', direction: 'inbound', peer: { name: 'alice', userId: alice.user.id } });
    await gate.answer(q!.id, 'allow-once');
    expect(await pending).toMatchObject({ allow: true, reason: 'user', detail: 'you answered: allow once' });
    expect(gate.rules.getSnapshot()).toEqual([]);
  });

  it('a remembered rule decides before a trusted root, and a root before a question', async () => {
    const { gate, clock } = await openTestGate();
    await gate.roots.add(publicKeyText(root), { label: 'Acme' });
    const certificate = await certificateFor(root, alice, clock.now());
    const byRoot = await gate.decide(requestFrom(alice, { certificate }));
    expect(byRoot).toMatchObject({ allow: true, reason: 'policy' });
    expect(byRoot.detail).toMatch(/trusted root "Acme"/);

    // "Always deny" for alice: the rule now wins over the root.
    const pending = gate.decide(requestFrom(alice));
    await gate.answer((await questionsWhen(gate))[0]!.id, 'deny-always');
    expect(await pending).toMatchObject({ allow: false, reason: 'user' });
    expect(await gate.decide(requestFrom(alice, { certificate }))).toMatchObject({ allow: false, reason: 'rule' });
  });

  it('keys contact rules by the person, so a rule holds whichever tab they call from; a deny on the tab still holds', async () => {
    const { gate } = await openTestGate();
    const pending = gate.decide(requestFrom(alice));
    await gate.answer((await questionsWhen(gate))[0]!.id, 'allow-always');
    await pending;
    const [rule] = gate.rules.getSnapshot();
    expect(rule).toMatchObject({ id: `contact/user/${alice.user.id}`, subject: { kind: 'user', name: 'alice' }, decision: 'allow' });

    const otherTab = { ...alice, node: (await testPeer()).node };
    expect(await gate.decide(requestFrom(otherTab))).toMatchObject({ allow: true, reason: 'rule' });

    // Without a user identity the rule is the node key's; a node deny beats the person's allow.
    const anon = gate.decide(requestFrom(otherTab, { anonymous: true }));
    const [q] = await questionsWhen(gate);
    expect(q!.peer.userId).toBeUndefined();
    await gate.answer(q!.id, 'deny-always');
    await anon;
    expect(await gate.decide(requestFrom(otherTab))).toMatchObject({ allow: false, reason: 'rule' });
  });

  it('refuses a request whose node ID is not the hash of the proven key', async () => {
    const { gate } = await openTestGate();
    await expect(gate.decide({ ...requestFrom(alice), peerNodeId: bob.node.id })).rejects.toBeInstanceOf(InvalidDecisionRequestError);
    await expect(gate.decide({ ...requestFrom(alice), user: { userId: bob.user.id, signingSpki: alice.user.spki } })).rejects.toThrow(/userId/);
  });

  it('does not show a presented name that could mislead the person', async () => {
    const { gate } = await openTestGate();
    void gate.decide(requestFrom({ ...alice, name: 'alice\u202e\u0000evil' }));
    const [q] = await questionsWhen(gate);
    expect(q!.peer.name).toBeUndefined();
    gate.close();
  });
});

describe('the question queue', () => {
  it('asks once for concurrent links of one person and scope; every link gets the answer', async () => {
    const { gate } = await openTestGate();
    const otherTab = { ...alice, node: (await testPeer()).node };
    const a = gate.decide(requestFrom(alice));
    const b = gate.decide(requestFrom(otherTab, { direction: 'outbound' }));
    const c = gate.decide(requestFrom(bob));
    const qs = await questionsWhen(gate, (q) => q.length === 2 && q[0]!.waiting === 2);
    // First asked, first shown.
    expect(qs.map((q) => q.peer.name)).toEqual(['alice', 'bob']);
    await gate.answer(qs[0]!.id, 'allow-once');
    expect((await a).allow).toBe(true);
    expect((await b).allow).toBe(true);
    expect(gate.questions.getSnapshot().map((q) => q.peer.name)).toEqual(['bob']);
    await gate.answer(qs[1]!.id, 'deny');
    expect(await c).toMatchObject({ allow: false, reason: 'user' });
  });

  it('denies after the timeout (30 s by default) and drops the question', async () => {
    const { gate, clock } = await openTestGate();
    const pending = gate.decide(requestFrom(alice));
    const [q] = await questionsWhen(gate);
    expect(q!.deadline! - q!.askedAt).toBe(30_000);
    clock.advance(29_999);
    expect(gate.questions.getSnapshot()).toHaveLength(1);
    clock.advance(1);
    expect(await pending).toMatchObject({ allow: false, reason: 'timeout', detail: 'no answer within 30 s' });
    expect(gate.questions.getSnapshot()).toEqual([]);
    await expect(gate.answer(q!.id, 'allow-once')).rejects.toBeInstanceOf(QuestionNotFoundError);
  });

  it('withdraws a question when every link waiting on it goes away', async () => {
    const { gate, clock } = await openTestGate();
    const abort = new AbortController();
    const pending = gate.decide(requestFrom(alice), { signal: abort.signal });
    await questionsWhen(gate);
    abort.abort();
    expect(await pending).toMatchObject({ allow: false, reason: 'cancelled' });
    expect(gate.questions.getSnapshot()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('refuses at once when too many questions wait, so a flood cannot bury the person', async () => {
    const { gate } = await openTestGate({ maxQuestions: 1 });
    void gate.decide(requestFrom(alice));
    await questionsWhen(gate);
    expect(await gate.decide(requestFrom(bob))).toMatchObject({ allow: false, reason: 'busy' });
    gate.close();
  });

  it('a rule that arrives while a link waits decides it without the person', async () => {
    const { gate } = await openTestGate();
    const pending = gate.decide(requestFrom(alice));
    await questionsWhen(gate);
    const other = await openTestGate();
    const p2 = other.gate.decide(requestFrom(alice));
    await other.gate.answer((await questionsWhen(other.gate))[0]!.id, 'allow-always');
    await p2;
    await gate.rules.importJson(other.gate.rules.exportJson());
    expect(await pending).toMatchObject({ allow: true, reason: 'rule' });
    expect(gate.questions.getSnapshot()).toEqual([]);
  });
});

describe('remembered answers and revocation', () => {
  it('"always allow" survives a reload; revoking closes the links it let in and the next link asks again', async () => {
    const t = await openTestGate();
    const pending = t.gate.decide(requestFrom(alice));
    await t.gate.answer((await questionsWhen(t.gate))[0]!.id, 'allow-always');
    const first = await pending;
    expect(first.basis).toEqual({ kind: 'rule', ruleId: `contact/user/${alice.user.id}` });

    const gate = await t.reopen();
    const decision = await gate.decide(requestFrom(alice));
    expect(decision).toMatchObject({ allow: true, reason: 'rule' });
    const closed: CloseLinksRequest[] = [];
    gate.onCloseLinks((r) => closed.push(r));
    gate.registerLink('link-1', decision);
    const once = gate.decide(requestFrom(bob));
    await gate.answer((await questionsWhen(gate))[0]!.id, 'allow-once');
    gate.registerLink('link-2', await once);

    const revoked: string[] = [];
    gate.rules.onRevoked((r) => revoked.push(r.id));
    await gate.rules.revoke(decision.basis.kind === 'rule' ? decision.basis.ruleId : '');
    expect(revoked).toEqual([`contact/user/${alice.user.id}`]);
    expect(closed).toEqual([{ linkIds: ['link-1'], reason: 'your rule for alice (' + decision.subject.fingerprint + ') was revoked' }]);

    void gate.decide(requestFrom(alice));
    expect((await questionsWhen(gate))[0]!.peer.name).toBe('alice');
    gate.close();
  });

  it('"always deny" closes links that were allowed once', async () => {
    const { gate } = await openTestGate();
    const closed: string[] = [];
    gate.onCloseLinks((r) => closed.push(...r.linkIds));
    const once = gate.decide(requestFrom(alice));
    await gate.answer((await questionsWhen(gate))[0]!.id, 'allow-once');
    gate.registerLink('l1', await once);
    const again = gate.decide(requestFrom(alice));
    await gate.answer((await questionsWhen(gate))[0]!.id, 'deny-always');
    await again;
    expect(closed).toEqual(['l1']);
  });

  it('registering a link whose rule is already gone asks for it to be closed at once', async () => {
    const { gate } = await openTestGate();
    const pending = gate.decide(requestFrom(alice));
    await gate.answer((await questionsWhen(gate))[0]!.id, 'allow-always');
    const decision = await pending;
    await gate.rules.revokeAll();
    const closed: string[] = [];
    gate.onCloseLinks((r) => closed.push(...r.linkIds));
    gate.registerLink('late', decision);
    expect(closed).toEqual(['late']);
  });
});

describe('trusted roots', () => {
  it('lets in a peer a trusted root signed, refuses a tampered certificate with the reason in the log', async () => {
    const { gate, clock } = await openTestGate();
    await gate.roots.add(publicKeyText(root), { label: 'Acme', allow: { contact: true, overlay: false } });
    const certificate = await certificateFor(root, alice, clock.now());
    expect(await gate.decide(requestFrom(alice, { certificate }))).toMatchObject({ allow: true, reason: 'policy' });

    const tampered = JSON.stringify({ ...JSON.parse(certificate), name: 'mallory' });
    const refused = await gate.decide(requestFrom({ ...alice, name: 'mallory' }, { certificate: tampered }));
    expect(refused).toMatchObject({ allow: false, reason: 'certificate' });
    expect(refused.detail).toMatch(/certificate refused: the certificate was changed after signing/);
    expect(gate.audit.getSnapshot()[0]).toMatchObject({ allow: false, reason: 'certificate', name: 'mallory' });
  });

  it('asks, saying so, when the root is not trusted, or trusted but not for this scope', async () => {
    const { gate, clock } = await openTestGate();
    const other = await keyPair();
    const untrusted = gate.decide(requestFrom(alice, { certificate: await certificateFor(other, alice, clock.now()) }));
    const [q] = await questionsWhen(gate);
    expect(q!.peer.certificateNote).toMatch(/signed by a root you do not trust/);
    await gate.answer(q!.id, 'deny');
    await untrusted;
    // A plain "deny" keeps the same question quiet for a moment.
    expect(await gate.decide(requestFrom(alice, {}))).toMatchObject({ allow: false, reason: 'user', detail: 'you answered “deny” a moment ago' });
    clock.advance(15_000);

    const added = await gate.roots.add(publicKeyText(root), { label: 'Acme', allow: { contact: false, overlay: true } });
    const notForContact = gate.decide(requestFrom(alice, { certificate: await certificateFor(root, alice, clock.now()) }));
    const [q2] = await questionsWhen(gate);
    expect(q2!.peer.vouchedBy).toEqual({ rootId: added.id, label: 'Acme', fingerprint: added.fingerprint });
    // Switching the root's contact policy on decides the waiting link.
    await gate.roots.setAllow(added.id, 'contact', true);
    expect(await notForContact).toMatchObject({ allow: true, reason: 'policy' });
  });

  it('removing a root closes the links it let in', async () => {
    const { gate, clock } = await openTestGate();
    const r = await gate.roots.add(publicKeyText(root));
    const closed: string[] = [];
    gate.onCloseLinks((c) => closed.push(...c.linkIds));
    gate.registerLink('l1', await gate.decide(requestFrom(alice, { certificate: await certificateFor(root, alice, clock.now()) })));
    await gate.roots.remove(r.id);
    expect(closed).toEqual(['l1']);
  });
});

describe('overlay links: default mode and strict mode', () => {
  it('by default asks once per overlay, and the answer holds for every later overlay link there', async () => {
    const { gate } = await openTestGate();
    const a = gate.decide(requestFrom(alice, { scope: 'overlay' }));
    const b = gate.decide(requestFrom(bob, { scope: 'overlay', direction: 'outbound' }));
    const [q] = await questionsWhen(gate, (qs) => qs[0]?.waiting === 2);
    expect(q).toMatchObject({ kind: 'overlay', overlay: 'p2p.local' });
    await gate.answer(q!.id, 'allow-always');
    expect((await a).allow && (await b).allow).toBe(true);
    const carol = await testPeer('carol');
    expect(await gate.decide(requestFrom(carol, { scope: 'overlay' }))).toMatchObject({ allow: true, reason: 'policy' });
    // Contact is still asked per person.
    void gate.decide(requestFrom(carol));
    expect((await questionsWhen(gate))[0]).toMatchObject({ kind: 'peer', scope: 'contact' });
    gate.close();
  });

  it('the join question waits for the person: no deadline, not refused by itself, and after “Deny” not asked again until they ask to join (issue 18); a question about one peer still times out', async () => {
    const { gate, clock } = await openTestGate();
    const join = gate.decide(requestFrom(alice, { scope: 'overlay' }));
    const [q] = await questionsWhen(gate);
    expect(q).toMatchObject({ kind: 'overlay', deadline: null });
    let settled = false;
    void join.then(() => (settled = true));
    clock.advance(10 * 60_000);
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(gate.questions.getSnapshot()).toHaveLength(1);
    expect(gate.lastOverlayDecision('p2p.local')).toBeNull();
    // A later link (the next join attempt) waits on the same question; one answer settles both.
    const again = gate.decide(requestFrom(bob, { scope: 'overlay', direction: 'outbound' }));
    await questionsWhen(gate, (qs) => qs[0]?.waiting === 2);
    await gate.answer(q!.id, 'deny');
    expect(await join).toMatchObject({ allow: false, reason: 'user' });
    expect(await again).toMatchObject({ allow: false, reason: 'user' });
    // "Deny" is "not now": later links are refused without asking, however long after, until the person asks to join.
    clock.advance(60 * 60_000);
    expect(await gate.decide(requestFrom(bob, { scope: 'overlay' }))).toMatchObject({ allow: false, reason: 'user' });
    expect(gate.questions.getSnapshot()).toEqual([]);
    gate.askAgain('p2p.local');
    const asked = gate.decide(requestFrom(bob, { scope: 'overlay' }));
    const [q2] = await questionsWhen(gate);
    await gate.answer(q2!.id, 'allow-once');
    expect(await asked).toMatchObject({ allow: true, reason: 'user' });
    // Contact questions keep their 30 s.
    const call = gate.decide(requestFrom(alice));
    const [c] = await questionsWhen(gate);
    expect(c!.deadline! - c!.askedAt).toBe(30_000);
    clock.advance(30_000);
    expect(await call).toMatchObject({ allow: false, reason: 'timeout' });
  });

  it('strict mode asks for every overlay peer and ignores the overlay allowance', async () => {
    const { gate } = await openTestGate();
    await gate.policy.setOverlay('p2p.local', 'allow', true);
    await gate.policy.setStrict(true);
    const a = gate.decide(requestFrom(alice, { scope: 'overlay' }));
    const b = gate.decide(requestFrom(bob, { scope: 'overlay' }));
    const qs = await questionsWhen(gate, (q) => q.length === 2);
    expect(qs.map((q) => q.kind)).toEqual(['peer', 'peer']);
    // The two questions may queue in either order (each waits on its own signature checks).
    const about = (node: string) => qs.find((q) => q.peer.nodeId === node)!.id;
    await gate.answer(about(alice.node.id), 'allow-always');
    await gate.answer(about(bob.node.id), 'deny');
    expect((await a).allow).toBe(true);
    expect((await b).allow).toBe(false);
    // Overlay rules are kept by node key.
    expect(gate.rules.getSnapshot()[0]!.id).toBe(`overlay/node/${alice.node.id}`);
  });

  it('"allow once" to an overlay question holds for this session only', async () => {
    const t = await openTestGate();
    const a = t.gate.decide(requestFrom(alice, { scope: 'overlay' }));
    await t.gate.answer((await questionsWhen(t.gate))[0]!.id, 'allow-once');
    await a;
    expect(await t.gate.decide(requestFrom(bob, { scope: 'overlay' }))).toMatchObject({ allow: true, reason: 'policy' });
    const reloaded = await t.reopen();
    void reloaded.decide(requestFrom(bob, { scope: 'overlay' }));
    expect((await questionsWhen(reloaded))[0]!.kind).toBe('overlay');
    reloaded.close();
  });

  it('forgetting an overlay allowance closes the overlay links it let in', async () => {
    const { gate } = await openTestGate();
    await gate.policy.setOverlay('p2p.local', 'allow', false);
    const closed: string[] = [];
    gate.onCloseLinks((c) => closed.push(...c.linkIds));
    gate.registerLink('o1', await gate.decide(requestFrom(alice, { scope: 'overlay' })));
    await gate.policy.forgetOverlay('p2p.local');
    expect(closed).toEqual(['o1']);
  });
});

describe('closing', () => {
  it('refuses the waiting links when the gate closes, and a throwing listener does not stop the others', async () => {
    const { gate } = await openTestGate();
    const pending = gate.decide(requestFrom(alice));
    await questionsWhen(gate);
    const seen: number[] = [];
    gate.questions.subscribe(() => {
      throw new Error('a broken component');
    });
    gate.questions.subscribe(() => seen.push(gate.questions.getSnapshot().length));
    gate.close();
    expect(await pending).toMatchObject({ allow: false, reason: 'cancelled', detail: 'the permissions gate was closed' });
    expect(seen).toEqual([0]);
  });
});

describe('the audit log', () => {
  it('records every decision with who, scope, direction, decision, reason and time, and survives a reload', async () => {
    const t = await openTestGate();
    const pending = t.gate.decide(requestFrom(alice, { direction: 'outbound' }));
    await questionsWhen(t.gate);
    t.clock.advance(30_000);
    await pending;
    const [entry] = t.gate.audit.getSnapshot();
    expect(entry).toMatchObject({
      seq: 1,
      peerNodeId: alice.node.id,
      userId: alice.user.id,
      name: 'alice',
      scope: 'contact',
      direction: 'outbound',
      allow: false,
      reason: 'timeout',
      at: t.clock.now(),
    });
    await t.gate.audit.flush();
    const reloaded = await t.reopen();
    expect(reloaded.audit.getSnapshot()).toEqual(t.gate.audit.getSnapshot());
    const exported = JSON.parse(reloaded.audit.exportJson(t.clock.now())) as { entries: { reason: string; time: string }[] };
    expect(exported.entries).toHaveLength(1);
    expect(exported.entries[0]).toMatchObject({ reason: 'timeout', time: new Date(entry!.at).toISOString() });
  });

  it('keeps only the newest entries past its bound', async () => {
    const { gate } = await openTestGate({ auditMax: 5 });
    const carol = await testPeer('carol');
    await gate.policy.setOverlay('p2p.local', 'allow', true);
    for (let i = 0; i < 8; i++) await gate.decide(requestFrom(i % 2 ? carol : alice, { scope: 'overlay' }));
    const log = gate.audit.getSnapshot();
    expect(log.map((e) => e.seq)).toEqual([8, 7, 6, 5, 4]);
  });
});
