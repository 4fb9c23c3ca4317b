/**
 * `npm run signaling`: the signaling server alone, for deployments that host
 * the static files elsewhere. PORT and HOST as for `npm start`.
 */
import { createServer, type ServerResponse } from 'node:http';
import { attachSignalingServer } from './signaling-server';
import { iceEndpoint } from './ice-endpoint';
import { iceSettingsFromEnv, IceSettingsError } from './turn-rest';

const port = Number(process.env['PORT'] ?? 9000);
const host = process.env['HOST'] ?? 'localhost';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env['PORT']}"`);
  process.exit(2);
}
let ice;
try {
  ice = iceEndpoint(iceSettingsFromEnv(process.env));
} catch (e) {
  if (!(e instanceof IceSettingsError)) throw e;
  console.error(`signaling server could not start: ${e.message}`);
  process.exit(2);
}
let signaling: ReturnType<typeof attachSignalingServer> | null = null;
const notFound = (res: ServerResponse): void => {
  res.statusCode = 404;
  res.end('not found\n');
};
const server = createServer((req, res) => {
  signaling?.middleware(req, res, () => ice(req, res, () => notFound(res)));
});
signaling = attachSignalingServer(server, {}, (line) => console.log(`[signaling] ${line}`));
server.on('error', (e) => {
  console.error(`signaling server could not start: ${e.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const a = server.address();
  const shown = typeof a === 'object' && a ? a.port : port;
  console.log(`Signaling server: http://${host}:${shown}/peerjs`);
});
const stop = (): void => {
  signaling?.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
