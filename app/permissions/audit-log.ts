/**
 * The audit log: one entry per decision, the newest first, bounded, kept
 * through the KeyValueStore and exportable. Writing never holds up a
 * decision; a failed write loses log lines, not decisions.
 */
import type { KeyValueStore } from '../identity';
import type { Logger } from './logger';
import { STORAGE_KEYS } from './persisted';
import { PersistedState } from './persisted-state';
import type { DecisionReason, Direction, Scope } from './types';

/** How many entries are kept. */
export const AUDIT_LOG_MAX = 1000;
export const AUDIT_FORMAT = 'p2p-softphone/permission-audit-log';

/** One decision, as the Permissions page lists it. */
export interface AuditEntry {
  /** Increasing number, unique in this log. */
  readonly seq: number;
  readonly at: number;
  readonly peerNodeId: string;
  /** Who, for people: the fingerprint of the key the decision was about. */
  readonly fingerprint: string;
  readonly userId?: string;
  readonly name?: string;
  readonly scope: Scope;
  readonly direction: Direction;
  readonly overlay: string;
  readonly allow: boolean;
  readonly reason: DecisionReason;
  readonly detail: string;
}

function isEntry(v: unknown): v is AuditEntry {
  const e = v as Partial<AuditEntry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.seq === 'number' &&
    typeof e.at === 'number' &&
    typeof e.peerNodeId === 'string' &&
    typeof e.fingerprint === 'string' &&
    typeof e.allow === 'boolean' &&
    typeof e.reason === 'string' &&
    typeof e.detail === 'string'
  );
}

export class AuditLog extends PersistedState<readonly AuditEntry[]> {
  private constructor(
    store: KeyValueStore,
    private readonly max: number,
    log: Logger,
  ) {
    super(store, STORAGE_KEYS.audit, Object.freeze([]), log);
  }

  /** @param max entries kept @default AUDIT_LOG_MAX */
  static async open(store: KeyValueStore, log: Logger, max = AUDIT_LOG_MAX): Promise<AuditLog> {
    const s = new AuditLog(store, max, log);
    // Lenient: a damaged line is dropped, the rest of the log stays readable.
    await s.load((raw) => {
      if (!Array.isArray(raw)) throw new TypeError('not a list');
      return Object.freeze(raw.filter(isEntry).slice(0, max));
    }, 'The permissions audit log could not be read; it starts afresh.');
    return s;
  }

  /** Adds an entry (newest first), dropping the oldest past the bound. */
  record(entry: Omit<AuditEntry, 'seq'>): AuditEntry {
    const list = this.getSnapshot();
    const full: AuditEntry = { seq: (list[0]?.seq ?? 0) + 1, ...entry };
    const next = Object.freeze([full, ...list.slice(0, this.max - 1)]);
    this.commitLater(next, next);
    return full;
  }

  /** Empties the log. */
  clear(): Promise<void> {
    return this.queue.run(() => this.commit(Object.freeze([]), []));
  }

  /** The log as a JSON file's text, oldest entry first. */
  exportJson(now: number): string {
    const entries = [...this.getSnapshot()].reverse().map((e) => ({ ...e, time: new Date(e.at).toISOString() }));
    return JSON.stringify({ format: AUDIT_FORMAT, version: 1, exported: new Date(now).toISOString(), entries }, null, 2) + '\n';
  }
}
