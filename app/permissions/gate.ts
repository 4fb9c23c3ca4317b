/**
 * The permission gate: every link, inbound or outbound, asks it before any
 * overlay or SIP message passes (DESIGN.md, Permissions). It decides by a
 * remembered rule, then a policy, then a question to the person; it logs
 * every decision, and it asks for links to be closed when the rule or policy
 * that let them in is taken back.
 */
import type { KeyValueStore } from '../identity';
import { AuditLog, AUDIT_LOG_MAX, type CrossTabLock } from './audit-log';
import { systemClock, type Clock, createLogger, type Logger } from '../common';
import { Conversations } from './conversations';
import { PermissionsError, QuestionNotFoundError } from './errors';
import { examine, judge, summarize, type DecisionRequest, type EvaluateDeps, type PeerFacts } from './evaluate';
import { LiveLinks, type CloseLinksRequest, type LinkGrant } from './live-links';
import { closeOnRevocation } from './revocation';
import { PolicyStore } from './policy-store';
import { QuestionQueue, type PermissionQuestion, type QuestionOutcome } from './question-queue';
import { makeRule } from './rules-format';
import { RuleStore } from './rule-store';
import { TrustedRootStore } from './trusted-roots';
import { ANSWERS, isAllowing, type Answer, type DecisionBasis, type DecisionReason, type Direction, type Scope, type Subject, type Verdict } from './types';

/** The gate's answer to one request. */
export interface PermissionDecision extends Verdict {
  /** Unique within this gate. */
  readonly id: string;
  readonly at: number;
  readonly scope: Scope;
  readonly direction: Direction;
  readonly overlay: string;
  readonly peerNodeId: string;
  /** The key the decision is about (see PeerFacts.ruleSubject). */
  readonly subject: Subject;
}

/** The gist of one overlay-link decision: what was decided, why (which kind of reason), and when (ms since the epoch). */
export interface OverlayDecisionSummary {
  readonly allow: boolean;
  readonly reason: DecisionReason;
  readonly at: number;
}

export interface DecideOptions {
  /** Abort when the link goes away while waiting for an answer; the decision is then a refusal (`cancelled`). */
  signal?: AbortSignal;
}

/**
 * A signal shared by the tabs that share `store` (a BroadcastChannel in
 * browsers): the gate posts after each change it stores, and reloads its
 * stores when another tab posts, so one answer settles every tab's question
 * and a revocation closes every tab's links.
 */
export interface PermissionSync {
  /** Tells the other tabs that the stored permissions changed; never delivered back to this tab. */
  post(): void;
  /** Calls `fn` when another tab posts; returns the unsubscribe function. */
  onMessage(fn: () => void): () => void;
  /** Runs `fn` while no other tab runs one under the same name (the shared audit log's writes). */
  lock?: CrossTabLock;
}

export interface PermissionGateOptions {
  store: KeyValueStore;
  /** Without it, changes made in other tabs are seen only after a reload. */
  sync?: PermissionSync | undefined;
  /** @default the system clock */
  clock?: Clock;
  /** @default createLogger('permissions') */
  logger?: Logger;
  /**
   * How long a question about one peer waits for an answer. The default
   * mode's one question per overlay ("join the network?") has no timeout: it
   * waits for the person. @default 30_000
   */
  timeoutMs?: number;
  /** Most questions waiting at once. @default 50 */
  maxQuestions?: number;
  /** Audit log entries kept. @default 1000 */
  auditMax?: number;
  /**
   * After a plain "Deny", the same question is not asked again for this long
   * (links are refused quietly, and logged): a peer that keeps retrying must
   * not bring the dialog back every few seconds. A "Deny" to the default
   * mode's join question holds until askAgain instead. @default 15_000
   */
  denyCooldownMs?: number;
}

/** What the UI reads of the question queue. */
export interface QuestionList {
  subscribe(fn: () => void): () => void;
  getSnapshot(): readonly PermissionQuestion[];
}

interface Pending {
  readonly req: DecisionRequest;
  readonly facts: PeerFacts;
}

const ANSWER_WORDS: Record<Answer, string> = {
  'allow-once': 'allow once',
  'allow-always': 'always allow',
  deny: 'deny',
  'deny-always': 'always deny',
};

