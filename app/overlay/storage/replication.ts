/**
 * Replicas on the r successors of a key (DESIGN.md, Storage): writes are
 * accepted at any replica and merged entry by entry; a new predecessor gets
 * the keys it now owns (hand-over); when membership changes, and on a timer,
 * a node offers a digest of its own key range to its successors, and each
 * side sends the other what it lacks (anti-entropy, re-replication).
 */
import { compareBytes, equalBytes, hasSurelyExpired } from '../../identity';
import { RPC_TIMEOUT_MS } from '../constants';
import { bytesToHexId, hexIdToBytes, idFromHex, idToHex, inHalfOpen } from '../id';
import type { DigestEntry, Message } from '../messages';
import type { RoutingContext } from '../query/context';
import { peerBytes, type Peer } from '../routing-table/peer';
import { recordBatches, sortedBySub } from './batches';
import { checkRecord, entryId, type RecordVerifier, type RefusalReason, type WireRecord } from './record';
import type { RecordStore } from './record-store';

const DIGEST_CHUNK = 1024;
const SIG_PREFIX = 8;

export interface ReplicationHost extends RoutingContext {
  /** Registers async work so a simulator can wait for it before moving its clock. */
  track<T>(p: Promise<T>): Promise<T>;
}

export class Replication {
  private syncTimer: unknown = null;

  constructor(
    private readonly host: ReplicationHost,
    private readonly verifier: RecordVerifier,
    readonly store: RecordStore,
    private readonly debounceMs: number,
  ) {}

  /**
   * Checks (signature, hash, sizes, expiry) and merges records, one after
   * the other so the outcome does not depend on crypto timing. Returns null
   * per accepted record (stored or already held), else the refusal reason.
   */
  async accept(records: readonly WireRecord[]): Promise<(RefusalReason | null)[]> {
    const out: (RefusalReason | null)[] = [];
    for (const r of records) {
      const held = this.store.get(bytesToHexId(r.k), r.sub);
      // An exact copy of what is held needs no second signature check.
      if (held && held.version === r.version && equalBytes(held.sig, r.sig) && !hasSurelyExpired(held.expires, this.host.clock.now())) {
        out.push(null);
        continue;
      }
      const problem = await checkRecord(r, this.host.clock.now(), this.verifier);
      const result = problem ?? this.store.apply(r, this.host.clock.now());
      // Durable before acknowledged: a failed write (a full disk) fails the whole request.
      if (result === 'stored' && this.store.persistent) await this.store.written(r);
      const refused = result === 'stored' || result === 'unchanged' ? null : result;
      if (refused) this.host.counters.recordsRefused++;
      out.push(refused);
    }
    return out;
  }

  handleStore(from: string, msg: Extract<Message, { t: 'store' }>): void {
    const answer = this.accept(msg.records).then(
      (results) => {
        const pred = this.host.table.predecessor;
        this.host.rpc.send(from, { t: 'stored', id: msg.id, results, pred: pred ? peerBytes(pred) : null });
      },
      (e: unknown) => {
        this.host.counters.countBad(e instanceof Error ? `store-failed: ${e.name}` : 'store-failed');
        this.host.rpc.send(from, { t: 'error', id: msg.id, reason: 'store failed' });
      },
    );
    void this.host.track(answer);
  }

  handleFetch(from: string, msg: Extract<Message, { t: 'fetch' }>): void {
    const keyHex = bytesToHexId(msg.key);
    const now = this.host.clock.now();
    if (msg.sub !== null) {
      const records = [this.store.get(keyHex, msg.sub)].filter((r): r is WireRecord => !!r && !hasSurelyExpired(r.expires, now));
      this.host.rpc.send(from, { t: 'fetched', id: msg.id, records });
      return;
    }
    // A dictionary goes out a page at a time, in sub-key order, so a reader can ask for the rest.
    const after = msg.after;
    const records = sortedBySub(this.store.list(keyHex, now)).filter((r) => after === undefined || r.sub > after);
    const page = recordBatches(records)[0] ?? [];
    this.host.rpc.send(from, { t: 'fetched', id: msg.id, records: page, ...(page.length < records.length ? { more: true } : {}) });
  }

