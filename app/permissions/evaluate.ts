/**
 * The non-interactive part of a decision: check the request, read what the
 * peer presented (keys, name, certificate), then apply remembered rules and
 * policies in the order DESIGN.md gives. Whatever these leave open is a
 * question for the person.
 */
import {
  certificateNameProblem,
  fingerprint,
  isNodeId,
  nodeIdFromSpki,
  toBase64Url,
  verifyCertificate,
  type CertificateProblem,
} from '../identity';
import type { Conversations } from './conversations';
import { InvalidDecisionRequestError } from './errors';
import type { PolicyStore } from './policy-store';
import type { PeerSummary } from './question-queue';
import type { RuleStore } from './rule-store';
import type { TrustedRootStore } from './trusted-roots';
import { SCOPES, type Direction, type PermissionRule, type Scope, type Subject, type TrustedRoot, type Verdict } from './types';

/** A user identity the far peer proved in the link handshake. */
export interface PeerUserClaim {
  /** 40 hex digits derived from signingSpki; computed when absent, checked when given. */
  readonly userId?: string;
  readonly signingSpki: Uint8Array;
  /** The name it presented, if any. */
  readonly name?: string;
}

/** What the link handshake asks the gate. */
export interface DecisionRequest {
  /** The far peer's node ID: must be the hash of peerNodeSpki. */
  readonly peerNodeId: string;
  /** The node key the far peer proved it holds. */
  readonly peerNodeSpki: Uint8Array;
  readonly user?: PeerUserClaim;
  /** A certificate the peer presented: JSON text, parsed JSON or an IdentityCertificate; checked here. */
  readonly certificate?: unknown;
  readonly scope: Scope;
  readonly direction: Direction;
  /** The overlay (and SIP domain) of the link. */
  readonly overlay: string;
}

/** What the gate worked out about the peer. */
export interface PeerFacts {
  readonly node: Subject;
  readonly user?: Subject;
  /**
   * The key rules are kept by in this scope: for `contact` the person's user
   * key when they presented one (one rule per person, whichever tab they
   * call from), else the node key; for `overlay` always the node key, since
   * overlay traffic is the tab's, not the person's.
   */
  readonly ruleSubject: Subject;
  readonly ruleSpki: Uint8Array;
  readonly name?: string;
  readonly certificate?: CertificateFinding;
}

export type CertificateFinding =
  | { readonly ok: true; readonly root: TrustedRoot }
  | { readonly ok: false; readonly forged: boolean; readonly reason: string };

/** Problems that mean the certificate was tampered with or is someone else's: the peer is refused. */
const FORGED: readonly CertificateProblem[] = ['malformed', 'changed', 'wrong-key', 'wrong-name', 'wrong-overlay'];

export interface EvaluateDeps {
  readonly rules: RuleStore;
  readonly roots: TrustedRootStore;
  readonly policy: PolicyStore;
  readonly now: () => number;
  /** The conversations this person started: their other side may reach them back without a question. */
  readonly conversations?: Conversations;
}

function subject(kind: Subject['kind'], keyId: string, name: string | undefined): Subject {
  return { kind, keyId, fingerprint: fingerprint(keyId), ...(name !== undefined ? { name } : {}) };
}

function bad(message: string): InvalidDecisionRequestError {
  return new InvalidDecisionRequestError(message);
}

