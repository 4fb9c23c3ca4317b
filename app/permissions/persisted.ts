/**
 * Persistence helpers over the injected KeyValueStore (STYLE.md, practice 8):
 * one key per kind of data, written whole, so an import either lands
 * entirely or not at all.
 */
import type { KeyValueStore } from '../identity';

interface Batch {
  value: unknown;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/**
 * One value under one key. Saves that arrive while a write is running are
 * coalesced into a single later write of the newest value, so a burst of
 * changes costs two writes, not one each; each save's promise settles
 * when its value (or a newer one) is stored.
 */
export class PersistedValue {
  private next: Batch | null = null;
  private writing = false;

  constructor(
    private readonly store: KeyValueStore,
    readonly key: string,
  ) {}

  load(): Promise<unknown> {
    return this.store.get(this.key);
  }

  save(value: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.next) {
        this.next.value = value;
        this.next.waiters.push({ resolve, reject });
      } else {
        this.next = { value, waiters: [{ resolve, reject }] };
      }
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.next) {
      const batch = this.next;
      this.next = null;
      try {
        await this.store.set(this.key, batch.value);
        for (const w of batch.waiters) w.resolve();
      } catch (e) {
        for (const w of batch.waiters) w.reject(e);
      }
    }
    this.writing = false;
  }
}

/** The storage keys, all under one prefix so they can share a store with other data. */
export const STORAGE_KEYS = {
  rules: 'permissions/rules',
  roots: 'permissions/roots',
  policy: 'permissions/policy',
  audit: 'permissions/audit',
} as const;
