/**
 * `GET /ice-servers`: the node tells the tabs it served which STUN and TURN
 * servers to use, as `{ iceServers, expiresAt }` (turn-rest.ts), beside the
 * signaling server on the app's own origin (Vite's dev and preview servers,
 * `npm run serve`, `npm run signaling`). Each answer carries a fresh TURN
 * credential, so it is never cached.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { iceServersAnswer, type IceSettings } from './turn-rest';

export const ICE_SERVERS_PATH = '/ice-servers';

/** Connect-style middleware answering `GET /ice-servers` and passing everything else on. */
export function iceEndpoint(
  settings: IceSettings,
  now: () => number = Date.now,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== ICE_SERVERS_PATH) {
      next();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('only GET\n');
      return;
    }
    const body = JSON.stringify(iceServersAnswer(settings, now()));
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
