/**
 * The records one node holds, with per-owner quotas and expiry, persisted
 * behind a KeyValueStore. Pure data plus write-behind persistence: it holds
 * no timers and sends nothing (STYLE.md, practice 3). Records reaching
 * `apply` have passed `checkRecord` (signature, hash, sizes).
 */
import { canonicalDecode, canonicalEncode, hasSurelyExpired, type KeyValueStore } from '../../identity';
import { inHalfOpen, idFromHex } from '../id';
import { ownerOnlyAccess, type AccessRule } from './access';
import { compareRecords, entryId, isWireRecord, ownerId, recordCost, type RefusalReason, type WireRecord } from './record';
import { bytesToHexId } from '../id';

export interface StoreLimits {
  /** @default QUOTA_RECORDS */
  quotaRecords: number;
  /** @default QUOTA_BYTES */
  quotaBytes: number;
}

export type ApplyResult = 'stored' | 'unchanged' | RefusalReason;

const KV_PREFIX = 'overlay-record:';

export class RecordStore {
  /** key hex → sub-key → record. */
  private readonly byKey = new Map<string, Map<string, WireRecord>>();
  private readonly usage = new Map<string, { records: number; bytes: number }>();
  private count = 0;
  /** Writes to the KeyValueStore not yet finished, by entry. */
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly limits: StoreLimits,
    private readonly access: AccessRule = ownerOnlyAccess,
    private readonly kv?: KeyValueStore,
  ) {}

  get size(): number {
    return this.count;
  }

  get(keyHex: string, sub: string): WireRecord | undefined {
    return this.byKey.get(keyHex)?.get(sub);
  }

  /** Live records under a key (every entry of a dictionary). */
  list(keyHex: string, now: number): WireRecord[] {
    const m = this.byKey.get(keyHex);
    if (!m) return [];
    return [...m.values()].filter((r) => !hasSurelyExpired(r.expires, now));
  }

  /** Whether `incoming` would be accepted, without changing anything. */
  check(incoming: WireRecord, now: number): ApplyResult {
    const keyHex = bytesToHexId(incoming.k);
    const existing = this.get(keyHex, incoming.sub);
    const refusal = this.access(incoming, existing, now);
    if (refusal) return refusal;
    if (existing && !hasSurelyExpired(existing.expires, now) && compareRecords(incoming, existing) <= 0) return 'unchanged';
    const owner = ownerId(incoming);
    const use = this.usage.get(owner) ?? { records: 0, bytes: 0 };
    const freed = existing && ownerId(existing) === owner ? existing : undefined;
    const records = use.records + 1 - (freed ? 1 : 0);
    const bytes = use.bytes + recordCost(incoming) - (freed ? recordCost(freed) : 0);
    if (records > this.limits.quotaRecords || bytes > this.limits.quotaBytes) return 'over-quota';
    return 'stored';
  }

  /** Merges one checked record: access rule, then highest (version, signature) wins, then quota. */
  apply(incoming: WireRecord, now: number): ApplyResult {
    const result = this.check(incoming, now);
    if (result !== 'stored') return result;
    const keyHex = bytesToHexId(incoming.k);
    const existing = this.get(keyHex, incoming.sub);
    if (existing) this.forget(keyHex, existing);
    let m = this.byKey.get(keyHex);
    if (!m) this.byKey.set(keyHex, (m = new Map()));
    m.set(incoming.sub, incoming);
    this.count++;
    const use = this.usage.get(ownerId(incoming)) ?? { records: 0, bytes: 0 };
    use.records++;
    use.bytes += recordCost(incoming);
    this.usage.set(ownerId(incoming), use);
    this.persist(incoming);
    return 'stored';
  }

  private forget(keyHex: string, r: WireRecord): void {
    const m = this.byKey.get(keyHex);
    if (!m?.delete(r.sub)) return;
    if (m.size === 0) this.byKey.delete(keyHex);
    this.count--;
    const owner = ownerId(r);
    const use = this.usage.get(owner);
    if (use) {
      use.records--;
      use.bytes -= recordCost(r);
      if (use.records <= 0) this.usage.delete(owner);
    }
  }

  /** Records whose key lies in (lo, hi]; the whole store when lo === hi. */
  inRange(lo: bigint, hi: bigint, now: number): WireRecord[] {
    const out: WireRecord[] = [];
    for (const [keyHex, m] of this.byKey) {
      if (!inHalfOpen(idFromHex(keyHex), lo, hi)) continue;
      for (const r of m.values()) if (!hasSurelyExpired(r.expires, now)) out.push(r);
    }
    return out;
  }

  all(): WireRecord[] {
    const out: WireRecord[] = [];
    for (const m of this.byKey.values()) out.push(...m.values());
    return out;
  }

  /** Drops records expired on every clock within the tolerated skew of `now`; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const [keyHex, m] of [...this.byKey]) {
      for (const r of [...m.values()]) {
        if (!hasSurelyExpired(r.expires, now)) continue;
        this.forget(keyHex, r);
        void this.kv?.del(KV_PREFIX + entryId(r)).catch(() => {});
        n++;
      }
    }
    return n;
  }

  usageOf(ownerHex: string): { records: number; bytes: number } {
    return { ...(this.usage.get(ownerHex) ?? { records: 0, bytes: 0 }) };
  }

  private persist(r: WireRecord): void {
    // Write-behind: the in-memory store is the truth while the node runs;
    // `written` lets a caller wait for the disk before acknowledging.
    if (!this.kv) return;
    const id = entryId(r);
    const p = this.kv.set(KV_PREFIX + id, canonicalEncode(r as unknown as Record<string, Uint8Array | string | number>));
    this.writes.set(id, p);
    p.then(
      () => this.writes.get(id) === p && this.writes.delete(id),
      () => this.writes.get(id) === p && this.writes.delete(id),
    );
  }

  /** Whether records persist (a KeyValueStore is behind this store). */
  get persistent(): boolean {
    return this.kv !== undefined;
  }

  /** Resolves once the last write of `r`'s entry is in the KeyValueStore; rejects when that write failed (a full disk). */
  written(r: Pick<WireRecord, 'k' | 'sub'>): Promise<void> {
    return this.writes.get(entryId(r)) ?? Promise.resolve();
  }

  /**
   * Reads persisted records back (a reloaded tab gets its replicas back).
   * They are checked again by `verify` first: storage is not trusted either.
   */
  async load(now: number, verify: (r: WireRecord) => Promise<boolean>): Promise<number> {
    if (!this.kv) return 0;
    let n = 0;
    for (const k of await this.kv.keys()) {
      if (!k.startsWith(KV_PREFIX)) continue;
      const raw = await this.kv.get(k);
      let r: unknown;
      try {
        r = raw instanceof Uint8Array ? canonicalDecode(raw) : undefined;
      } catch {
        r = undefined;
      }
      if (!isWireRecord(r) || !(await verify(r)) || this.apply(r, now) !== 'stored') {
        await this.kv.del(k);
        continue;
      }
      n++;
    }
    return n;
  }
}
