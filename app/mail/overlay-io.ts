/**
 * What mail needs from the overlay, over an OverlayNode: put and get signed
 * records, and ask a blob's holders whether they still have it without
 * downloading it (an anti-entropy digest of one entry: the holder answers
 * "want" when it lacks the blob and sends its newer copy — a tombstone —
 * when it has deleted it).
 */
import { hasSurelyExpired } from '../identity';
import {
  getRecords,
  hexIdToBytes,
  idFromHex,
  idToHex,
  bytesToHexId,
  putRecord,
  overlayLimits,
  RING,
  type OverlayNode,
  type PutResult,
  type WireRecord,
} from '../overlay';

export type BlobState = 'present' | 'missing' | 'deleted';

export interface MailOverlay {
  now(): number;
  put(record: WireRecord): Promise<PutResult>;
  /** The newest records under a key (a mailbox, a receipts dictionary): every replica is asked. */
  get(key: Uint8Array, sub?: string): Promise<WireRecord[]>;
  /** A fragment: content-addressed, so the first replica holding a copy is enough. */
  getBlob(key: Uint8Array): Promise<WireRecord[]>;
  /** Whether any holder of the blob under `key` has it now. */
  probe(key: Uint8Array, version: number, sig: Uint8Array): Promise<BlobState>;
}

const SIG_PREFIX = 8;

function askHolder(node: OverlayNode, hex: string, key: Uint8Array, version: number, sig: Uint8Array): Promise<BlobState | null> {
  const keyHex = bytesToHexId(key);
  if (hex === node.id) {
    const r = node.replication.store.get(keyHex, '');
    if (!r || hasSurelyExpired(r.expires, node.clock.now())) return Promise.resolve('missing');
    return Promise.resolve(r.value.length === 0 ? 'deleted' : 'present');
  }
  const lo = hexIdToBytes(idToHex((idFromHex(keyHex) - 1n + RING) % RING));
  return new Promise((resolve) =>
    node.rpc.request(hex, { t: 'sync', lo, hi: key, digest: [[key, '', version, sig.slice(0, SIG_PREFIX)]] }, overlayLimits.RPC_TIMEOUT_MS, (reply) => {
      if (!reply || reply.t !== 'sync-reply') return resolve(null);
      if (reply.records.some((r) => r.kind === 'blob' && r.value.length === 0 && bytesToHexId(r.k) === keyHex)) return resolve('deleted');
      resolve(reply.want.length > 0 ? 'missing' : 'present');
    }),
  );
}

export function overlayIo(node: OverlayNode): MailOverlay {
  return {
    now: () => node.clock.now(),
    put: (record) => putRecord(node, record),
    get: (key, sub) => getRecords(node, key, sub === undefined ? {} : { sub }),
    getBlob: (key) => getRecords(node, key, { immutable: true }),
    async probe(key, version, sig) {
      const found = await node.lookup(bytesToHexId(key));
      const answers = await Promise.all(found.replicas.map((hex) => askHolder(node, hex, key, version, sig)));
      if (answers.includes('deleted')) return 'deleted';
      return answers.includes('present') ? 'present' : 'missing';
    },
  };
}
