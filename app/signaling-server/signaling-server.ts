/**
 * The PeerJS signaling server (the `peer` package), mounted at /peerjs on any
 * Node HTTP server: Vite's dev and preview servers, or a plain one for
 * `npm run signaling`. Peer discovery is on, so a joining tab can list the
 * peers online. The WebSocket server takes only upgrades on its own path,
 * so Vite's HMR socket on the same HTTP server keeps working.
 *
 * A peer ID is held only with proof of the key it derives from: the client
 * fetches a nonce from `/peerjs/challenge` and sends its SPKI and signature
 * as PeerJS's `token` (app/identity/key-proof.ts). The check runs in the
 * HTTP upgrade, before PeerJS sees the socket, because the `peer` package
 * has no hook there (its `connection` event fires after it has taken the ID,
 * and its `generateClientId` is only for IDs the server makes). A refused
 * proof gets PeerJS's ERROR message with a `key-proof-refused:<problem>`
 * code, and the ID's owner is not touched. A proven connection for an ID
 * that is already held replaces the old one at once (the old socket gets
 * `id-replaced` and is closed): the old one is stale, typically half-open
 * after a network change, and the newcomer has just proven the key.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import type { Duplex } from 'node:stream';
import express from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import { checkKeyProof, ID_REPLACED, KEY_PROOF_REFUSED } from '../identity';
import { answerChallenge, ChallengeStore, type ChallengeLimits } from './challenges';

export const SIGNALING_MOUNT = '/peerjs';
/** PeerJS appends this to the mount path for its WebSocket. */
export const SIGNALING_WS_PATH = `${SIGNALING_MOUNT}/peerjs`;
/** Where a client fetches a fresh nonce to prove its key (relative to the mount). */
export const CHALLENGE_PATH = '/challenge';
/**
 * What PeerJS sees as every proven client's token: the proof replaced the
 * token's job (telling the ID's owner from others), and one value per ID
 * lets PeerJS hand the ID to the newest proven socket instead of saying
 * "ID is taken".
 */
const PROVEN_TOKEN = 'proven';
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
  /** The S/Kademlia static puzzle a node key must meet to hold its ID here (0: none). @default 0 */
  staticPuzzleBits: number;
  /** How long a challenge nonce is good for, and how many may be outstanding. */
  challenges: Partial<ChallengeLimits>;
}

export const DEFAULT_SIGNALING_LIMITS: SignalingLimits = {
  maxPeers: 5000,
  aliveTimeoutMs: 60_000,
  expireTimeoutMs: 10_000,
  maxMessageBytes: 64 * 1024,
  staticPuzzleBits: 0,
  challenges: {},
};

export interface SignalingServer {
  /** Connect-style middleware serving /peerjs/* and passing everything else on. */
  middleware(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /** Number of peers connected now. */
  peerCount(): number;
  /** Connections refused for a missing or wrong proof of key, and connections replaced by a newer proven one, since start. */
  counters(): { refusedProofs: number; replaced: number };
  close(): void;
}

type AnyHttpServer = HttpServer | Http2SecureServer;

/** Sends PeerJS's ERROR message with a wire code and closes; a half-open socket is dropped at once. */
function refuse(ws: WebSocket, code: string): void {
  try {
    ws.send(JSON.stringify({ type: 'ERROR', payload: { msg: code } }));
  } catch {
    // The socket is already gone: nothing to tell.
  }
  ws.close(1008, code.slice(0, 100));
  // A peer that never answers the close (half-open) must not keep the socket for the ws close timeout.
  setTimeout(() => ws.terminate(), 2000).unref?.();
}

/**
 * Answers `GET <mount>/peerjs/peers` as PeerJS's `allow_discovery` listing
 * does: a JSON array of the IDs online (peer-discovery.ts reads it).
 */
function answerPeers(ids: string[], req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', 'no-store');
  if (req.method !== 'GET') {
    res.statusCode = 405;
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(ids));
}

export function attachSignalingServer(
  httpServer: AnyHttpServer,
  limits: Partial<SignalingLimits> = {},
  log: (line: string) => void = () => undefined,
): SignalingServer {
  const l = { ...DEFAULT_SIGNALING_LIMITS, ...limits };
  let wss: WebSocketServer | null = null;
  const clients = new Map<string, IClient>();
  const challenges = new ChallengeStore(l.challenges);
  let refusedProofs = 0;
  let replaced = 0;
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
    clients.set(c.getId(), c);
    log(`peer online ${c.getId().slice(0, 12)} (${clients.size} online)`);
  });
  peerApp.on('disconnect', (c: IClient) => {
    if (clients.get(c.getId()) !== c) return;
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
    // The check is asynchronous (WebCrypto): a socket that fails meanwhile must not crash the server.
    const onEarlyError = (): void => undefined;
    socket.on('error', onEarlyError);
    void checkKeyProof(url.searchParams.get('token'), id, (n) => challenges.take(n), l.staticPuzzleBits).then((problem) => {
      socket.off('error', onEarlyError);
      if (socket.destroyed) return;
      server.handleUpgrade(req, socket, head, (ws) => {
        if (problem) {
          refusedProofs++;
          log(`refused ${id.slice(0, 12)}: ${problem}`);
          refuse(ws, `${KEY_PROOF_REFUSED}:${problem}`);
          return;
        }
        const old = clients.get(id)?.getSocket() as WebSocket | null | undefined;
        url.searchParams.set('token', PROVEN_TOKEN);
        req.url = `${url.pathname}?${url.searchParams.toString()}`;
        server.emit('connection', ws, req);
        if (old && old !== ws) {
          replaced++;
          log(`peer ${id.slice(0, 12)} proved its key again: the older connection is replaced`);
          // PeerJS gave the ID to this socket without its OPEN (it sends none to a returning token).
          ws.send(JSON.stringify({ type: 'OPEN' }));
          refuse(old, ID_REPLACED);
        }
      });
    });
  };
  httpServer.on('upgrade', onUpgrade);

  return {
    middleware(req, res, next) {
      if (!(req.url === SIGNALING_MOUNT || req.url?.startsWith(`${SIGNALING_MOUNT}/`))) return next();
      // The two routes the app fetches are answered here, with the plain Node API that HTTP/2's
      // compatibility objects share. Express 4 swaps a request's prototype for its own (built on
      // HTTP/1's), which takes `url` away from an HTTP/2 request and threw in the dev server, ending
      // it: browsers fetch over HTTP/2 from an HTTPS server, so one fetch of a challenge took it down.
      const path = req.url.split('?')[0];
      if (path === `${SIGNALING_MOUNT}${CHALLENGE_PATH}`) return answerChallenge(challenges, req, res);
      if (path === `${SIGNALING_WS_PATH}/peers`) return answerPeers([...clients.keys()], req, res);
      if (req.httpVersionMajor >= 2) {
        res.statusCode = 404;
        res.end();
        return;
      }
      // Express handles plain Node requests; its typings want its own subclasses.
      outer(req as express.Request, res as express.Response, next);
    },
    peerCount: () => clients.size,
    counters: () => ({ refusedProofs, replaced }),
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
