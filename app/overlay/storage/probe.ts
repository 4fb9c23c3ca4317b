/**
 * Asking a blob's holders whether they still have it, without downloading
 * it: an anti-entropy digest of one entry (the `sync` request of
 * replication.ts, over the range that holds just that key). The holder
 * answers "want" when it lacks the blob or holds an older copy, and sends
 * its own newer copy (a tombstone, when the blob was deleted).
 */
import { hasSurelyExpired } from '../../identity';
import { RPC_TIMEOUT_MS } from '../constants';
import { BadReplyError } from '../errors';
import { bytesToHexId, hexIdToBytes, idFromHex, idToHex, RING } from '../id';
import type { LookupOptions, ChordNode } from '../node';
import type { WireRecord } from './record';

/** Whether a node holds a blob: the version asked about (or newer), none, or a tombstone (an emptied blob). */
export type HeldState = 'present' | 'missing' | 'deleted';

/** The blob asked about, as the asker knows it: its key, version and signature. */
export type HeldQuery = Pick<WireRecord, 'k' | 'version' | 'sig'>;

/** One holder's answer; `held` is null when it did not answer, `error` says when its answer was bad. */
export interface HolderAnswer {
  /** The holder's node ID (hex). */
  node: string;
  held: HeldState | null;
  error?: BadReplyError;
}

/** Signature bytes in a digest entry (replication.ts uses the same prefix). */
const SIG_PREFIX = 8;

/**
 * Whether node `hex` holds the blob `q`. Resolves null when it did not
 * answer in time or answered with an error; rejects with BadReplyError when
 * its reply was malformed or of the wrong type. This node answers from its
 * own store.
 */
export function askHeld(node: ChordNode, hex: string, q: HeldQuery): Promise<HeldState | null> {
  const keyHex = bytesToHexId(q.k);
  if (hex === node.id) {
    const r = node.replication.store.get(keyHex, '');
    if (!r || hasSurelyExpired(r.expires, node.clock.now())) return Promise.resolve('missing');
    return Promise.resolve(r.value.length === 0 ? 'deleted' : 'present');
  }
  const lo = hexIdToBytes(idToHex((idFromHex(keyHex) - 1n + RING) % RING));
  const digest = [[q.k, '', q.version, q.sig.slice(0, SIG_PREFIX)] as const];
  return new Promise((resolve, reject) =>
    node.rpc.request(hex, { t: 'sync', lo, hi: q.k, digest }, RPC_TIMEOUT_MS, (reply) => {
      if (reply?.t === 'bad-reply') return reject(new BadReplyError(hex, reply.reason));
      if (reply?.t !== 'sync-reply') return resolve(null);
      if (reply.want.some((i) => i !== 0)) return reject(new BadReplyError(hex, 'wants an entry that was not offered'));
      if (reply.records.some((r) => r.kind === 'blob' && r.value.length === 0 && bytesToHexId(r.k) === keyHex)) return resolve('deleted');
      resolve(reply.want.length > 0 ? 'missing' : 'present');
    }),
  );
}

/** Finds the blob's replica set and asks every replica at once whether it holds the blob. */
export async function probeHolders(node: ChordNode, q: HeldQuery, opts: LookupOptions = {}): Promise<HolderAnswer[]> {
  const found = await node.lookup(bytesToHexId(q.k), opts);
  return Promise.all(
    found.replicas.map((hex) =>
      askHeld(node, hex, q).then(
        (held): HolderAnswer => ({ node: hex, held }),
        (e: unknown): HolderAnswer => (e instanceof BadReplyError ? { node: hex, held: null, error: e } : { node: hex, held: null }),
      ),
    ),
  );
}