  /** Sends records to a node in batches; refusals there are counted, nothing else is waited for. */
  push(to: string, records: readonly WireRecord[]): void {
    for (const batch of recordBatches(records)) {
      this.host.rpc.request(to, { t: 'store', records: batch }, RPC_TIMEOUT_MS, () => {});
    }
  }

  /** A new predecessor owns (old predecessor, new predecessor]: hand those keys over. */
  predecessorChanged(old: Peer | null, current: Peer | null): void {
    if (!current || current.hex === this.host.self.hex) return;
    const now = this.host.clock.now();
    const lo = old && inHalfOpen(current.id, old.id, this.host.self.id) ? old.id : this.host.self.id;
    // With no known old predecessor, everything outside (current, self] may be the newcomer's.
    const records = lo === this.host.self.id ? this.store.all().filter((r) => !hasSurelyExpired(r.expires, now) && !inHalfOpen(idFromHex(bytesToHexId(r.k)), current.id, this.host.self.id)) : this.store.inRange(lo, current.id, now);
    if (records.length > 0) this.push(current.hex, records);
    this.scheduleSync();
  }

  /** Membership changed: sync soon, once for a burst of changes. */
  scheduleSync(): void {
    if (this.syncTimer !== null) return;
    this.syncTimer = this.host.clock.setTimeout(() => {
      this.syncTimer = null;
      this.syncOwnRange();
    }, this.debounceMs);
  }

  /** Offers a digest of this node's own range, (predecessor, self], to its r-1 successors. */
  syncOwnRange(): void {
    const pred = this.host.table.predecessor;
    const { self } = this.host;
    const lo = pred ? pred.id : self.id;
    const records = this.store.inRange(lo, self.id, this.host.clock.now());
    if (records.length === 0) return;
    const targets = this.host.table.successors.entries().slice(0, this.host.options.successors - 1);
    for (const t of targets) this.offer(t.hex, lo, self.id, records);
  }

  private offer(to: string, lo: bigint, hi: bigint, records: readonly WireRecord[]): void {
    for (let i = 0; i < records.length; i += DIGEST_CHUNK) {
      const chunk = records.slice(i, i + DIGEST_CHUNK);
      const digest: DigestEntry[] = chunk.map((r) => [r.k, r.sub, r.version, r.sig.slice(0, SIG_PREFIX)]);
      const req = { t: 'sync', lo: hexIdToBytes(idToHex(lo)), hi: hexIdToBytes(idToHex(hi)), digest } as const;
      this.host.rpc.request(to, req, RPC_TIMEOUT_MS, (reply) => {
        if (!reply || reply.t !== 'sync-reply') return;
        const wanted = reply.want.map((j) => chunk[j]).filter((r): r is WireRecord => r !== undefined);
        if (wanted.length > 0) this.push(to, wanted);
        if (reply.records.length > 0) void this.host.track(this.accept(reply.records)).catch(() => this.host.counters.countBad('store-failed'));
      });
    }
  }

  /** Answers a digest: which of its entries this node lacks, and which of its own records the sender lacks. */
  handleSync(from: string, msg: Extract<Message, { t: 'sync' }>): void {
    const lo = idFromHex(bytesToHexId(msg.lo));
    const hi = idFromHex(bytesToHexId(msg.hi));
    const mine = new Map<string, WireRecord>();
    for (const r of this.store.inRange(lo, hi, this.host.clock.now())) mine.set(entryId(r), r);
    const want: number[] = [];
    msg.digest.forEach(([k, sub, version, sigPrefix], i) => {
      const id = entryId({ k, sub });
      const have = mine.get(id);
      if (!have) return void want.push(i);
      const order = have.version - version || compareBytes(have.sig.subarray(0, SIG_PREFIX), sigPrefix);
      if (order < 0) want.push(i);
      if (order <= 0) mine.delete(id);
    });
    // What is left in `mine` is newer here or unknown to the sender (only for keys in the offered range).
    const records = recordBatches([...mine.values()])[0] ?? [];
    this.host.rpc.send(from, { t: 'sync-reply', id: msg.id, want, records });
  }

  close(): void {
    if (this.syncTimer !== null) this.host.clock.clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }
}
