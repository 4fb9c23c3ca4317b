/**
 * `npm run build`, then `npm run serve`: a public node (public-node.ts) over
 * HTTPS on PORT (default 8443) of every interface (HOST to choose one).
 * Settings, all from the environment: the certificate (TLS_CERT/TLS_KEY, or
 * a kept self-signed one: TLS_DIR, TLS_NAMES), the ICE servers (STUN_URLS,
 * TURN_URLS, TURN_SECRET, TURN_TTL_S), the service peer (SERVICE_PEER=0 for
 * none, SERVICE_PEER_DATA), DIST (default dist), HTTPS=0 behind a proxy that
 * terminates TLS. Exit codes: 2 a setting cannot be used, 1 could not start.
 */
import { iceSettingsFromEnv, IceSettingsError } from '../signaling-server/index.ts';
import { createPublicNode, PublicNodeError } from './public-node.ts';
import { addressLines, serveSettings } from './serve-settings.ts';
import { TlsSettingsError } from './tls-certificate.ts';

function log(line: string): void {
  console.log(`${new Date().toISOString().slice(11, 19)} [node] ${line}`);
}

async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env['PORT'] || 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new IceSettingsError(`PORT must be a port number, not "${env['PORT']}"`);
  const root = process.cwd();
  const serve = await serveSettings(env, root, env['HTTPS'] !== '0');
  const node = createPublicNode({ distDir: env['DIST'] || 'dist', serve, ice: iceSettingsFromEnv(env), root, env, log });
  node.server.on('error', (e) => {
    console.error(`serve: could not start: ${e.message}`);
    process.exit(1);
  });
  node.server.listen(port, serve.host === true ? undefined : serve.host, () => {
    const a = node.server.address();
    const shown = typeof a === 'object' && a ? a : { port, address: '0.0.0.0' };
    log(`serving ${serve.tls ? 'https' : 'http'} on ${shown.address}:${shown.port}`);
    for (const line of addressLines(serve, shown.port, shown.address)) log(line);
  });
  const stop = (): void => {
    void node.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  if (e instanceof IceSettingsError || e instanceof TlsSettingsError || e instanceof PublicNodeError) {
    console.error(`serve: ${e.message}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
