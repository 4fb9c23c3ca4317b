/**
 * The page side of the NAT benchmark (bench-nat.ts), run with page.evaluate,
 * so each function stands alone (nothing from this module's scope).
 */
import type {} from '../../app/dev/index.ts';

/** The selected candidate pair of each call, read just before it hangs up. */
export type PairWin = { __pairs: Record<string, { local: string; remote: string; relay: boolean }> };

/**
 * Wraps the phone's hang-up so the call's selected candidate pair
 * (getStats: transport.selectedCandidatePairId) is recorded in
 * `window.__pairs` before the connection closes.
 */
export function installPairRecorder(): void {
  const w = window as unknown as PairWin;
  w.__pairs = {};
  const phone = window.softphoneTest!.phone()!;
  const hangUp = phone.hangUp.bind(phone);
  phone.hangUp = (id: string) => {
    const pc = phone.connection(id);
    if (!pc) return hangUp(id);
    void pc
      .getStats()
      .then((stats) => {
        stats.forEach((r: { type: string; selectedCandidatePairId?: string }) => {
          if (r.type !== 'transport' || !r.selectedCandidatePairId) return;
          const pair = stats.get(r.selectedCandidatePairId) as { localCandidateId: string; remoteCandidateId: string };
          const local = (stats.get(pair.localCandidateId) as { candidateType: string }).candidateType;
          const remote = (stats.get(pair.remoteCandidateId) as { candidateType: string }).candidateType;
          w.__pairs[id] = { local, remote, relay: local === 'relay' || remote === 'relay' };
        });
      })
      .finally(() => hangUp(id));
  };
}

/**
 * Closes this tab's overlay link to `nodeId` (when there is one) and makes it
 * again, its dial trying `path` first (null: as the tab is set); returns ms
 * from connect to a handshaken link and how the link that came up was
 * signaled, or why it failed.
 */
export async function linkSetUp([nodeId, path]: readonly [string, 'overlay' | 'server' | null]): Promise<{ ms: number; via: string } | string> {
  const h = window.softphoneTest!;
  if (path) h.dialFirstVia(path);
  if (h.linkedIds().includes(nodeId)) h.disconnectLink(nodeId, 'closed-by-you', 'benchmark: link set-up');
  const gone = Date.now() + 5000;
  while (h.linkedIds().includes(nodeId) && Date.now() < gone) await new Promise((r) => setTimeout(r, 10));
  const t0 = performance.now();
  try {
    await h.connectLink(nodeId);
    const ms = performance.now() - t0;
    return { ms, via: h.linkVias().find((l) => l.nodeId === nodeId)?.via ?? 'gone' };
  } catch (e) {
    return (e as Error).message;
  } finally {
    if (path) h.dialFirstVia('server');
  }
}

/**
 * Calls bob (who answers at once: installBench), holds the call `holdS` s
 * after media flows, and returns the bytes sent + received on this side's
 * selected candidate pair, per minute.
 */
export async function relayBytesPerMinute(holdS: number): Promise<{ perMinute: number; local: string; remote: string }> {
  const phone = window.softphoneTest!.phone()!;
  phone.call('bob', true);
  const id = phone.getSnapshot().calls.at(-1)!.id;
  const read = async (): Promise<{ bytes: number; local: string; remote: string } | null> => {
    const pc = phone.connection(id);
    if (!pc) return null;
    const stats = await pc.getStats();
    let out: { bytes: number; local: string; remote: string } | null = null;
    stats.forEach((r: { type: string; selectedCandidatePairId?: string }) => {
      if (r.type !== 'transport' || !r.selectedCandidatePairId) return;
      const p = stats.get(r.selectedCandidatePairId) as { localCandidateId: string; remoteCandidateId: string; bytesSent: number; bytesReceived: number };
      out = {
        bytes: p.bytesSent + p.bytesReceived,
        local: (stats.get(p.localCandidateId) as { candidateType: string }).candidateType,
        remote: (stats.get(p.remoteCandidateId) as { candidateType: string }).candidateType,
      };
    });
    return out;
  };
  const until = Date.now() + 30_000;
  let first = await read();
  while (!first || first.bytes === 0) {
    if (Date.now() > until) throw new Error('the held call never carried media');
    await new Promise((r) => setTimeout(r, 200));
    first = await read();
  }
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, holdS * 1000));
  const last = (await read()) ?? first;
  const perMinute = ((last.bytes - first.bytes) * 60_000) / (performance.now() - t0);
  phone.hangUp(id);
  return { perMinute, local: last.local, remote: last.remote };
}
