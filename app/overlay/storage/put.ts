/**
 * Writing a record through the overlay: find the key's replica set, store at
 * every replica (any replica may take the write), and report only what is
 * true: which of the key's replicas hold the record now, and whether the
 * key's successor is one of them.
 *
 * A lookup can route around a live node it could not reach in time (no link
 * yet, a link being made): it then names the nodes after that node as the
 * replicas, the writer itself among them in a small ring, and a reader whose
 * lookup does reach that node asks the true replicas, one of which never got
 * the write. So each replica answers a
 * store with its own predecessor (Chord's predecessor pointer, kept by
 * notify), and the writer walks back from the first replica while its
 * predecessor lies between the key and it: that predecessor is closer to the
 * key, so the write goes there too (RELOAD, RFC 6940 §5.3.2, has a peer
 * check that it is responsible for a key before it stores; this is the
 * writer's side of the same check).
 */
import { RecordRefusedError } from '../errors';
import { bytesToHexId, idFromHex, inHalfOpen } from '../id';
import type { LookupOptions, ChordNode } from '../node';
import { request } from './client';
import { checkRecordStatic, type RefusalReason, type WireRecord } from './record';

export interface PutResult {
  /** The key's replicas (its successor and the nodes after it, up to r) that hold the record now, successor first. */
  stored: string[];
  /** Nodes asked that refused it, with their reason, or did not answer ('timeout'). */
  refused: Record<string, RefusalReason | 'timeout'>;
  /** The key's successor as the replicas' own predecessors show it: the first node readers ask. */
  successor: string;
  /** Whether `successor` holds the record (reads ask every replica, so `stored` decides whether readers find it). */
  onSuccessor: boolean;
  /** Nodes outside the key's replica set that took a copy (the lookup named them); they hand it on or drop it. */
  extra: string[];
}

type Outcome = { reason: RefusalReason | 'timeout' | null; pred: string | null | undefined };

async function storeAt(node: ChordNode, hex: string, record: WireRecord): Promise<Outcome> {
  if (hex === node.id) {
    const reason = (await node.track(node.replication.accept([record])))[0] ?? null;
    return { reason, pred: node.table.predecessor?.hex ?? null };
  }
  const reply = await request(node, hex, { t: 'store', records: [record] });
  if (!reply) return { reason: 'timeout', pred: undefined };
  const reason = reply.results[0] === undefined ? 'malformed' : (reply.results[0] as RefusalReason | null);
  return { reason, pred: reply.pred ? bytesToHexId(reply.pred) : reply.pred };
}

/**
 * Stores a signed record on the replicas of its key and reports where it
 * sits. Never reports a node outside the key's replica set as a replica.
 * Throws RecordRefusedError when the record is invalid on its face, and
 * LookupError when the key's replica set cannot be found.
 */
export async function putRecord(node: ChordNode, record: WireRecord, opts: LookupOptions = {}): Promise<PutResult> {
  const problem = checkRecordStatic(record, node.clock.now());
  if (problem) throw new RecordRefusedError(problem);
  const keyHex = bytesToHexId(record.k);
  const key = idFromHex(keyHex);
  const r = node.options.successors;
  const found = await node.lookup(keyHex, opts);
  const outcomes = new Map<string, Outcome>();
  const ask = async (hexes: readonly string[]) => {
    await Promise.all(hexes.filter((h) => !outcomes.has(h)).map(async (h) => outcomes.set(h, await storeAt(node, h, record))));
  };
  await ask(found.replicas);
  // Walk back while the first node's own predecessor lies in [key, node): that predecessor is closer to the key.
  const before: string[] = [];
  let head = found.replicas[0] ?? node.id;
  for (let step = 0; step < r; step++) {
    const pred = outcomes.get(head)?.pred;
    if (!pred || pred === head || inHalfOpen(key, idFromHex(pred), idFromHex(head))) break;
    before.unshift(pred);
    await ask([pred]);
    head = pred;
  }
  const replicaSet = [...new Set([...before, ...found.replicas])].slice(0, r);
  const result: PutResult = { stored: [], refused: {}, successor: replicaSet[0] ?? node.id, onSuccessor: false, extra: [] };
  for (const [hex, o] of outcomes) {
    if (o.reason !== null) result.refused[hex] = o.reason;
    else if (!replicaSet.includes(hex)) result.extra.push(hex);
  }
  result.stored = replicaSet.filter((h) => outcomes.get(h)?.reason === null);
  result.onSuccessor = result.stored[0] === result.successor;
  // What this node read before is stale now, whether read entry by entry or whole.
  node.cache.invalidate(keyHex + '/*');
  node.cache.invalidate(keyHex + '/' + record.sub);
  return result;
}
