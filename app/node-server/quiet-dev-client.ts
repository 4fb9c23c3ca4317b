/**
 * `npm start` without Vite's hot-reload client. Vite's client keeps a
 * WebSocket to the dev server and reloads the page when that socket comes
 * back after a restart, which cuts every call in progress. Serving a client
 * with the same exports and no socket keeps a restart of the server from
 * touching open tabs: they keep their links and calls and reconnect to
 * signaling on their own back-off. (Vite's `server.ws: false` alone is not
 * enough: its client still dials the socket, and a browser lets only one
 * WebSocket per host be connecting at a time, so that dead handshake would
 * hold back the signaling socket.) `npm run dev` keeps the real client.
 */
import type { Plugin } from 'vite';

/** Where Vite serves its client; every module that uses `import.meta.hot` imports it. */
export const VITE_CLIENT_PATH = '/@vite/client';

/** The stand-in: Vite's client exports, without HMR (styles still apply, hot contexts accept and do nothing). */
export const QUIET_CLIENT_SOURCE = `// The app's stand-in for Vite's client: no hot-reload socket (app/node-server/quiet-dev-client.ts).
const sheets = new Map();
export function updateStyle(id, content) {
  let style = sheets.get(id);
  if (!style) {
    style = document.createElement('style');
    style.setAttribute('type', 'text/css');
    style.setAttribute('data-vite-dev-id', id);
    document.head.appendChild(style);
    sheets.set(id, style);
  }
  if (style.textContent !== content) style.textContent = content;
}
export function removeStyle(id) {
  sheets.get(id)?.remove();
  sheets.delete(id);
}
export function injectQuery(url, queryToInject) {
  if (url[0] !== '.' && url[0] !== '/') return url;
  const pathname = url.replace(/[?#].*$/, '');
  const { search, hash } = new URL(url, 'http://vite.dev');
  return pathname + '?' + queryToInject + (search ? '&' + search.slice(1) : '') + (hash || '');
}
export class ErrorOverlay {}
export function createHotContext() {
  const nothing = () => undefined;
  return { data: {}, accept: nothing, acceptExports: nothing, dispose: nothing, prune: nothing, decline: nothing, invalidate: nothing, on: nothing, off: nothing, send: nothing };
}
`;

/**
 * A Vite plugin that answers `/@vite/client` with the quiet stand-in. Its
 * middleware runs before Vite's own, so Vite never serves the real client.
 */
export function quietDevClient(): Plugin {
  return {
    name: 'p2p-quiet-dev-client',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0];
        if (path !== VITE_CLIENT_PATH) return next();
        res.setHeader('Content-Type', 'text/javascript');
        res.setHeader('Cache-Control', 'no-cache');
        res.end(QUIET_CLIENT_SOURCE);
      });
    },
  };
}
