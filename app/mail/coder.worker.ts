/**
 * The erasure-coding Web Worker: answers encode/decode requests,
 * transferring fragment buffers instead of copying them.
 */
import { RsStripeCoder } from './coder';
import type { CoderReply, CoderRequest } from './worker-protocol';

const ready: Promise<RsStripeCoder> = Promise.resolve(new RsStripeCoder());

const scope = self as unknown as { onmessage: ((e: MessageEvent<CoderRequest>) => void) | null; postMessage(m: CoderReply, transfer: Transferable[]): void };

scope.onmessage = (e) => {
  const req = e.data;
  void ready.then(
    (coder) => {
      try {
        if (req.op === 'encode') {
          const fragments = coder.encode(req.data, req.k, req.m);
          scope.postMessage({ id: req.id, ok: true, fragments }, fragments.map((f) => f.buffer as ArrayBuffer));
        } else {
          const data = coder.decode(req.fragments, req.k, req.m, req.length);
          scope.postMessage({ id: req.id, ok: true, data }, [data.buffer as ArrayBuffer]);
        }
      } catch (err) {
        const e2 = err as { code?: string; message?: string };
        scope.postMessage({ id: req.id, ok: false, code: e2.code ?? 'coder-failed', message: e2.message ?? String(err) }, []);
      }
    },
    (err: unknown) => scope.postMessage({ id: req.id, ok: false, code: 'coder-failed', message: `The erasure coder could not load: ${String(err)}` }, []),
  );
};
