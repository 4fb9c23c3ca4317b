/**
 * A Vite plugin that runs one service peer beside the embedded signaling
 * server (`npm start`, `npm run preview`), as a child process so its native
 * WebRTC and disk work stay out of Vite's process. SERVICE_PEER=0 turns it
 * off; SERVICE_PEER_DATA names its data directory (default .service-peer);
 * SERVICE_PEER_STATUS_PORT serves its status. A peer killed by a signal, or
 * one that exits after it had been up a while, is restarted (at most 5 times
 * a minute); a failure at start (damaged data, bad settings) does not loop:
 * its message says what to do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Plugin, PreviewServer, ViteDevServer } from 'vite';

const CLI = fileURLToPath(new URL('./service-peer-cli.ts', import.meta.url));
/** A peer that ran at least this long is restarted when it exits; one killed by a signal is restarted anyway. */
const RESTART_IF_UP_MS = 15_000;
/** More restarts than this in a minute means something is wrong that restarting will not fix. */
const MAX_RESTARTS_PER_MINUTE = 5;

export function servicePeerPlugin(env: NodeJS.ProcessEnv = process.env): Plugin {
  const mount = (server: ViteDevServer | PreviewServer): void => {
    const http = server.httpServer;
    if (!http || env['SERVICE_PEER'] === '0' || env['SERVICE_PEER'] === 'false') return;
    const logger = server.config.logger;
    let child: ChildProcess | null = null;
    let closing = false;
    let recent: number[] = [];
    const run = (signaling: string): void => {
      const args = ['--import', 'tsx', CLI, '--signaling', signaling, '--data', env['SERVICE_PEER_DATA'] ?? '.service-peer'];
      if (env['SERVICE_PEER_STATUS_PORT']) args.push('--status-port', env['SERVICE_PEER_STATUS_PORT']);
      const started = Date.now();
      child = spawn(process.execPath, args, { cwd: server.config.root, stdio: 'inherit' });
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
      run(`http://${host}:${a.port}/peerjs`);
    });
    http.once('close', stop);
    process.once('exit', stop);
  };
  return {
    name: 'p2p-service-peer',
    configureServer: mount,
    configurePreviewServer: mount,
  };
}
