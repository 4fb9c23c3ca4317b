/**
 * What mail needs from the overlay, over an OverlayNode: put and get signed
 * records, and ask a blob's holders whether they still have it without
 * downloading it (OverlayNode.probeHolders).
 */
import type { HeldState, OverlayNode, PutResult, WireRecord } from '../overlay';

export type BlobState = HeldState;

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

export function overlayIo(node: OverlayNode): MailOverlay {
  return {
    now: () => node.clock.now(),
    put: (record) => node.put(record),
    get: (key, sub) => node.get(key, sub === undefined ? {} : { sub }),
    getBlob: (key) => node.get(key, { immutable: true }),
    async probe(key, version, sig) {
      const answers = (await node.probeHolders({ k: key, version, sig })).map((a) => a.held);
      if (answers.includes('deleted')) return 'deleted';
      return answers.includes('present') ? 'present' : 'missing';
    },
  };
}