/** Checks the request and reads the peer's identity. Throws InvalidDecisionRequestError on a request built wrongly. */
export async function examine(req: DecisionRequest, deps: EvaluateDeps): Promise<PeerFacts> {
  if (!SCOPES.includes(req.scope)) throw bad('scope must be "overlay" or "contact"');
  if (req.direction !== 'inbound' && req.direction !== 'outbound') throw bad('direction must be "inbound" or "outbound"');
  if (typeof req.overlay !== 'string' || req.overlay.length === 0 || req.overlay.length > 253) throw bad('overlay must be an overlay name');
  if (!isNodeId(req.peerNodeId) || !(req.peerNodeSpki instanceof Uint8Array)) throw bad('peerNodeId and peerNodeSpki are required');
  if ((await nodeIdFromSpki(req.peerNodeSpki)) !== req.peerNodeId) throw bad('peerNodeId is not the ID of peerNodeSpki');
  const u = req.user;
  let userId: string | undefined;
  if (u) {
    if (!(u.signingSpki instanceof Uint8Array)) throw bad('user.signingSpki is required');
    userId = await nodeIdFromSpki(u.signingSpki);
    if (u.userId !== undefined && u.userId !== userId) throw bad('user.userId is not the ID of user.signingSpki');
  }
  // The name is the peer's word, shown to the person: one that could mislead (control characters, too long) is not shown.
  const presentedName = typeof u?.name === 'string' && certificateNameProblem(u.name) === null ? u.name : undefined;
  let certificate: CertificateFinding | undefined;
  let name = presentedName;
  if (req.certificate !== undefined) {
    const roots = deps.roots.getSnapshot();
    const check = await verifyCertificate(req.certificate, {
      trustedRoots: roots.map((r) => deps.roots.spkiOf(r)),
      now: deps.now(),
      // A certificate vouches for the person's key; a service peer without a user may carry one for its node key.
      subjectSpki: u?.signingSpki ?? req.peerNodeSpki,
      ...(presentedName !== undefined ? { name: presentedName } : {}),
      overlay: req.overlay,
    });
    if (check.ok) {
      const rootSpki = toBase64Url(check.certificate.rootSpki);
      const root = roots.find((r) => r.spki === rootSpki);
      certificate = root ? { ok: true, root } : { ok: false, forged: false, reason: 'its root is no longer trusted' };
      name ??= check.certificate.name;
    } else {
      certificate = { ok: false, forged: FORGED.includes(check.problem), reason: check.reason };
    }
  }
  const node = subject('node', req.peerNodeId, name);
  const user = userId !== undefined ? subject('user', userId, name) : undefined;
  const byUser = req.scope === 'contact' && user !== undefined;
  return {
    node,
    ...(user ? { user } : {}),
    ruleSubject: byUser ? user : node,
    ruleSpki: byUser && u ? u.signingSpki : req.peerNodeSpki,
    ...(name !== undefined ? { name } : {}),
    ...(certificate ? { certificate } : {}),
  };
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function byRule(rule: PermissionRule): Verdict {
  const allow = rule.decision === 'allow';
  return {
    allow,
    reason: 'rule',
    detail: `${allow ? 'always allowed' : 'always denied'} by your rule of ${day(rule.created)}`,
    basis: allow ? { kind: 'rule', ruleId: rule.id } : { kind: 'none' },
  };
}

/**
 * Applies rules, then policies. Returns null when only the person can decide.
 * Rules: the rule for the rule subject, and for a person also the rule for
 * their node key; a deny among them wins, so a refused tab cannot walk in by
 * presenting a fresh user key.
 */
export function judge(req: DecisionRequest, facts: PeerFacts, deps: EvaluateDeps): Verdict | null {
  const rules = [deps.rules.find(req.scope, facts.ruleSubject.kind, facts.ruleSubject.keyId)];
  if (facts.ruleSubject.kind === 'user') rules.push(deps.rules.find(req.scope, 'node', facts.node.keyId));
  const found = rules.filter((r): r is PermissionRule => r !== undefined);
  const rule = found.find((r) => r.decision === 'deny') ?? found[0];
  if (rule) return byRule(rule);

  const cert = facts.certificate;
  if (cert && !cert.ok && cert.forged) {
    return { allow: false, reason: 'certificate', detail: `certificate refused: ${cert.reason}`, basis: { kind: 'none' } };
  }
  // Calling back is not a question: after remembered rules (a deny still wins), for a person's calls and messages only.
  if (req.scope === 'contact' && req.direction === 'inbound' && facts.ruleSubject.kind === 'user') {
    const c = deps.conversations?.allows(facts.ruleSubject.keyId);
    if (c) return { allow: true, reason: 'conversation', detail: `you ${c.why === 'called' ? 'called' : 'wrote to'} ${c.name}: they may answer until the conversation ends`, basis: { kind: 'none' } };
  }
  if (cert?.ok && cert.root.allow[req.scope]) {
    return {
      allow: true,
      reason: 'policy',
      detail: `vouched for by your trusted root "${cert.root.label}" (${cert.root.fingerprint})`,
      basis: { kind: 'root', rootId: cert.root.id },
    };
  }
  if (req.scope === 'overlay' && !deps.policy.strict) {
    const a = deps.policy.overlayAllowance(req.overlay);
    if (a?.decision === 'allow') {
      return {
        allow: true,
        reason: 'policy',
        detail: `overlay links allowed for ${a.overlay} ${a.remembered ? 'as a whole' : 'for this session'}`,
        basis: { kind: 'overlay', overlay: a.overlay },
      };
    }
    if (a?.decision === 'deny') return { allow: false, reason: 'policy', detail: `overlay links refused for ${a.overlay}`, basis: { kind: 'none' } };
  }
  return null;
}

/** Who is asking, for the question dialog. */
export function summarize(facts: PeerFacts): PeerSummary {
  const cert = facts.certificate;
  return {
    nodeId: facts.node.keyId,
    nodeFingerprint: facts.node.fingerprint,
    ...(facts.user ? { userId: facts.user.keyId, userFingerprint: facts.user.fingerprint } : {}),
    ...(facts.name !== undefined ? { name: facts.name } : {}),
    ...(cert?.ok ? { vouchedBy: { rootId: cert.root.id, label: cert.root.label, fingerprint: cert.root.fingerprint } } : {}),
    ...(cert && !cert.ok ? { certificateNote: cert.reason } : {}),
  };
}
