/**
 * Permissions: who may link with this tab, per peer and scope. The link
 * handshake calls `PermissionGate.decide`; the UI reads the question queue,
 * rules, roots, policy and audit log through their subscribe/getSnapshot
 * pairs (made for React's useSyncExternalStore) and calls their methods.
 */
export { PermissionGate, type PermissionDecision, type DecideOptions, type PermissionGateOptions, type PermissionSync, type QuestionList, type OverlayDecisionSummary } from './gate';
export type { DecisionRequest, PeerUserClaim, PeerFacts, CertificateFinding } from './evaluate';
export type { PermissionQuestion, PeerSummary, QuestionOutcome } from './question-queue';
export { Conversations, CONVERSATION_MS, MAX_CONVERSATIONS, type Conversation, type ConversationStart } from './conversations';
export { RuleStore, type RulesChange, type ImportResult } from './rule-store';
export { RULES_FORMAT, MAX_RULES, MAX_RULES_FILE_BYTES, makeRule, rulesFromFile, rulesToFile, ruleId, type RuleJson, type RulesFile } from './rules-format';
export { TrustedRootStore, MAX_TRUSTED_ROOTS, MAX_ROOT_LABEL, type AddRootOptions, type RootWithdrawn } from './trusted-roots';
export { PolicyStore, type PolicyState } from './policy-store';
export { AuditLog, AUDIT_LOG_MAX, AUDIT_FORMAT, type AuditEntry, type CrossTabLock } from './audit-log';
export type { CloseLinksRequest } from './live-links';
export { parsePublicKeyText, MAX_KEY_TEXT_BYTES } from './key-text';
export { STORAGE_KEYS } from './persisted';
export {
  PermissionsError,
  InvalidDecisionRequestError,
  RulesImportError,
  KeyParseError,
  QuestionNotFoundError,
  NotFoundError,
} from './errors';
export {
  SCOPES,
  ANSWERS,
  type Scope,
  type Direction,
  type RuleDecision,
  type Answer,
  type DecisionReason,
  type SubjectKind,
  type Subject,
  type PermissionRule,
  type TrustedRoot,
  type OverlayAllowance,
  type DecisionBasis,
  type Verdict,
} from './types';
