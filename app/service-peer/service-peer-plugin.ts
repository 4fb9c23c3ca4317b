/**
 * A Vite plugin that runs one service peer beside the embedded signaling
 * server (`npm start`, `npm run preview`), as a child process so its native
 * WebRTC and disk work stay out of Vite's process. SERVICE_PEER=0 turns it
 * off; SERVICE_PEER_DATA names its data directory (default .service-peer);
 * SERVICE_PEER_STATUS_PORT serves its status; SERVICE_PEER_BOOTSTRAP_PORT
 * (and SERVICE_PEER_BOOTSTRAP_URL) run its bootstrap endpoint. A peer killed by a signal, or
 * one that exits after it had been up a while, is restarted (at most 5 times
 * a minute); a failure at start (damaged data, bad settings) does not loop:
 * its message says what to do. Over HTTPS (`tls`), the peer reaches its own
 * node at the address it listens on and trusts the node's self-signed certificate
 * (NODE_EXTRA_CA_CERTS); an operator's certificate names the public host,
 * not this loopback address, so for that loopback connection alone the child does not
 * check the name (SERVICE_PEER_SIGNALING gives it a URL to check instead).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer } from 'node:http2';
import { fileURLToPath } from 'node:url';
import type { Plugin, PreviewServer, ViteDevServer } from 'vite';

const CLI = fileURLToPath(new URL('./service-peer-cli.ts', import.meta.url));
/** A peer that ran at least this long is restarted when it exits; one killed by a signal is restarted anyway. */
const RESTART_IF_UP_MS = 15_000;
/** More restarts than this in a minute means something is wrong that restarting will not fix. */
const MAX_RESTARTS_PER_MINUTE = 5;

/** The node's certificate, when it serves HTTPS. */
export interface ServicePeerTls {
  certPath: string;
  /** True for a self-signed certificate (it names localhost, and the child trusts exactly it). */
  selfSigned: boolean;
}

/** Where the supervisor writes. */
export interface SupervisorLogger {
  warn(line: string): void;
}

/**
 * Runs one service peer beside `http` once it listens, restarting it as
 * described above, until `http` closes or the process exits.
 * @param root the directory the peer's relative paths (SERVICE_PEER_DATA) are in
 */
export function superviseServicePeer(http: HttpServer | Http2SecureServer, root: string, logger: SupervisorLogger, env: NodeJS.ProcessEnv = process.env, tls: ServicePeerTls | null = null): void {
  let child: ChildProcess | null = null;
  let closing = false;
  let recent: number[] = [];
  const run = (signaling: string): void => {
    const args = ['--import', 'tsx', CLI, '--signaling', signaling, '--data', env['SERVICE_PEER_DATA'] ?? '.service-peer'];
    if (env['SERVICE_PEER_STATUS_PORT']) args.push('--status-port', env['SERVICE_PEER_STATUS_PORT']);
    if (env['SERVICE_PEER_BOOTSTRAP_PORT']) args.push('--bootstrap-port', env['SERVICE_PEER_BOOTSTRAP_PORT']);
    if (env['SERVICE_PEER_BOOTSTRAP_URL']) args.push('--bootstrap-url', env['SERVICE_PEER_BOOTSTRAP_URL']);
    const started = Date.now();
    const childEnv = { ...env };
    if (tls?.selfSigned) childEnv['NODE_EXTRA_CA_CERTS'] = tls.certPath;
    else if (tls && !env['SERVICE_PEER_SIGNALING']) childEnv['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
    child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: childEnv });
    child.once('exit', (code, signal) => {
      child = null;
      if (closing) return;
      const upFor = Date.now() - started;
      // Killed from outside (SIGKILL, the OOM killer) is a crash to recover from, however soon; an exit code
      // soon after start is a failure at start (damaged data, bad settings), which would only loop.
      recent = recent.filter((t) => t > Date.now() - 60_000);
      const restart = (signal !== null || upFor >= RESTART_IF_UP_MS) && recent.length < MAX_RESTARTS_PER_MINUTE;
      logger.warn(`[service-peer] exited (${signal ?? `code ${code}`})${restart ? '; restarting' : '; not restarted (SERVICE_PEER=0 turns it off)'}`);
      if (restart) {
        recent.push(Date.now());
        setTimeout(() => !closing && run(signaling), 1000);
      }
    });
  };
  const stop = (): void => {
    closing = true;
    child?.kill('SIGTERM');
  };
  http.once('listening', () => {
    const a = http.address();
    if (!a || typeof a !== 'object') return;
    // An IPv6 or wildcard address is reached by name.
    const host = a.family === 'IPv6' || a.address === '0.0.0.0' ? 'localhost' : a.address;
    run(env['SERVICE_PEER_SIGNALING'] || `${tls ? 'https' : 'http'}://${host}:${a.port}/peerjs`);
  });
  http.once('close', stop);
  process.once('exit', stop);
}

/** The Vite plugin: a service peer beside `npm start` and `npm run preview`. */
export function servicePeerPlugin(env: NodeJS.ProcessEnv = process.env, tls: ServicePeerTls | null = null): Plugin {
  const mount = (server: ViteDevServer | PreviewServer): void => {
    const http = server.httpServer;
    if (!http || env['SERVICE_PEER'] === '0' || env['SERVICE_PEER'] === 'false') return;
    superviseServicePeer(http, server.config.root, server.config.logger, env, tls);
  };
  return {
    name: 'p2p-service-peer',
    configureServer: mount,
    configurePreviewServer: mount,
  };
}
