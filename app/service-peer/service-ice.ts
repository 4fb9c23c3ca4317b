/**
 * The node's STUN/TURN servers for the service peer's links (issue 15). The
 * service peer reads the same `/ice-servers` answer a tab reads, through the
 * same NodeIceConfig (checked as untrusted input, refreshed at 80 % of the
 * TURN credential's lifetime, retried with back-off, the last good list
 * kept), and gives it to PeerJS for every link it makes from then on. A
 * service peer behind a NAT is then reachable through the node's relay, as
 * a tab is; one on a public address offers a relay candidate beside its
 * host ones, and ICE still prefers the direct pair (RFC 8445 §5.1.2).
 */
import { systemClock, type Clock } from '../common';
import { NodeIceConfig, type IceHttpResponse } from '../peer';
import type { SignalingServerConfig } from '../transport';

/** Where the node that runs `signaling` answers its ICE servers: the same origin, path `/ice-servers`. */
export function iceServersUrlFor(signaling: SignalingServerConfig): string {
  return new URL('/ice-servers', signaling.url).href;
}

export interface ServiceIceOptions {
  /** The node's `/ice-servers` URL. */
  url: string;
  /** Takes each new list (SignalingClient.setIceServers). */
  apply: (servers: RTCIceServer[]) => void;
  log: (line: string) => void;
  clock?: Clock;
  /** Fetches `url` (Node's fetch by default, with a 10 s timeout). */
  fetch?: (url: string) => Promise<IceHttpResponse>;
}

/** A running follower of the node's list. */
export interface ServiceIce {
  /** Resolves after the first answer or failure (never rejects). */
  readonly ready: Promise<void>;
  readonly config: NodeIceConfig;
  stop(): void;
}

const nodeFetch = (url: string): Promise<IceHttpResponse> => fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store', signal: AbortSignal.timeout(10_000) });

/** Describes a list for the log: kinds and hosts, never credentials. */
export function describeIceServers(servers: readonly RTCIceServer[]): string {
  if (servers.length === 0) return 'none';
  return servers
    .flatMap((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls))
    .map((u) => u.replace(/\?.*$/, ''))
    .join(', ');
}

/** Follows the node's ICE servers at `o.url`, handing every new list to `o.apply` and logging changes and problems in words. */
export function followNodeIce(o: ServiceIceOptions): ServiceIce {
  const fetchFn = o.fetch ?? nodeFetch;
  const config = new NodeIceConfig({ clock: o.clock ?? systemClock, fetch: () => fetchFn(o.url) });
  let lastServers = '';
  let lastProblem: string | null = null;
  config.subscribe(() => {
    const snap = config.getSnapshot();
    const servers = JSON.stringify(snap.servers);
    if (servers !== lastServers) {
      lastServers = servers;
      o.apply(snap.servers);
      o.log(`media servers from the node: ${describeIceServers(snap.servers)}`);
    }
    if (snap.problem !== lastProblem) {
      lastProblem = snap.problem;
      if (snap.problem) o.log(snap.problem);
    }
  });
  return { ready: config.start(), config, stop: () => config.stop() };
}
