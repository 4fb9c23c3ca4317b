/**
 * A public node in one process: the built app (dist/) as static files, the
 * PeerJS signaling server, `GET /ice-servers` (STUN/TURN with TURN REST
 * credentials shared with a coturn beside it), and a service peer, over
 * HTTPS. `npm run serve` runs it (serve-cli.ts); DESIGN.md, "Across machines".
 */
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join, resolve } from 'node:path';
import express from 'express';
import { attachSignalingServer, iceEndpoint, type IceSettings } from '../signaling-server/index.ts';
import { superviseServicePeer } from '../service-peer/index.ts';
import type { ServeSettings } from './serve-settings.ts';

export interface PublicNodeOptions {
  /** The built app (`npm run build` writes dist/). */
  distDir: string;
  serve: ServeSettings;
  ice: IceSettings;
  /** The working directory of the service peer (its data directory is relative to it). */
  root: string;
  /** SERVICE_PEER, SERVICE_PEER_DATA, SERVICE_PEER_STATUS_PORT, SERVICE_PEER_SIGNALING, as for `npm start`. */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export interface PublicNode {
  server: Server;
  close(): Promise<void>;
}

/** Thrown when the node cannot start as configured; the message says what to do. */
export class PublicNodeError extends Error {
  override name = 'PublicNodeError';
}

/**
 * Builds the node's server (not listening yet).
 * @throws PublicNodeError when `distDir` holds no built app
 */
export function createPublicNode(o: PublicNodeOptions): PublicNode {
  const dist = resolve(o.distDir);
  if (!existsSync(join(dist, 'index.html'))) throw new PublicNodeError(`${dist} holds no built app: run npm run build first`);
  const app = express();
  app.disable('x-powered-by');
  let signaling: ReturnType<typeof attachSignalingServer> | null = null;
  app.use((req, res, next) => (signaling ? signaling.middleware(req, res, next) : next()));
  app.use(iceEndpoint(o.ice));
  // Hashed asset names change with their content, so they may be kept a year; index.html must be asked again each time.
  app.use('/assets', express.static(join(dist, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  app.use(express.static(dist, { index: 'index.html', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache') }));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found\n');
  });
  const server = o.serve.tls ? createHttpsServer({ cert: o.serve.tls.cert, key: o.serve.tls.key }, app) : createHttpServer(app);
  signaling = attachSignalingServer(server, {}, o.env['SIGNALING_LOG'] ? (l) => o.log(`[signaling] ${l}`) : () => undefined);
  if (o.env['SERVICE_PEER'] !== '0' && o.env['SERVICE_PEER'] !== 'false') {
    const tls = o.serve.tls ? { certPath: o.serve.tls.certPath, selfSigned: o.serve.tls.source !== 'given' } : null;
    superviseServicePeer(server, o.root, { warn: o.log }, o.env, tls);
  }
  return {
    server,
    close: () =>
      new Promise<void>((done) => {
        signaling?.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
