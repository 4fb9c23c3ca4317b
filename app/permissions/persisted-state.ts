import type { KeyValueStore } from '../identity';
import { PermissionsError } from './errors';
import { Listeners, type Logger, SerialQueue } from '../common';
import { PersistedValue } from './persisted';

/**
 * The shape every permissions store shares: an immutable snapshot that the
 * UI reads with subscribe/getSnapshot (React's useSyncExternalStore), changed
 * one operation at a time, and written to storage before memory changes, so
 * memory never holds what a reload would lose.
 */
export abstract class PersistedState<S> {
  private state: S;
  private readonly persisted: PersistedValue;
  private readonly changed: Listeners<void>;
  private readonly saved: Listeners<void>;
  protected readonly queue = new SerialQueue();
  /** Problems met while loading, in words for people. */
  readonly warnings: string[] = [];

  protected constructor(
    store: KeyValueStore,
    key: string,
    initial: S,
    protected readonly log: Logger,
  ) {
    this.state = initial;
    this.persisted = new PersistedValue(store, key);
    this.changed = new Listeners(log);
    this.saved = new Listeners(log);
  }

  /** Subscribes to any change; returns the unsubscribe function. */
  readonly subscribe = (fn: () => void): (() => void) => this.changed.add(fn);

  /** The current state; the same object until something changes. */
  readonly getSnapshot = (): S => this.state;

  /**
   * Called after this object stored a change (not after a reload), so other
   * tabs sharing the storage can be told to reload.
   */
  onSaved(fn: () => void): () => void {
    return this.saved.add(fn);
  }

  /** Reads the stored state. Damaged storage keeps the initial state and adds `warning`, never fails. */
  protected async load(parse: (raw: unknown) => S | Promise<S>, warning: string): Promise<void> {
    try {
      const raw = await this.persisted.load();
      if (raw !== undefined) this.state = await parse(raw);
    } catch (e) {
      this.log.warn(`stored ${this.persisted.key} could not be read`, e);
      this.warnings.push(warning);
    }
  }

  /** Stores `stored`, then makes `next` the state and tells subscribers. */
  protected async commit(next: S, stored: unknown): Promise<void> {
    try {
      await this.persisted.save(stored);
    } catch (e) {
      this.log.error(`${this.persisted.key} could not be saved`, e);
      throw new PermissionsError('the change could not be saved, so nothing was changed');
    }
    this.state = next;
    this.changed.emit();
    this.saved.emit();
  }

  /**
   * Reads the stored state again (another tab changed it). Missing or damaged
   * data gives undefined and a log line: the caller keeps what it has, since
   * a read error must never empty the rules in force. Call inside `queue`.
   */
  protected async reread(parse: (raw: unknown) => S | Promise<S>): Promise<S | undefined> {
    try {
      const raw = await this.persisted.load();
      if (raw === undefined) return undefined;
      return await parse(raw);
    } catch (e) {
      this.log.warn(`stored ${this.persisted.key} could not be re-read; keeping the state this tab has`, e);
      return undefined;
    }
  }

  /** Makes `next` (re-read from storage) the state and tells subscribers, as a change made here would. */
  protected adopt(next: S): void {
    this.state = next;
    this.changed.emit();
  }
}
