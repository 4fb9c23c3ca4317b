/**
 * Writing and reading records through the overlay: find the key's replica
 * set, then store at every replica (any replica may take the write) or read
 * from the replicas in order, checking each answer again as a reader.
 */
import { hasSurelyExpired } from '../../identity';
import { RPC_TIMEOUT_MS } from '../constants';
import { LookupError, RecordRefusedError } from '../errors';
import { bytesToHexId } from '../id';
import type { LookupOptions, OverlayNode } from '../node';
import { checkRecord, checkRecordStatic, type RecordVerifier, type RefusalReason, type WireRecord } from './record';

export interface PutResult {
  /** Replicas that hold the record now. */
  stored: string[];
  /** Replicas that refused it, with their reason, or did not answer ('timeout'). */
  refused: Record<string, RefusalReason | 'timeout'>;
}

export interface GetOptions extends LookupOptions {
  /** One dictionary entry; omitted: every entry (or the single value / blob). */
  sub?: string;
  /** Use and fill the lookup cache. @default false */
  cache?: boolean;
}

function request<T>(node: OverlayNode, to: string, req: Parameters<OverlayNode['rpc']['request']>[1], pick: (m: unknown) => T | null): Promise<T | null> {
  return new Promise((resolve) => node.rpc.request(to, req, RPC_TIMEOUT_MS, (reply) => resolve(reply ? pick(reply) : null)));
}

/** Stores a signed record on the replicas of its key; throws RecordRefusedError when it is invalid on its face. */
export async function putRecord(node: OverlayNode, record: WireRecord, opts: LookupOptions = {}): Promise<PutResult> {
  const problem = checkRecordStatic(record, node.clock.now());
  if (problem) throw new RecordRefusedError(problem);
  const found = await node.lookup(bytesToHexId(record.k), opts);
  const result: PutResult = { stored: [], refused: {} };
  await Promise.all(
    found.replicas.map(async (hex) => {
      let reason: RefusalReason | 'timeout' | null;
      if (hex === node.id) {
        reason = (await node.track(node.replication.accept([record])))[0] ?? null;
      } else {
        const results = await request(node, hex, { t: 'store', records: [record] }, (m) => ((m as { t: string }).t === 'stored' ? (m as { results: (string | null)[] }).results : null));
        reason = !results ? 'timeout' : results[0] === undefined ? 'malformed' : (results[0] as RefusalReason | null);
      }
      if (reason === null) result.stored.push(hex);
      else result.refused[hex] = reason;
    }),
  );
  node.cache.invalidate(bytesToHexId(record.k) + '/' + (opts as GetOptions).sub);
  return result;
}

/** Keeps the records that pass a reader's checks, for the key asked. */
async function verified(node: OverlayNode, verifier: RecordVerifier, keyHex: string, sub: string | undefined, records: readonly WireRecord[]): Promise<WireRecord[]> {
  const out: WireRecord[] = [];
  for (const r of records) {
    if (bytesToHexId(r.k) !== keyHex || (sub !== undefined && r.sub !== sub)) continue;
    if ((await node.track(checkRecord(r, node.clock.now(), verifier))) === null) out.push(r);
  }
  return out;
}

/** Pages read from one replica at most: 256 × 64 entries, far above any owner's quota. */
const MAX_PAGES = 256;

type Fetched = { records: WireRecord[]; more: boolean };

/** Whether the sub-keys strictly increase (and all sort after `after`, when given). */
function ascendingAfter(records: readonly WireRecord[], after?: string): boolean {
  let last = after;
  for (const r of records) {
    if (last !== undefined && r.sub <= last) return false;
    last = r.sub;
  }
  return true;
}

/**
 * Everything one replica holds under a key, page by page. `complete` is false
 * when it stopped answering, or paged wrongly (an entry not after the cursor,
 * "more" with an empty page), after the first page: the caller may ask another.
 */
