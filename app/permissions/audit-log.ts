/**
 * The audit log: one entry per decision, the newest first, bounded, kept
 * through the KeyValueStore and exportable. Writing never holds up a
 * decision; a failed write loses log lines, not decisions.
 */
import type { KeyValueStore } from '../identity';
import { type Logger } from '../common';
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
  /** Which tab decided (the log is shared by a profile's tabs): that tab's AuditLog.tab. */
  readonly tab?: string;
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
    typeof e.detail === 'string' &&
    (e.tab === undefined || typeof e.tab === 'string')
  );
}

/** Runs `fn` while no other tab runs one under the same name (Web Locks in browsers). */
export type CrossTabLock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

const inThisTabOnly: CrossTabLock = (_name, fn) => fn();

/** Lenient: a damaged line is dropped, the rest of the log stays readable. */
function parseEntries(raw: unknown, max: number): readonly AuditEntry[] {
  if (!Array.isArray(raw)) throw new TypeError('not a list');
  return Object.freeze(raw.filter(isEntry).slice(0, max));
}

/**
 * `fresh` (newest first) ahead of `stored`, bounded, numbered on from the
 * stored entries so numbers stay unique and rising across tabs (a tab's own
 * numbers are kept when they are already above).
 */
function ahead(fresh: readonly AuditEntry[], stored: readonly AuditEntry[], max: number): readonly AuditEntry[] {
  const oldest = fresh.at(-1)?.seq ?? 1;
  const base = Math.max(stored[0]?.seq ?? 0, oldest - 1);
  return Object.freeze([...fresh.map((e, i) => ({ ...e, seq: base + fresh.length - i })), ...stored].slice(0, max));
}

/**
 * The tabs of one browser profile share one stored log. Each tab keeps the
 * entries it has not stored yet and adds them to what is stored under a
 * cross-tab lock (read, add, write), so tabs deciding at once lose none of
 * each other's lines; writing the whole list from memory, as before, kept
 * only the last writer's.
 */
export class AuditLog extends PersistedState<readonly AuditEntry[]> {
  /** Marks the entries this tab records, in the log all tabs share. */
  readonly tab = Math.random().toString(36).slice(2, 10);
  /** Recorded here and not stored yet, newest first. */
  private unsaved: AuditEntry[] = [];
  private flushing: Promise<void> | null = null;

  private constructor(
    private readonly store: KeyValueStore,
    private readonly max: number,
    log: Logger,
    private readonly lock: CrossTabLock,
  ) {
    super(store, STORAGE_KEYS.audit, Object.freeze([]), log);
  }

  /** @param max entries kept @default AUDIT_LOG_MAX */
  static async open(store: KeyValueStore, log: Logger, max = AUDIT_LOG_MAX, lock: CrossTabLock = inThisTabOnly): Promise<AuditLog> {
    const s = new AuditLog(store, max, log, lock);
    await s.load((raw) => parseEntries(raw, max), 'The permissions audit log could not be read; it starts afresh.');
    return s;
  }

  /** Adds an entry (newest first), dropping the oldest past the bound; stored in the background. */
  record(entry: Omit<AuditEntry, 'seq' | 'tab'>): AuditEntry {
    const list = this.getSnapshot();
    const full: AuditEntry = { seq: (list[0]?.seq ?? 0) + 1, ...entry, tab: this.tab };
    this.unsaved.unshift(full);
    if (this.unsaved.length > this.max) this.unsaved.length = this.max;
    this.adopt(Object.freeze([full, ...list.slice(0, this.max - 1)]));
    void this.flush();
    return full;
  }

  /** Stores the entries recorded here; resolves when they (or later ones) are stored. A failed write loses log lines only. */
  flush(): Promise<void> {
    this.flushing ??= this.queue
      .run(async () => {
        // Entries recorded while this write runs wait for the next one.
        this.flushing = null;
        const batch = this.unsaved;
        this.unsaved = [];
        if (batch.length === 0) return;
        try {
          const merged = await this.lock(STORAGE_KEYS.audit, async () => {
            // A damaged stored log is written over with this tab's lines rather than blocking them forever.
            const next = ahead(batch, (await this.reread((raw) => parseEntries(raw, this.max))) ?? [], this.max);
            await this.store.set(STORAGE_KEYS.audit, next);
            return next;
          });
          this.adopt(this.withUnsaved(merged));
        } catch (e) {
          this.log.error(`${STORAGE_KEYS.audit} could not be saved`, e);
        }
      })
      .catch(() => undefined);
    return this.flushing ?? Promise.resolve();
  }

  /** Reads the stored log again (other tabs add to it), keeping the entries this tab has not stored yet. */
  reload(): Promise<void> {
    return this.queue.run(async () => {
      const stored = await this.reread((raw) => parseEntries(raw, this.max));
      if (stored) this.adopt(this.withUnsaved(stored));
    });
  }

  /** Empties the log. */
  clear(): Promise<void> {
    this.unsaved = [];
    return this.queue.run(() => this.commit(Object.freeze([]), []));
  }

  /** The log as a JSON file's text, oldest entry first. */
  exportJson(now: number): string {
    const entries = [...this.getSnapshot()].reverse().map((e) => ({ ...e, time: new Date(e.at).toISOString() }));
    return JSON.stringify({ format: AUDIT_FORMAT, version: 1, exported: new Date(now).toISOString(), entries }, null, 2) + '\n';
  }

  private withUnsaved(stored: readonly AuditEntry[]): readonly AuditEntry[] {
    return ahead(this.unsaved, stored, this.max);
  }
}
