/** The vocabulary shared by the gate, the stores and the UI. */

/**
 * `overlay`: the far peer may route and store through this tab (signed or
 * encrypted overlay traffic only). `contact`: calls, chat and video mail with
 * a person, whose browser learns this tab's IP address.
 */
export type Scope = 'overlay' | 'contact';
export const SCOPES: readonly Scope[] = ['overlay', 'contact'];

/** Who opened the link: the far peer (`inbound`) or this tab (`outbound`). */
export type Direction = 'inbound' | 'outbound';

export type RuleDecision = 'allow' | 'deny';

/** The four answers a question offers; the `-always` ones leave a remembered rule. */
export type Answer = 'allow-once' | 'allow-always' | 'deny' | 'deny-always';
export const ANSWERS: readonly Answer[] = ['allow-once', 'allow-always', 'deny', 'deny-always'];
/** Whether a person's answer lets the request through (a code, never matched as text). */
export const isAllowing = (answer: Answer): boolean => answer === 'allow-once' || answer === 'allow-always';

/**
 * Why a decision came out as it did. `rule`: a remembered rule; `policy`: a
 * trusted root or an overlay allowance; `user`: the person answered;
 * `timeout`: nobody answered in time; `certificate`: the peer presented a
 * certificate that was forged, tampered with or made for someone else;
 * `busy`: too many questions were already waiting; `cancelled`: the link went
 * away (its AbortSignal fired) or the gate was closed before an answer.
 */
/** Why a decision went as it did; `conversation`: the person called or wrote to them first (conversations.ts). */
export type DecisionReason = 'rule' | 'policy' | 'user' | 'timeout' | 'certificate' | 'busy' | 'cancelled' | 'conversation';

/** Whose key a rule names: the person's user signing key, or a tab's node key. */
export type SubjectKind = 'user' | 'node';

/** The key a decision is about, with what people are shown of it. */
export interface Subject {
  readonly kind: SubjectKind;
  /** 40 hex digits: the user ID or node ID (SHA-256 of the SPKI, truncated). */
  readonly keyId: string;
  /** Short grouped hex of keyId, as the identity panel shows it. */
  readonly fingerprint: string;
  /** The name the peer presented or a trusted certificate carries, if any. */
  readonly name?: string;
}

/** A remembered decision for one key and scope. */
export interface PermissionRule {
  /** `${scope}/${subject.kind}/${subject.keyId}`: one rule per key and scope. */
  readonly id: string;
  readonly scope: Scope;
  readonly subject: Subject;
  /** The SPKI the rule names, base64url, so an exported file can be checked on import. */
  readonly spki: string;
  readonly decision: RuleDecision;
  /** When it was made (ms since the epoch). */
  readonly created: number;
}

/** A root key the user trusts to vouch for peers' identities. */
export interface TrustedRoot {
  /** 40 hex digits derived from the SPKI, like a node ID. */
  readonly id: string;
  readonly spki: string;
  readonly fingerprint: string;
  /** The user's own label for it ("Acme staff"). */
  readonly label: string;
  readonly added: number;
  /** Per scope: let in peers whose identity this root signed, without asking. */
  readonly allow: Readonly<Record<Scope, boolean>>;
}

/** "Overlay links for this overlay as a whole": allowed or refused, remembered or for this session only. */
export interface OverlayAllowance {
  readonly overlay: string;
  readonly decision: RuleDecision;
  readonly since: number;
  /** False for an "allow once" answer: it lasts until the tab reloads. */
  readonly remembered: boolean;
}

/** What an allowed link depends on; revoking it closes the link. */
export type DecisionBasis =
  | { readonly kind: 'rule'; readonly ruleId: string }
  | { readonly kind: 'root'; readonly rootId: string }
  | { readonly kind: 'overlay'; readonly overlay: string }
  | { readonly kind: 'once' }
  | { readonly kind: 'none' };

/** A decision before it is logged: what and why. */
export interface Verdict {
  readonly allow: boolean;
  readonly reason: DecisionReason;
  /** Why, in words for the audit log and the person. */
  readonly detail: string;
  readonly basis: DecisionBasis;
}
