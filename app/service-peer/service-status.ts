/**
 * What a service peer reports about itself: a JSON status (node ID, ring
 * position, links, records, disk use) served on a small loopback HTTP
 * endpoint (`--status-port`), for health checks and the tests.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fingerprint } from '../identity';
import type { RingMember } from '../peer';
import type { SignalingClient, LinkManager } from '../transport';
import { diskUse, RECORDS_DIR } from './data-dir';
import type { BootstrapEndpoint } from './bootstrap-endpoint';

export interface ServiceStatus {
  nodeId: string;
  fingerprint: string;
  overlay: string;
  role: 'service';
  pid: number;
  uptimeSeconds: number;
  signaling: string;
  ring: { joined: boolean; status: string; predecessor: string | null; successors: string[]; fingers: number };
  links: { nodeId: string; direction: string; rttMs: number | null; service: boolean }[];
  records: number;
  quarantined: number;
  diskBytes: number;
  heapBytes: number;
  rssBytes: number;
  /** The bootstrap endpoint: its published URLs, whether this peer holds its ID there, peers on it, refused proofs, entries written to the DHT; null: none. */
  bootstrap: { urls: string[]; registered: boolean; peersOnline: number; refusedProofs: number; published: number } | null;
}

interface StatusSource {
  config: { overlay: string };
  identity: { nodeId: string };
  dataDir: string;
  startedAt: number;
  signaling: SignalingClient;
  links: LinkManager;
  member: RingMember;
  quarantined: number;
  bootstrap: BootstrapEndpoint | null;
  bootstrapState: { registered: boolean; published: number };
}

export function statusOf(p: StatusSource): ServiceStatus {
  const ring = p.member.getSnapshot();
  const sig = p.signaling.state;
  return {
    nodeId: p.identity.nodeId,
    fingerprint: fingerprint(p.identity.nodeId),
    overlay: p.config.overlay,
    role: 'service',
    pid: process.pid,
    uptimeSeconds: Math.round((Date.now() - p.startedAt) / 1000),
    signaling: sig.kind === 'online' ? `online via ${sig.server}` : sig.kind,
    ring: { joined: ring.joined, status: ring.status, predecessor: ring.predecessor, successors: ring.successors, fingers: ring.fingers.length },
    links: p.links.links().map((l) => ({ nodeId: l.nodeId, direction: l.direction, rttMs: l.rttMs, service: l.peer.role === 'service' })),
    records: p.member.node.recordCount,
    quarantined: p.quarantined,
    diskBytes: diskUse(join(p.dataDir, RECORDS_DIR)),
    heapBytes: process.memoryUsage().heapUsed,
    rssBytes: process.memoryUsage().rss,
    bootstrap: p.bootstrap
      ? { urls: p.bootstrap.urls, ...p.bootstrapState, peersOnline: p.bootstrap.signaling.peerCount(), refusedProofs: p.bootstrap.signaling.counters().refusedProofs }
      : null,
  };
}

/** Serves `status()` as JSON on GET / and /health; resolves with the port it listens on. */
export function serveStatus(status: () => unknown, port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' || (path !== '/' && path !== '/health')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; GET / or /health\n');
      return;
    }
    try {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(status(), null, 2) + '\n');
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`status failed: ${(e as Error).message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`the status endpoint cannot listen on ${host}:${port} (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : port });
    });
  });
}
