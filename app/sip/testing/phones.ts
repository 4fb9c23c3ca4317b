import { MemoryKeyValueStore } from '../../identity';
import { UserAgent } from '../user-agent';
import type { MemorySipOverlay } from './memory-sip';

/** A started UserAgent for `name` on node `node` of `o`, allowing every caller, with its own chat history. The caller stops it. */
export async function startPhone(o: MemorySipOverlay, name: string, node: string): Promise<UserAgent> {
  const p = new UserAgent({ network: o.network(node), location: o.location(node), policy: async () => ({ allow: true, reason: '' }), domain: 'p2p.local', name, history: new MemoryKeyValueStore() });
  await p.start();
  return p;
}

/**
 * Waits for a state, not for a time: polls `get` every 10 ms until it gives
 * something truthy and resolves with it; rejects with "gave up waiting for
 * `what`" after `timeoutMs`.
 */
export async function pollUntil<T>(what: string, get: () => T | null | undefined | false, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
