/**
 * The PeerJS signaling server (the `peer` package), mounted at /peerjs on any
 * Node HTTP server: Vite's dev and preview servers, or a plain one for
 * `npm run signaling`. Peer discovery is on, so a joining tab can list the
 * peers online. The WebSocket server takes only upgrades on its own path,
 * so Vite's HMR socket on the same HTTP server keeps working.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Duplex } from 'node:stream';
import express from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocketServer, type ServerOptions } from 'ws';

export const SIGNALING_MOUNT = '/peerjs';
/** PeerJS appends this to the mount path for its WebSocket. */
export const SIGNALING_WS_PATH = `${SIGNALING_MOUNT}/peerjs`;
/** Peer IDs are node IDs: 40 lower-case hex digits. */
const PEER_ID = /^[0-9a-f]{40}$/;

/** Limits, with the values used unless told otherwise. */
export interface SignalingLimits {
  /** Most peers online at once. @default 5000 */
  maxPeers: number;
  /** A silent peer is dropped after this long. @default 60_000 */
  aliveTimeoutMs: number;
  /** Messages held for a peer that is not connected yet expire after this. @default 10_000 */
  expireTimeoutMs: number;
  /** Largest signaling message (SDP offers are a few KiB). @default 64 KiB */
  maxMessageBytes: number;
}

export const DEFAULT_SIGNALING_LIMITS: SignalingLimits = {
  maxPeers: 5000,
  aliveTimeoutMs: 60_000,
  expireTimeoutMs: 10_000,
  maxMessageBytes: 64 * 1024,
};

export interface SignalingServer {
  /** Connect-style middleware serving /peerjs/* and passing everything else on. */
  middleware(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /** Number of peers connected now. */
  peerCount(): number;
  close(): void;
}

type AnyHttpServer = HttpServer | Http2SecureServer;

export function attachSignalingServer(
  httpServer: AnyHttpServer,
  limits: Partial<SignalingLimits> = {},
  log: (line: string) => void = () => undefined,
): SignalingServer {
  const l = { ...DEFAULT_SIGNALING_LIMITS, ...limits };
  let wss: WebSocketServer | null = null;
  const clients = new Set<string>();
  const outer = express();
  outer.disable('x-powered-by');
  const peerApp = ExpressPeerServer(httpServer as HttpServer, {
    path: '/',
    key: 'peerjs',
    allow_discovery: true,
    concurrent_limit: l.maxPeers,
    alive_timeout: l.aliveTimeoutMs,
    expire_timeout: l.expireTimeoutMs,
    createWebSocketServer: (options: ServerOptions) => {
      wss = new WebSocketServer({ ...options, server: undefined, noServer: true, maxPayload: l.maxMessageBytes });
      return wss;
    },
  });
  peerApp.disable('x-powered-by');
  peerApp.on('connection', (c: IClient) => {
    clients.add(c.getId());
    log(`peer online ${c.getId().slice(0, 12)} (${clients.size} online)`);
  });
  peerApp.on('disconnect', (c: IClient) => {
    clients.delete(c.getId());
    log(`peer offline ${c.getId().slice(0, 12)} (${clients.size} online)`);
  });
  peerApp.on('error', (e: Error) => log(`signaling error: ${e.message}`));
  // Mounting fires the app's 'mount' event, which starts the peer server.
  outer.use(SIGNALING_MOUNT, peerApp);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== SIGNALING_WS_PATH && url.pathname !== `${SIGNALING_WS_PATH}/`) return;
    const id = url.searchParams.get('id') ?? '';
    if (!PEER_ID.test(id)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\npeer id must be a node ID (40 lower-case hex digits)\r\n');
      return;
    }
    if (!wss) {
      socket.destroy();
      return;
    }
    const server = wss;
    server.handleUpgrade(req, socket, head, (ws) => server.emit('connection', ws, req));
  };
  httpServer.on('upgrade', onUpgrade);

  return {
    middleware(req, res, next) {
      if (req.url === SIGNALING_MOUNT || req.url?.startsWith(`${SIGNALING_MOUNT}/`)) {
        // Express handles plain Node requests; its typings want its own subclasses.
        outer(req as express.Request, res as express.Response, next);
      } else {
        next();
      }
    },
    peerCount: () => clients.size,
    close() {
      httpServer.off('upgrade', onUpgrade);
      const server = wss as WebSocketServer | null;
      if (server) {
        for (const ws of server.clients) ws.terminate();
        server.close();
      }
    },
  };
}
