/**
 * The JSON form of remembered rules: the export file, and also what is
 * stored, so loading and importing share one validator. A rule names its key
 * by SPKI, and every key must parse, so a file cannot smuggle in a rule for a
 * key nobody holds or a hash that matches nothing.
 */
import { certificateNameProblem, fingerprint, fitsUtf8, fromBase64, importVerifyKey, nodeIdFromSpki, toBase64Url } from '../identity';
import { RulesImportError } from './errors';
import { SCOPES, type PermissionRule, type RuleDecision, type Scope, type SubjectKind } from './types';

export const RULES_FORMAT = 'p2p-softphone/permission-rules';
/** Most rules one file or store may hold. */
export const MAX_RULES = 10_000;
/** Largest rules file accepted, in bytes of UTF-8. */
export const MAX_RULES_FILE_BYTES = 4_000_000;

/** One rule as written in the file. */
export interface RuleJson {
  scope: Scope;
  subject: SubjectKind;
  /** base64url SPKI. */
  key: string;
  name?: string;
  decision: RuleDecision;
  /** ISO 8601. */
  created: string;
}

export interface RulesFile {
  format: typeof RULES_FORMAT;
  version: 1;
  exported: string;
  rules: RuleJson[];
}

export function ruleId(scope: Scope, kind: SubjectKind, keyId: string): string {
  return `${scope}/${kind}/${keyId}`;
}

/** Builds a rule for a key, deriving its ID and fingerprint from the SPKI. */
export async function makeRule(o: {
  scope: Scope;
  kind: SubjectKind;
  spki: Uint8Array;
  decision: RuleDecision;
  created: number;
  name?: string | undefined;
}): Promise<PermissionRule> {
  const keyId = await nodeIdFromSpki(o.spki);
  return {
    id: ruleId(o.scope, o.kind, keyId),
    scope: o.scope,
    subject: { kind: o.kind, keyId, fingerprint: fingerprint(keyId), ...(o.name !== undefined ? { name: o.name } : {}) },
    spki: toBase64Url(o.spki),
    decision: o.decision,
    created: o.created,
  };
}

export function rulesToFile(rules: readonly PermissionRule[], now: number): RulesFile {
  return {
    format: RULES_FORMAT,
    version: 1,
    exported: new Date(now).toISOString(),
    rules: rules.map((r) => ({
      scope: r.scope,
      subject: r.subject.kind,
      key: r.spki,
      ...(r.subject.name !== undefined ? { name: r.subject.name } : {}),
      decision: r.decision,
      created: new Date(r.created).toISOString(),
    })),
  };
}

async function ruleFromJson(raw: unknown, where: string): Promise<PermissionRule> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RulesImportError(`${where} is not an object`);
  const r = raw as Record<string, unknown>;
  if (!SCOPES.includes(r['scope'] as Scope)) throw new RulesImportError(`${where}: "scope" must be "overlay" or "contact"`);
  if (r['subject'] !== 'user' && r['subject'] !== 'node') throw new RulesImportError(`${where}: "subject" must be "user" or "node"`);
  if (r['decision'] !== 'allow' && r['decision'] !== 'deny') throw new RulesImportError(`${where}: "decision" must be "allow" or "deny"`);
  const created = typeof r['created'] === 'string' ? Date.parse(r['created']) : NaN;
  if (!Number.isFinite(created)) throw new RulesImportError(`${where}: "created" is not a date`);
  const name = r['name'];
  if (name !== undefined) {
    const problem = typeof name === 'string' ? certificateNameProblem(name) : 'the name is not text';
    if (problem) throw new RulesImportError(`${where}: ${problem}`);
  }
  if (typeof r['key'] !== 'string') throw new RulesImportError(`${where}: "key" is missing`);
  let spki: Uint8Array;
  try {
    spki = fromBase64(r['key']);
    await importVerifyKey(spki);
  } catch {
    throw new RulesImportError(`${where}: the key does not parse as an ECDSA P-256 public key`);
  }
  return makeRule({ scope: r['scope'] as Scope, kind: r['subject'], spki, decision: r['decision'], created, name: name as string | undefined });
}

/**
 * Parses and checks a whole rules file (text or parsed JSON). Throws
 * RulesImportError naming the first problem; returns nothing partial.
 * A key that appears twice for one scope keeps its last rule.
 */
export async function rulesFromFile(input: unknown): Promise<PermissionRule[]> {
  let raw = input;
  if (typeof input === 'string') {
    if (!fitsUtf8(input, MAX_RULES_FILE_BYTES)) throw new RulesImportError('the file is too large to be a rules file');
    try {
      raw = JSON.parse(input);
    } catch {
      throw new RulesImportError('the file is not JSON');
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RulesImportError('the file is not a rules file: expected a JSON object');
  const file = raw as Record<string, unknown>;
  if (file['format'] !== RULES_FORMAT) throw new RulesImportError(`the file is not a rules file: "format" is not "${RULES_FORMAT}"`);
  if (file['version'] !== 1) throw new RulesImportError('the rules file has a version this app does not know');
  const list = file['rules'];
  if (!Array.isArray(list)) throw new RulesImportError('the rules file has no "rules" list');
  if (list.length > MAX_RULES) throw new RulesImportError(`the rules file holds more than ${MAX_RULES} rules`);
  const byId = new Map<string, PermissionRule>();
  for (let i = 0; i < list.length; i++) {
    const rule = await ruleFromJson(list[i], `rule ${i + 1}`);
    byId.delete(rule.id);
    byId.set(rule.id, rule);
  }
  return [...byId.values()];
}
