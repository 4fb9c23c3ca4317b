/**
 * `npm run service-peer -- --signaling URL --data DIR [options]`: one
 * always-on service peer (see service-config.ts for the options). Logs one
 * readable line per event; SIGINT/SIGTERM hand the records over and exit 0.
 * Exit codes: 2 bad command line, 1 could not start (a sentence says why).
 */
import { parseServicePeerArgs, UsageError, USAGE } from './service-config';
import { ServicePeer } from './service-peer';
import { serveStatus } from './service-status';

function log(line: string): void {
  console.log(`${new Date().toISOString().slice(11, 19)} [service-peer] ${line}`);
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseServicePeerArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`service-peer: ${e.message}`);
    process.exit(2);
  }
  if (!config) {
    console.log(USAGE);
    return;
  }
  let peer: ServicePeer;
  try {
    peer = await ServicePeer.start(config, log);
  } catch (e) {
    console.error(`service-peer: could not start: ${(e as Error).message}`);
    process.exit(1);
  }
  let statusServer: { close(): void } | null = null;
  if (config.statusPort !== null) {
    try {
      const s = await serveStatus(() => peer.status(), config.statusPort, config.statusHost);
      statusServer = s.server;
      log(`status at http://${config.statusHost}:${s.port}/health`);
    } catch (e) {
      log(`error: ${(e as Error).message}`);
    }
  }
  log(peer.statusLine());
  const stop = (signal: string): void => {
    log(`${signal}: leaving the ring`);
    statusServer?.close();
    // A second signal while handing over means "now".
    process.once('SIGINT', () => process.exit(130));
    process.once('SIGTERM', () => process.exit(143));
    peer.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`error while stopping: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

process.on('unhandledRejection', (e) => log(`error: ${e instanceof Error ? e.message : String(e)}`));
void main();
