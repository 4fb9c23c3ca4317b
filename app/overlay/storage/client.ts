/**
 * Reading records through the overlay: find the key's replica set, then read
 * from every replica at once, checking each answer again as a reader, keeping
 * the newest version of each entry and repairing the replicas that were
 * behind. Writing is in put.ts.
 */
import { hasSurelyExpired } from '../../identity';
import { RPC_TIMEOUT_MS } from '../constants';
import { LookupError } from '../errors';
import { bytesToHexId } from '../id';
import type { LookupOptions, ChordNode } from '../node';
import type { ReplyTo } from '../messages';
import { isReply, type Request } from '../rpc/rpc';
import { newestEntries, staleAt, type ReplicaAnswer } from './read-merge';
import { checkRecord, type RecordVerifier, type WireRecord } from './record';

export interface GetOptions extends LookupOptions {
  /** One dictionary entry; omitted: every entry (or the single value / blob). */
  sub?: string;
  /** Use and fill the lookup cache. @default false */
  cache?: boolean;
  /**
   * The key is content-addressed (a blob): any replica's checked copy is the
   * record, so the first replica that has one ends the read. @default false
   */
  immutable?: boolean;
}

/** One request to one node: its typed reply, or null when it did not answer in time, refused, or answered badly. */
export function request<R extends Request>(node: ChordNode, to: string, req: R): Promise<ReplyTo<R['t']> | null> {
  return new Promise((resolve) =>
    node.rpc.request(to, req, RPC_TIMEOUT_MS, (reply) => resolve(isReply(reply) ? reply : null)),
  );
}

