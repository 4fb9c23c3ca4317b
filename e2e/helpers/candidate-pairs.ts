/**
 * Which ICE candidate pair a connection uses, from `getStats()` (W3C
 * webrtc-stats: the transport's `selectedCandidatePairId`, then the pair's
 * local and remote candidates' `candidateType`: host, srflx, prflx or relay,
 * RFC 8445 §5.1.1). A pair is relayed when either end is a TURN relay
 * candidate.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface SelectedPair {
  local: string;
  remote: string;
  /** Whether either end is a TURN relay candidate. */
  relay: boolean;
}

/** The selected pair of the open overlay link from `page` to `nodeId`, or null when there is none (yet). */
export function linkPair(page: Page, nodeId: string): Promise<SelectedPair | null> {
  return page.evaluate(async (id) => {
    const peer = window.softphoneTest!.signalingPeer();
    const conns = ((peer as unknown as { connections: Record<string, Array<{ label: string; open: boolean; peerConnection: RTCPeerConnection | null }>> } | null)?.connections ?? {})[id] ?? [];
    const pc = conns.find((c) => c.label === 'p2p-link' && c.open)?.peerConnection;
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair: { localCandidateId: string; remoteCandidateId: string } | undefined;
    stats.forEach((r: { type: string; selectedCandidatePairId?: string }) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
    });
    if (!pair) return null;
    const local = (stats.get(pair.localCandidateId) as { candidateType?: string } | undefined)?.candidateType ?? '?';
    const remote = (stats.get(pair.remoteCandidateId) as { candidateType?: string } | undefined)?.candidateType ?? '?';
    return { local, remote, relay: local === 'relay' || remote === 'relay' };
  }, nodeId);
}

/** The selected pair of call `callId`'s media connection in `page`. */
export function callPair(page: Page, callId: string): Promise<SelectedPair | null> {
  return page.evaluate(async (cid) => {
    const pc = window.softphoneTest!.phone()?.connection(cid);
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair: { localCandidateId: string; remoteCandidateId: string } | undefined;
    stats.forEach((r: { type: string; selectedCandidatePairId?: string }) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
    });
    if (!pair) return null;
    const local = (stats.get(pair.localCandidateId) as { candidateType?: string } | undefined)?.candidateType ?? '?';
    const remote = (stats.get(pair.remoteCandidateId) as { candidateType?: string } | undefined)?.candidateType ?? '?';
    return { local, remote, relay: local === 'relay' || remote === 'relay' };
  }, callId);
}

/** Polls `read` until it gives a pair (ICE may still be choosing). */
export async function waitPair(read: () => Promise<SelectedPair | null>, what: string, timeoutMs = 20_000): Promise<SelectedPair> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const p = await read();
    if (p) return p;
    if (Date.now() > until) throw new Error(`${what} has no selected candidate pair after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What ICE did on call `callId`'s connection in `page`, for a failure message: states, candidates by type, pairs by state. */
export function callIceReport(page: Page, callId: string): Promise<string> {
  return page.evaluate(async (cid) => {
    const pc = window.softphoneTest!.phone()?.connection(cid);
    if (!pc) return 'no connection';
    const stats = await pc.getStats();
    const count: Record<string, number> = {};
    stats.forEach((r: { type: string; candidateType?: string; state?: string }) => {
      const k = r.type === 'local-candidate' || r.type === 'remote-candidate' ? `${r.type}:${r.candidateType}` : r.type === 'candidate-pair' ? `pair:${r.state}` : '';
      if (k) count[k] = (count[k] ?? 0) + 1;
    });
    const cfg = pc.getConfiguration().iceServers?.map((s) => String(s.urls)).join(' ') ?? '';
    return `ice ${pc.iceConnectionState}, gathering ${pc.iceGatheringState}, servers [${cfg}], ${JSON.stringify(count)}`;
  }, callId);
}

/** The same report for every RTCPeerConnection the page made (needs peer-connections.ts' countPeerConnections before the page opened). */
export function allIceReports(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const made = (window as unknown as { __peerConnections?: RTCPeerConnection[] }).__peerConnections ?? [];
    const out: string[] = [];
    for (const pc of made) {
      const stats = await pc.getStats();
      const count: Record<string, number> = {};
      stats.forEach((r: { type: string; candidateType?: string; state?: string; address?: string }) => {
        const k = r.type === 'local-candidate' || r.type === 'remote-candidate' ? `${r.type}:${r.candidateType}:${r.address}` : r.type === 'candidate-pair' ? `pair:${r.state}` : '';
        if (k) count[k] = (count[k] ?? 0) + 1;
      });
      const cfg = pc.getConfiguration();
      out.push(`[${pc.connectionState}/${pc.iceConnectionState} policy ${cfg.iceTransportPolicy} servers ${(cfg.iceServers ?? []).map((s) => String(s.urls)).join(' ')} ${JSON.stringify(count)}]`);
    }
    return out.join('\n');
  });
}

type IceLogWin = { __iceLog?: string[] };

/** From now on, every page of `context` logs its RTCPeerConnections' ICE and gathering states and candidate errors, with ms since each was made. */
export async function recordIceEvents(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __iceLog: string[]; RTCPeerConnection: typeof RTCPeerConnection };
    w.__iceLog = [];
    const Native = w.RTCPeerConnection;
    let n = 0;
    w.RTCPeerConnection = class LoggedPeerConnection extends Native {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        const me = ++n;
        const t0 = Date.now();
        const log = (what: string): number => w.__iceLog.push(`${me} +${Date.now() - t0} ${what}`);
        this.addEventListener('iceconnectionstatechange', () => log(`ice ${this.iceConnectionState}`));
        this.addEventListener('icegatheringstatechange', () => log(`gathering ${this.iceGatheringState}`));
        this.addEventListener('icecandidateerror', (e) => log(`candidate error ${(e as RTCPeerConnectionIceErrorEvent).errorCode} ${(e as RTCPeerConnectionIceErrorEvent).url}`));
      }
    };
  });
}

/** What recordIceEvents logged in `page`. */
export function iceEvents(page: Page): Promise<string> {
  return page.evaluate(() => JSON.stringify((window as unknown as IceLogWin).__iceLog ?? []));
}