export class PermissionGate {
  readonly rules: RuleStore;
  readonly roots: TrustedRootStore;
  readonly policy: PolicyStore;
  readonly audit: AuditLog;
  /** Conversations this person started (calls placed, messages sent): their other side may answer without a question. */
  readonly conversations: Conversations;
  private readonly queue: QuestionQueue<Pending>;
  private readonly links: LiveLinks;
  private readonly deps: EvaluateDeps;
  private readonly issued = new WeakSet<PermissionDecision>();
  private readonly unsubscribe: (() => void)[] = [];
  private seq = 0;
  private closed = false;
  /** Question keys answered "Deny", until when they stay quiet. */
  private readonly quiet = new Map<string, number>();
  /** This tab's newest decision on an overlay link, per overlay. */
  private readonly overlayDecisions = new Map<string, OverlayDecisionSummary>();
  private readonly denyCooldownMs: number;
  /** The reload running for another tab's change, and whether another one came in meanwhile. */
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;

  /** Opens the stores (rules, roots, policy, audit log) from `store` and makes a gate over them. */
  static async open(o: PermissionGateOptions): Promise<PermissionGate> {
    const clock = o.clock ?? systemClock;
    const log = o.logger ?? createLogger('permissions');
    const now = (): number => clock.now();
    const [rules, roots, policy, audit] = await Promise.all([
      RuleStore.open(o.store, now, log),
      TrustedRootStore.open(o.store, now, log),
      PolicyStore.open(o.store, now, log),
      AuditLog.open(o.store, log, o.auditMax ?? AUDIT_LOG_MAX, o.sync?.lock),
    ]);
    return new PermissionGate({ rules, roots, policy, audit }, clock, log, o);
  }

