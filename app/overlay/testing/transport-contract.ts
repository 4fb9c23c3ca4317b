/**
 * The acceptance suite every Transport passes (STYLE.md, practice 2, after
 * automerge-repo's network-adapter-tests). It takes the test framework's
 * `describe`/`it` so that Vitest (Node or browser mode) or any other runner
 * can run it, and makes its own assertions.
 */
import type { Transport } from '../transport';

/** Two transports that can reach each other, plus a way to let deliveries happen. */
export interface TransportPair {
  a: Transport;
  b: Transport;
  /** Lets queued deliveries happen: advance a virtual clock, or wait on real links. */
  settle(): Promise<void>;
  /** An ID no transport answers to (a node that is gone). */
  absentId: string;
  dispose?(): Promise<void> | void;
}

export interface TransportContractHarness {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(`transport contract: ${message}`);
}

function collect(t: Transport): { from: string; bytes: Uint8Array }[] {
  const got: { from: string; bytes: Uint8Array }[] = [];
  t.onMessage((from, bytes) => got.push({ from, bytes }));
  return got;
}

const same = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && x.every((v, i) => v === y[i]);

export function runTransportContract(name: string, h: TransportContractHarness, makePair: () => Promise<TransportPair>): void {
  const withPair = (fn: (p: TransportPair) => Promise<void>) => async () => {
    const p = await makePair();
    try {
      await fn(p);
    } finally {
      await p.dispose?.();
    }
  };

  h.describe(`Transport contract: ${name}`, () => {
    h.it('has distinct 40-hex-digit local IDs', withPair(async ({ a, b }) => {
      assert(/^[0-9a-f]{40}$/.test(a.localId) && /^[0-9a-f]{40}$/.test(b.localId), 'local IDs are node IDs');
      assert(a.localId !== b.localId, 'IDs differ');
    }));

    h.it('delivers bytes intact, naming the sender, both ways', withPair(async ({ a, b, settle }) => {
      const atA = collect(a);
      const atB = collect(b);
      a.send(b.localId, new Uint8Array([1, 2, 3]));
      b.send(a.localId, new Uint8Array([9]));
      await settle();
      assert(atB.length === 1 && atB[0]!.from === a.localId && same(atB[0]!.bytes, new Uint8Array([1, 2, 3])), 'b got a message from a');
      assert(atA.length === 1 && atA[0]!.from === b.localId && same(atA[0]!.bytes, new Uint8Array([9])), 'a got a message from b');
    }));

    h.it('keeps the order of messages on one link and never duplicates', withPair(async ({ a, b, settle }) => {
      const atB = collect(b);
      for (let i = 0; i < 50; i++) a.send(b.localId, new Uint8Array([i]));
      await settle();
      assert(atB.length === 50, `50 messages arrive (got ${atB.length})`);
      atB.forEach((m, i) => assert(m.bytes[0] === i, `message ${i} in order`));
    }));

    h.it('carries a 256 KiB message', withPair(async ({ a, b, settle }) => {
      const atB = collect(b);
      const big = new Uint8Array(256 * 1024).map((_, i) => i % 251);
      a.send(b.localId, big);
      await settle();
      assert(atB.length === 1 && same(atB[0]!.bytes, big), 'the large message arrives intact');
    }));

    h.it('stops calling a removed listener', withPair(async ({ a, b, settle }) => {
      let calls = 0;
      const off = b.onMessage(() => calls++);
      a.send(b.localId, new Uint8Array([1]));
      await settle();
      off();
      a.send(b.localId, new Uint8Array([2]));
      await settle();
      assert(calls === 1, 'listener called once');
    }));

    h.it('reports link up for the far side', withPair(async ({ a, b, settle }) => {
      const ups: string[] = [];
      b.onLinkUp((peer) => ups.push(peer));
      a.send(b.localId, new Uint8Array([1]));
      await settle();
      assert(ups.includes(a.localId), 'b saw the link to a come up');
    }));

    h.it('reports a node it cannot reach as down, without throwing', withPair(async ({ a, settle, absentId }) => {
      const downs: string[] = [];
      a.onLinkDown((peer) => downs.push(peer));
      a.send(absentId, new Uint8Array([1]));
      await settle();
      assert(downs.includes(absentId), 'the absent node is reported down');
    }));

    h.it('drops sends after close', withPair(async ({ a, b, settle }) => {
      const atB = collect(b);
      a.close();
      a.send(b.localId, new Uint8Array([1]));
      await settle();
      assert(atB.length === 0, 'nothing arrives from a closed transport');
    }));
  });
}