async function fetchFrom(node: OverlayNode, hex: string, key: Uint8Array, sub: string | undefined): Promise<{ records: WireRecord[]; complete: boolean } | null> {
  const pick = (m: unknown): Fetched | null => {
    const f = m as { t: string; records: WireRecord[]; more?: boolean };
    return f.t === 'fetched' ? { records: f.records, more: f.more === true } : null;
  };
  const first = await request(node, hex, { t: 'fetch', key, sub: sub ?? null }, pick);
  if (!first) return null;
  const records = [...first.records];
  if (first.more && !ascendingAfter(records)) return { records, complete: false };
  let page = first;
  for (let n = 1; page.more && sub === undefined; n++) {
    const after = records[records.length - 1]?.sub;
    if (after === undefined || n >= MAX_PAGES) return { records, complete: false };
    const next = await request(node, hex, { t: 'fetch', key, sub: null, after }, pick);
    if (!next || next.records.length === 0 || !ascendingAfter(next.records, after)) return { records, complete: false };
    records.push(...next.records);
    page = next;
  }
  return { records, complete: true };
}

/** One replica's records under a key, checked as a reader; null when it did not answer. */
async function readReplica(node: OverlayNode, hex: string, key: Uint8Array, keyHex: string, sub: string | undefined): Promise<{ records: WireRecord[]; complete: boolean } | null> {
  if (hex === node.id) {
    const now = node.clock.now();
    const mine = sub === undefined ? node.replication.store.list(keyHex, now) : [node.replication.store.get(keyHex, sub)].filter((r): r is WireRecord => !!r && !hasSurelyExpired(r.expires, now));
    return { records: await verified(node, node.components.verifier, keyHex, sub, mine), complete: true };
  }
  const got = await fetchFrom(node, hex, key, sub);
  return got && { records: await verified(node, node.components.verifier, keyHex, sub, got.records), complete: got.complete };
}

/**
 * Reads the live records under a key: asks the replicas in turn until one
 * has them (every page of a long dictionary).
 */
export async function getRecords(node: OverlayNode, key: Uint8Array, opts: GetOptions = {}): Promise<WireRecord[]> {
  const keyHex = bytesToHexId(key);
  const cacheKey = keyHex + '/' + (opts.sub ?? '*');
  if (opts.cache) {
    const hit = node.cache.get(cacheKey, node.clock.now());
    if (hit !== undefined) return hit ?? [];
  }
  const found = await node.lookup(keyHex, opts);
  let records: WireRecord[] = [];
  let partial: WireRecord[] | null = null;
  let answered = 0;
  for (const hex of found.replicas) {
    const got = await readReplica(node, hex, key, keyHex, opts.sub);
    if (!got) continue;
    if (!got.complete) {
      // It stopped half-way through a long dictionary: another replica may have it all.
      if (!partial || got.records.length > partial.length) partial = got.records;
      continue;
    }
    answered++;
    records = got.records;
    if (records.length > 0) break;
  }
  if (records.length === 0 && partial) {
    answered++;
    records = partial;
  }
  // Silence from every replica is not "there is nothing here": a name would read as unknown.
  if (answered === 0) throw new LookupError(`no replica of ${keyHex} answered`, 'deadline');
  if (opts.cache) node.cache.set(cacheKey, records.length > 0 ? records : null, node.clock.now());
  return records;
}

/**
 * What each replica of a key holds, asked at once and checked as a reader, in
 * replica order (the key's successor first); replicas that did not answer are
 * left out. For reads that must not rest on one replica: after a partition
 * heals, replicas can hold rival records that the access rule keeps apart.
 * Throws LookupError when no replica answered.
 */
export async function getRecordsFromEach(node: OverlayNode, key: Uint8Array, opts: LookupOptions = {}): Promise<{ replica: string; records: WireRecord[] }[]> {
  const keyHex = bytesToHexId(key);
  const found = await node.lookup(keyHex, opts);
  const answers = await Promise.all(found.replicas.map(async (replica) => ({ replica, got: await readReplica(node, replica, key, keyHex, undefined) })));
  const out = answers.flatMap(({ replica, got }) => (got ? [{ replica, records: got.records }] : []));
  if (out.length === 0) throw new LookupError(`no replica of ${keyHex} answered`, 'deadline');
  return out;
}
