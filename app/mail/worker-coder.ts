/**
 * The browser's ErasureCoder: the coding runs in a Web Worker so a 50 MB
 * message does not freeze the page. Requests are answered in order; each
 * carries an id so replies find their caller.
 */
import { checkKM, type ErasureCoder } from './coder';
import { MailError, type MailErrorCode } from './errors';
import type { CoderReply, CoderRequest } from './worker-protocol';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Pending = { resolve: (r: CoderReply & { ok: true }) => void; reject: (e: Error) => void };

export class WorkerCoder implements ErasureCoder {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./coder.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<CoderReply>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      if (e.data.ok) p.resolve(e.data);
      else p.reject(new MailError(e.data.code as MailErrorCode, e.data.message));
    };
    this.worker.onerror = (e) => this.failAll(new MailError('coder-failed', `The erasure coder stopped: ${e.message || 'worker error'}.`));
  }

  private call(req: DistributiveOmit<CoderRequest, 'id'>, transfer: Transferable[]): Promise<CoderReply & { ok: true }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  async encodeStripe(data: Uint8Array, k: number, m: number): Promise<Uint8Array[]> {
    checkKM(k, m);
    // The caller keeps its bytes: the copy is what travels.
    const copy = data.slice();
    const r = await this.call({ op: 'encode', data: copy, k, m }, [copy.buffer]);
    return r.fragments ?? [];
  }

  async decodeStripe(fragments: readonly (Uint8Array | null)[], k: number, m: number, length: number): Promise<Uint8Array> {
    checkKM(k, m);
    const copies = fragments.map((f) => (f ? f.slice() : null));
    const transfer: ArrayBuffer[] = [];
    for (const f of copies) if (f) transfer.push(f.buffer);
    const r = await this.call({ op: 'decode', fragments: copies, k, m, length }, transfer);
    return r.data ?? new Uint8Array(0);
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  close(): void {
    this.failAll(new MailError('coder-failed', 'The erasure coder was closed.'));
    this.worker.terminate();
  }
}