  private constructor(
    stores: { rules: RuleStore; roots: TrustedRootStore; policy: PolicyStore; audit: AuditLog },
    private readonly clock: Clock,
    private readonly log: Logger,
    o: Pick<PermissionGateOptions, 'timeoutMs' | 'maxQuestions' | 'denyCooldownMs' | 'sync'>,
  ) {
    this.denyCooldownMs = o.denyCooldownMs ?? 15_000;
    this.rules = stores.rules;
    this.roots = stores.roots;
    this.policy = stores.policy;
    this.audit = stores.audit;
    this.queue = new QuestionQueue(clock, { ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}), ...(o.maxQuestions !== undefined ? { maxQuestions: o.maxQuestions } : {}) }, log);
    this.links = new LiveLinks(log);
    this.conversations = new Conversations(() => clock.now());
    this.deps = { rules: this.rules, roots: this.roots, policy: this.policy, now: () => clock.now(), conversations: this.conversations };
    this.unsubscribe.push(
      ...closeOnRevocation(this.links, this.rules, this.roots, this.policy),
      this.rules.onChange(() => void this.recheck()),
      this.roots.subscribe(() => void this.recheck()),
      this.policy.subscribe(() => void this.recheck()),
    );
    const sync = o.sync;
    if (sync) {
      const post = (): void => sync.post();
      this.unsubscribe.push(
        this.rules.onSaved(post),
        this.roots.onSaved(post),
        this.policy.onSaved(post),
        sync.onMessage(() => void this.reloadStores()),
      );
    }
  }

  /**
   * Re-reads rules, roots, policy and the audit log (another tab changed them). Their
   * listeners then release waiting questions and close revoked links as for
   * a change made here. Messages that arrive during a reload cost one more
   * reload, not one each. Never rejects: a store that cannot be read keeps its state.
   */
  reloadStores(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    const run = async (): Promise<void> => {
      do {
        this.reloadAgain = false;
        const results = await Promise.allSettled([this.rules.reload(), this.roots.reload(), this.policy.reload(), this.audit.reload()]);
        for (const r of results) if (r.status === 'rejected') this.log.error('reloading permissions failed', r.reason);
      } while (this.reloadAgain && !this.closed);
      this.reloading = null;
    };
    this.reloading = run();
    return this.reloading;
  }

  /** The questions waiting for the person, oldest first; for the dialog. */
  get questions(): QuestionList {
    return this.queue;
  }

  /** Problems met while loading the stores, in words for people. */
  get warnings(): string[] {
    return [...this.rules.warnings, ...this.roots.warnings, ...this.policy.warnings, ...this.audit.warnings];
  }

  /**
   * Decides whether a link may go on. Throws InvalidDecisionRequestError on
   * a request the handshake built wrongly (e.g. a node ID that is not the
   * hash of the proven key); otherwise always resolves, refusing when in
   * doubt. Waits for the person when it must ask: at most the timeout for a
   * question about a peer, until they answer for the overlay's join question.
   */
  async decide(req: DecisionRequest, o: DecideOptions = {}): Promise<PermissionDecision> {
    const facts = await examine(req, this.deps);
    if (this.closed) return this.finish(req, facts, cancelled('the permissions gate was closed'));
    const verdict = judge(req, facts, this.deps);
    if (verdict) return this.finish(req, facts, verdict);
    // Default mode asks once per overlay for overlay links; strict mode and contact ask per key.
    const perOverlay = req.scope === 'overlay' && !this.policy.strict;
    const key = perOverlay ? `overlay/${req.overlay}` : `${req.scope}/${facts.ruleSubject.kind}/${facts.ruleSubject.keyId}`;
    const quietUntil = this.quiet.get(key);
    if (quietUntil !== undefined && quietUntil > this.clock.now()) {
      return this.finish(req, facts, { allow: false, reason: 'user', detail: 'you answered “deny” a moment ago', basis: { kind: 'none' } });
    }
    this.quiet.delete(key);
    const outcome = await this.queue.ask(
      key,
      () => ({ kind: perOverlay ? 'overlay' : 'peer', scope: req.scope, direction: req.direction, overlay: req.overlay, peer: summarize(facts) }),
      { req, facts },
      o.signal,
      // The tab's own "join the network?" waits for the person: refusing it by itself would leave them unreachable without a word (issue 18).
      { timeout: !perOverlay },
    );
    return this.finish(req, facts, this.verdictOf(outcome));
  }

  /**
   * The person's answer to a question. All links waiting on it get the same
   * decision; the `-always` answers remember a rule (or, for an overlay
   * question, an allowance for the overlay; "allow once" to an overlay
   * question lasts until the tab reloads). Throws QuestionNotFoundError when
   * the question has timed out or was withdrawn.
   */
  async answer(questionId: string, answer: Answer): Promise<void> {
    if (!ANSWERS.includes(answer)) throw new PermissionsError(`unknown answer "${String(answer)}"`);
    const question = this.queue.get(questionId);
    const waiters = this.queue.take(questionId);
    if (!question || !waiters) throw new QuestionNotFoundError('that question is no longer waiting (it timed out or the peer went away)');
    const first = waiters[0]?.request;
    const allow = isAllowing(answer);
    let basis: DecisionBasis = allow ? { kind: 'once' } : { kind: 'none' };
    let failure: unknown;
    try {
      if (first) basis = await this.remember(question, first, answer) ?? basis;
    } catch (e) {
      // The person's answer still holds for these links; only remembering it failed.
      failure = e;
    }
    if (answer === 'deny' && first) {
      const s = first.facts.ruleSubject;
      const key = question.kind === 'overlay' ? `overlay/${question.overlay}` : `${question.scope}/${s.kind}/${s.keyId}`;
      // "Not now" to joining holds until the person asks to join (askAgain): the question comes back when it matters, not on the next retry (issue 18).
      this.quiet.set(key, question.kind === 'overlay' ? Number.POSITIVE_INFINITY : this.clock.now() + this.denyCooldownMs);
    }
    for (const w of waiters) w.settle({ kind: 'answered', answer, basis });
    if (failure) throw failure;
  }

  /**
   * Records a live link let in by `decision`, so that revoking what let it in
   * closes it (through onCloseLinks). Returns the function to call when the
   * link closes. If what let it in is already gone, the close request follows at once.
   */
  registerLink(linkId: string, decision: PermissionDecision): () => void {
    if (!this.issued.has(decision)) throw new PermissionsError('that decision was not made by this gate');
    if (!decision.allow) throw new PermissionsError('a refused link cannot be registered');
    const grant: LinkGrant = { scope: decision.scope, overlay: decision.overlay, peerNodeId: decision.peerNodeId, subject: decision.subject, basis: decision.basis };
    const forget = this.links.add(linkId, grant);
    if (!this.basisHolds(decision.basis, decision.scope)) {
      this.links.closeWhere((g) => g === grant, 'the permission that let it in was taken back');
    }
    return forget;
  }

  /**
   * This tab's newest decision on an overlay-scope link for `overlay`
   * (whatever decided it: a rule, the person, a timed-out question), or null
   * before any. Lets the app say why it is not in the ring: "you did not
   * answer" is not "nobody answered".
   */
  lastOverlayDecision(overlay: string): OverlayDecisionSummary | null {
    return this.overlayDecisions.get(overlay) ?? null;
  }

  /**
   * Lets the next overlay link for `overlay` ask the person again at once,
   * even if they answered "Deny" before (they asked to join now). A "Deny" to
   * the join question keeps it quiet in this tab until this is called.
   */
  askAgain(overlay: string): void {
    this.quiet.delete(`overlay/${overlay}`);
  }

  /** Forgets a live link (it closed on its own). */
  linkClosed(linkId: string): void {
    this.links.remove(linkId);
  }

  /** Called with links to close because the permission that let them in was taken back. */
  onCloseLinks(fn: (request: CloseLinksRequest) => void): () => void {
    return this.links.onClose(fn);
  }

  /** Refuses every waiting question's links and stops listening to the stores. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe) u();
    for (const { questionId, waiter } of this.queue.waiters()) {
      this.queue.release(questionId, waiter, { kind: 'cancelled', why: 'the permissions gate was closed' });
    }
  }

  private async remember(question: PermissionQuestion, first: Pending, answer: Answer): Promise<DecisionBasis | undefined> {
    const now = this.clock.now();
    if (question.kind === 'overlay') {
      if (answer === 'deny') return undefined;
      await this.policy.setOverlay(question.overlay, answer === 'deny-always' ? 'deny' : 'allow', answer !== 'allow-once');
      return answer === 'deny-always' ? undefined : { kind: 'overlay', overlay: question.overlay };
    }
    if (answer !== 'allow-always' && answer !== 'deny-always') return undefined;
    const s = first.facts.ruleSubject;
    const rule = await makeRule({
      scope: question.scope,
      kind: s.kind,
      spki: first.facts.ruleSpki,
      decision: answer === 'allow-always' ? 'allow' : 'deny',
      created: now,
      name: s.name,
    });
    await this.rules.remember(rule);
    return rule.decision === 'allow' ? { kind: 'rule', ruleId: rule.id } : undefined;
  }

  /** A rule or policy that arrives while links wait decides them without the person. */
  private async recheck(): Promise<void> {
    for (const { questionId, waiter } of this.queue.waiters()) {
      try {
        const facts = await examine(waiter.request.req, this.deps);
        const verdict = judge(waiter.request.req, facts, this.deps);
        if (verdict) this.queue.release(questionId, waiter, { kind: 'decided', verdict });
      } catch (e) {
        this.log.error('re-checking a waiting link failed', e);
      }
    }
  }

  private basisHolds(basis: DecisionBasis, scope: Scope): boolean {
    switch (basis.kind) {
      case 'rule':
        return this.rules.getSnapshot().some((r) => r.id === basis.ruleId && r.decision === 'allow');
      case 'root':
        return this.roots.find(basis.rootId)?.allow[scope] === true;
      case 'overlay':
        return this.policy.overlayAllowance(basis.overlay)?.decision === 'allow';
      default:
        return true;
    }
  }

  private verdictOf(outcome: QuestionOutcome): Verdict {
    switch (outcome.kind) {
      case 'answered': {
        const allow = isAllowing(outcome.answer);
        return { allow, reason: 'user', detail: `you answered: ${ANSWER_WORDS[outcome.answer]}`, basis: allow ? outcome.basis : { kind: 'none' } };
      }
      case 'decided':
        return outcome.verdict;
      case 'timeout':
        return { allow: false, reason: 'timeout', detail: `no answer within ${Math.round(this.queue.timeoutMs / 1000)} s`, basis: { kind: 'none' } };
      case 'busy':
        return { allow: false, reason: 'busy', detail: `${this.queue.maxQuestions} questions were already waiting`, basis: { kind: 'none' } };
      case 'cancelled':
        return cancelled(outcome.why);
    }
  }

  private finish(req: DecisionRequest, facts: PeerFacts, verdict: Verdict): PermissionDecision {
    const at = this.clock.now();
    const decision: PermissionDecision = {
      ...verdict,
      id: `d${++this.seq}`,
      at,
      scope: req.scope,
      direction: req.direction,
      overlay: req.overlay,
      peerNodeId: req.peerNodeId,
      subject: facts.ruleSubject,
    };
    this.issued.add(decision);
    if (req.scope === 'overlay') this.overlayDecisions.set(req.overlay, { allow: verdict.allow, reason: verdict.reason, at });
    this.audit.record({
      at,
      peerNodeId: req.peerNodeId,
      fingerprint: facts.ruleSubject.fingerprint,
      ...(facts.user ? { userId: facts.user.keyId } : {}),
      ...(facts.name !== undefined ? { name: facts.name } : {}),
      scope: req.scope,
      direction: req.direction,
      overlay: req.overlay,
      allow: verdict.allow,
      reason: verdict.reason,
      detail: verdict.detail,
    });
    this.log.debug(`${verdict.allow ? 'allow' : 'deny'} ${req.scope} ${req.direction} ${facts.ruleSubject.fingerprint}: ${verdict.detail}`);
    return decision;
  }
}

function cancelled(why: string): Verdict {
  return { allow: false, reason: 'cancelled', detail: why, basis: { kind: 'none' } };
}
