/**
 * Remembered rules, persisted through the KeyValueStore. The UI reads them
 * with subscribe/getSnapshot (fit for React's useSyncExternalStore); the gate
 * listens for changes to close links whose rule was revoked.
 */
import type { KeyValueStore } from '../identity';
import { NotFoundError, PermissionsError, RulesImportError } from './errors';
import { Listeners, type Logger } from '../common';
import { STORAGE_KEYS } from './persisted';
import { PersistedState } from './persisted-state';
import { MAX_RULES, ruleId, rulesFromFile, rulesToFile } from './rules-format';
import type { PermissionRule, Scope, SubjectKind } from './types';

/** What changed in one operation: rules that came in and rules that went (revoked or replaced). */
export interface RulesChange {
  readonly added: readonly PermissionRule[];
  readonly removed: readonly PermissionRule[];
}

export interface ImportResult {
  /** Rules in the file. */
  readonly imported: number;
  /** Existing rules it replaced (same key and scope) or, in replace mode, dropped. */
  readonly replaced: number;
}

export class RuleStore extends PersistedState<readonly PermissionRule[]> {
  private rules = new Map<string, PermissionRule>();
  private readonly changes: Listeners<RulesChange>;
  private readonly revoked: Listeners<PermissionRule>;

  private constructor(
    store: KeyValueStore,
    private readonly now: () => number,
    log: Logger,
  ) {
    super(store, STORAGE_KEYS.rules, Object.freeze([]), log);
    this.changes = new Listeners(log);
    this.revoked = new Listeners(log);
  }

  /** Loads the stored rules. Damaged storage gives an empty list and a warning, never a failure. */
  static async open(store: KeyValueStore, now: () => number, log: Logger): Promise<RuleStore> {
    const s = new RuleStore(store, now, log);
    await s.load(
      parseStored,
      'Your remembered permission rules could not be read, so none are in force. Import an exported copy to restore them.',
    );
    s.rules = new Map(s.getSnapshot().map((r) => [r.id, r]));
    return s;
  }

  /**
   * Re-reads the rules another tab stored, and tells listeners what came and
   * went as a change made here would (so links let in by a rule revoked
   * there are closed here). Damaged storage keeps the rules in force.
   */
  reload(): Promise<void> {
    return this.queue.run(async () => {
      const list = await this.reread(parseStored);
      if (!list) return;
      const next = new Map(list.map((r) => [r.id, r]));
      const same = (a: PermissionRule, b: PermissionRule | undefined): boolean => b !== undefined && JSON.stringify(a) === JSON.stringify(b);
      const added = list.filter((r) => !same(r, this.rules.get(r.id)));
      const removed = [...this.rules.values()].filter((r) => !same(r, next.get(r.id)));
      if (added.length === 0 && removed.length === 0) return;
      this.rules = next;
      this.adopt(Object.freeze(list));
      this.announce(next, added, removed);
    });
  }

  /** Called once per rule that stops being in force: revoked, or replaced by another decision. */
  onRevoked(fn: (rule: PermissionRule) => void): () => void {
    return this.revoked.add(fn);
  }

  /** Called after each operation with what came and went. */
  onChange(fn: (change: RulesChange) => void): () => void {
    return this.changes.add(fn);
  }

  find(scope: Scope, kind: SubjectKind, keyId: string): PermissionRule | undefined {
    return this.rules.get(ruleId(scope, kind, keyId));
  }

  /** Adds a rule, or replaces the one for the same key and scope. */
  remember(rule: PermissionRule): Promise<void> {
    return this.queue.run(async () => {
      const next = new Map(this.rules);
      const old = next.get(rule.id);
      next.set(rule.id, rule);
      if (next.size > MAX_RULES) throw new PermissionsError(`at most ${MAX_RULES} rules can be remembered`);
      await this.apply(next, [rule], old ? [old] : []);
    });
  }

  /** Revokes one rule; throws NotFoundError when there is none with that ID. */
  revoke(id: string): Promise<PermissionRule> {
    return this.queue.run(async () => {
      const old = this.rules.get(id);
      if (!old) throw new NotFoundError('that rule is no longer there');
      const next = new Map(this.rules);
      next.delete(id);
      await this.apply(next, [], [old]);
      return old;
    });
  }

  /** Revokes every rule; returns those it revoked. */
  revokeAll(): Promise<PermissionRule[]> {
    return this.queue.run(async () => {
      const old = [...this.rules.values()];
      await this.apply(new Map(), [], old);
      return old;
    });
  }

  /** The rules as a JSON file's text. */
  exportJson(): string {
    return JSON.stringify(rulesToFile(this.getSnapshot(), this.now()), null, 2) + '\n';
  }

  /**
   * Imports a rules file. All or nothing: any problem throws RulesImportError
   * saying what was wrong, and the rules stay as they were. `merge` (the
   * default) keeps rules the file does not mention; `replace` drops them.
   */
  importJson(text: string, mode: 'merge' | 'replace' = 'merge'): Promise<ImportResult> {
    return this.queue.run(async () => {
      const incoming = await rulesFromFile(text);
      const next = mode === 'replace' ? new Map<string, PermissionRule>() : new Map(this.rules);
      const removed: PermissionRule[] = mode === 'replace' ? [...this.rules.values()] : [];
      for (const rule of incoming) {
        const old = next.get(rule.id);
        if (old) removed.push(old);
        next.set(rule.id, rule);
      }
      if (next.size > MAX_RULES) throw new RulesImportError(`with this file there would be more than ${MAX_RULES} rules`);
      await this.apply(next, incoming, removed);
      return { imported: incoming.length, replaced: removed.length };
    });
  }

  private async apply(next: Map<string, PermissionRule>, added: PermissionRule[], removed: PermissionRule[]): Promise<void> {
    const list = Object.freeze(sortNewestFirst([...next.values()]));
    const previous = this.rules;
    // Set before commit's synchronous notification, so a subscriber's find() sees the new rules.
    this.rules = next;
    try {
      await this.commit(list, rulesToFile(list, this.now()));
    } catch (e) {
      this.rules = previous;
      throw e;
    }
    this.announce(next, added, removed);
  }

  private announce(next: Map<string, PermissionRule>, added: PermissionRule[], removed: PermissionRule[]): void {
    // A rule replaced by the very same decision is still in force: not a revocation.
    const gone = removed.filter((r) => next.get(r.id)?.decision !== r.decision);
    for (const r of gone) this.revoked.emit(r);
    this.changes.emit({ added, removed: gone });
  }
}

async function parseStored(raw: unknown): Promise<readonly PermissionRule[]> {
  return sortNewestFirst(await rulesFromFile(raw));
}

function sortNewestFirst(list: readonly PermissionRule[]): PermissionRule[] {
  return [...list].sort((a, b) => b.created - a.created || a.id.localeCompare(b.id));
}
