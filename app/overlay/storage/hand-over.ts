/**
 * Handing records to one node and waiting for its answer: what a node does
 * before it stops (Chord's voluntary departure, Stoica et al. 2001, §4.4:
 * a leaving node gives its keys to its successor). Unlike the hand-over to a
 * new predecessor (replication.ts), which is fire-and-forget, the caller
 * learns how many records the node took.
 */
import { RPC_TIMEOUT_MS } from '../constants';
import { BadReplyError } from '../errors';
import type { ReplicationHost } from './replication';
import { recordBatches } from './batches';
import type { WireRecord } from './record';

export interface HandOverOptions {
  /** How long to wait for each batch's answer, in ms. @default 2 × RPC_TIMEOUT_MS */
  timeoutMs?: number;
}

/** What a hand-over achieved. Counts are of records. */
export interface HandOverResult {
  /** Records offered. */
  offered: number;
  /** Records the node stored or already held. */
  taken: number;
  /** Records the node refused (bad signature, quota, ...). */
  refused: number;
  /** Records in batches that got no answer in time, an error answer, or a bad reply. */
  unanswered: number;
  /** The bad replies among the answers (bad input from the peer), for the log. */
  badReplies: BadReplyError[];
}

/** Sends `records` to `to` in batches, all at once, and counts what it took. Never throws. */
export async function handOver(host: ReplicationHost, to: string, records: readonly WireRecord[], opts: HandOverOptions = {}): Promise<HandOverResult> {
  const timeoutMs = opts.timeoutMs ?? RPC_TIMEOUT_MS * 2;
  const result: HandOverResult = { offered: records.length, taken: 0, refused: 0, unanswered: 0, badReplies: [] };
  await Promise.all(
    recordBatches(records).map(
      (batch) =>
        new Promise<void>((resolve) =>
          host.rpc.request(to, { t: 'store', records: batch }, timeoutMs, (reply) => {
            resolve();
            if (reply?.t === 'stored' && reply.results.length === batch.length) {
              const taken = reply.results.filter((r) => r === null).length;
              result.taken += taken;
              result.refused += batch.length - taken;
              return;
            }
            result.unanswered += batch.length;
            if (reply?.t === 'bad-reply') result.badReplies.push(new BadReplyError(to, reply.reason));
            else if (reply?.t === 'stored') {
              host.counters.countBad('stored-count-mismatch');
              result.badReplies.push(new BadReplyError(to, `${reply.results.length} results for ${batch.length} records`));
            }
          }),
        ),
    ),
  );
  return result;
}
