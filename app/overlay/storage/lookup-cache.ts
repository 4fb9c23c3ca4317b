/**
 * Caches read results: found records for `ttlMs`, "not found" for the
 * shorter `negativeTtlMs` (DESIGN.md, Storage), bounded in size.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, { value: V | null; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly negativeTtlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** The cached value, null for a cached "not found", undefined when nothing is cached. */
  get(key: string, now: number): V | null | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V | null, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + (value === null ? this.negativeTtlMs : this.ttlMs) });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  invalidate(key: string): void {
    this.entries.delete(key);
  }
}