/** Keeps the records that pass a reader's checks, for the key asked. */
async function verified(node: ChordNode, verifier: RecordVerifier, keyHex: string, sub: string | undefined, records: readonly WireRecord[]): Promise<WireRecord[]> {
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
async function fetchFrom(node: ChordNode, hex: string, key: Uint8Array, sub: string | undefined): Promise<{ records: WireRecord[]; complete: boolean } | null> {
  const pick = (f: ReplyTo<'fetch'> | null): Fetched | null => f && { records: f.records, more: f.more === true };
  const first = pick(await request(node, hex, { t: 'fetch', key, sub: sub ?? null }));
  if (!first) return null;
  const records = [...first.records];
  if (first.more && !ascendingAfter(records)) return { records, complete: false };
  let page = first;
  for (let n = 1; page.more && sub === undefined; n++) {
    const after = records[records.length - 1]?.sub;
    if (after === undefined || n >= MAX_PAGES) return { records, complete: false };
    const next = pick(await request(node, hex, { t: 'fetch', key, sub: null, after }));
    if (!next || next.records.length === 0 || !ascendingAfter(next.records, after)) return { records, complete: false };
    records.push(...next.records);
    page = next;
  }
  return { records, complete: true };
}

/** One replica's records under a key, checked as a reader; null when it did not answer. */
export async function readReplica(node: ChordNode, hex: string, key: Uint8Array, keyHex: string, sub: string | undefined): Promise<{ records: WireRecord[]; complete: boolean } | null> {
  if (hex === node.id) {
    const now = node.clock.now();
    const mine = sub === undefined ? node.replication.store.list(keyHex, now) : [node.replication.store.get(keyHex, sub)].filter((r): r is WireRecord => !!r && !hasSurelyExpired(r.expires, now));
    return { records: await verified(node, node.components.verifier, keyHex, sub, mine), complete: true };
  }
  const got = await fetchFrom(node, hex, key, sub);
  return got && { records: await verified(node, node.components.verifier, keyHex, sub, got.records), complete: got.complete };
}

/**
 * Asks every replica in `replicas` at once; each answer is checked as a
 * reader. Replicas that did not answer are left out.
 */
async function readEach(node: ChordNode, replicas: readonly string[], key: Uint8Array, keyHex: string, sub: string | undefined): Promise<ReplicaAnswer[]> {
  const got = await Promise.all(replicas.map(async (replica) => ({ replica, got: await readReplica(node, replica, key, keyHex, sub) })));
  return got.flatMap(({ replica, got: g }) => (g ? [{ replica, records: g.records, complete: g.complete }] : []));
}

/**
 * Read repair: sends each replica that answered the newest records it lacks
 * or holds older, so one read brings the replicas level without waiting for
 * anti-entropy (Replication.syncOwnRange, every SYNC_MS). Fire and forget:
 * the read does not wait, and a replica that refuses is counted there.
 */
function repair(node: ChordNode, answers: readonly ReplicaAnswer[], newest: readonly WireRecord[]): void {
  for (const a of answers) {
    const stale = staleAt(a, newest);
    if (stale.length === 0) continue;
    node.counters.readRepairs += stale.length;
    if (a.replica === node.id) void node.track(node.replication.accept(stale)).catch(() => node.counters.countBad('store-failed'));
    else node.replication.push(a.replica, stale);
  }
}

/**
 * Reads the live records under a key (every entry of a dictionary, or the one
 * `sub`): asks all r replicas at once and returns, per entry and owner, the
 * newest version any replica that answered holds (read-merge.ts), then
 * repairs the replicas that were behind. All r, because a write is done when
 * one replica took it (no write quorum, so that writes go on while replicas
 * are unreachable): no smaller read set is sure to include a replica that has
 * the newest version. The read waits for the slowest replica, at most one RPC
 * timeout; the replicas are asked in parallel, so that costs one round trip.
 *
 * With `immutable` (a content-addressed blob, whose bytes cannot change) the
 * replicas are asked one after the other and the first copy ends the read:
 * every holder's copy is checked against the key, and mail fetches many
 * large fragments.
 *
 * Throws LookupError when the lookup fails or no replica answered.
 */
export async function getRecords(node: ChordNode, key: Uint8Array, opts: GetOptions = {}): Promise<WireRecord[]> {
  const keyHex = bytesToHexId(key);
  const cacheKey = keyHex + '/' + (opts.sub ?? '*');
  if (opts.cache) {
    const hit = node.cache.get(cacheKey, node.clock.now());
    if (hit !== undefined) return hit ?? [];
  }
  const found = await node.lookup(keyHex, opts);
  const answers: ReplicaAnswer[] = [];
  if (opts.immutable) {
    for (const replica of found.replicas) {
      const got = await readReplica(node, replica, key, keyHex, opts.sub);
      if (!got) continue;
      answers.push({ replica, records: got.records, complete: got.complete });
      if (got.records.length > 0) break;
    }
  } else {
    answers.push(...(await readEach(node, found.replicas, key, keyHex, opts.sub)));
  }
  // Silence from every replica is not "there is nothing here": a name would read as unknown.
  if (answers.length === 0) throw new LookupError(`no replica of ${keyHex} answered`, 'deadline');
  const records = newestEntries(answers);
  if (!opts.immutable) repair(node, answers, records);
  if (opts.cache) node.cache.set(cacheKey, records.length > 0 ? records : null, node.clock.now());
  return records;
}

/**
 * What each replica of a key holds, asked at once and checked as a reader, in
 * replica order (the key's successor first); replicas that did not answer are
 * left out. For reads that must not rest on one replica: after a partition
 * heals, replicas can hold rival records that the access rule keeps apart.
 * Replicas behind on an owner's record are repaired as getRecords does.
 * Throws LookupError when no replica answered.
 */
export async function getRecordsFromEach(node: ChordNode, key: Uint8Array, opts: LookupOptions = {}): Promise<{ replica: string; records: WireRecord[] }[]> {
  const keyHex = bytesToHexId(key);
  const found = await node.lookup(keyHex, opts);
  const answers = await readEach(node, found.replicas, key, keyHex, undefined);
  if (answers.length === 0) throw new LookupError(`no replica of ${keyHex} answered`, 'deadline');
  repair(node, answers, newestEntries(answers));
  return answers.map((a) => ({ replica: a.replica, records: [...a.records] }));
}
