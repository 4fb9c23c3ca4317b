import { defineConfig, type Plugin, type PreviewServer, type ViteDevServer } from 'vite';
import react from '@vitejs/plugin-react';
import { signalingPlugin } from './app/signaling-server/index.ts';
import { servicePeerPlugin } from './app/service-peer/index.ts';
import { addressLines, quietDevClient, serveSettings } from './app/node-server/index.ts';

const port = Number(process.env['PORT'] ?? 5173);

/**
 * `npm start` serves the app with no hot-reload socket (quietDevClient):
 * Vite's client reloads every open tab when that socket comes back after a
 * server restart, which would cut the call in progress. `npm run dev` (mode
 * `hot`) keeps hot reload for developers.
 */
export const HOT_MODE = 'hot';

export default defineConfig(async ({ mode }) => {
  // HTTPS=1: a certificate (made on first run and kept in .tls, or TLS_CERT/TLS_KEY), every interface, any host name.
  const serve = await serveSettings(process.env, process.cwd());
  const https = serve.tls ? { cert: serve.tls.cert, key: serve.tls.key } : undefined;
  const tlsForPeer = serve.tls ? { certPath: serve.tls.certPath, selfSigned: serve.tls.source !== 'given' } : null;
  const common = { port, host: serve.host, strictPort: true, allowedHosts: serve.allowedHosts, ...(https ? { https } : {}) };
  return {
    plugins: [react(), signalingPlugin(), servicePeerPlugin(process.env, tlsForPeer), printAddresses(serve), ...(mode === HOT_MODE ? [] : [quietDevClient()])],
    // SOFTPHONE_WATCH=0 (the end-to-end runs) stops reloading open tabs when source files change under a running test.
    server: {
      ...common,
      ...(mode === HOT_MODE ? {} : { ws: false as const }),
      ...(process.env['SOFTPHONE_WATCH'] === '0' ? { watch: { ignored: () => true } } : {}),
    },
    // Pre-bundled at start: a dependency found only when a page first imports it makes Vite reload every open tab.
    optimizeDeps: { include: ['react', 'react-dom/client', 'peerjs', 'jssip', 'idb-keyval'] },
    preview: common,
    build: { target: 'es2022', sourcemap: true },
  };
});

/** Says where other machines open the app, and which certificate they will be shown. */
function printAddresses(serve: Awaited<ReturnType<typeof serveSettings>>): Plugin {
  const mount = (server: ViteDevServer | PreviewServer): void => {
    server.httpServer?.once('listening', () => {
      const a = server.httpServer?.address();
      if (a && typeof a === 'object') for (const line of addressLines(serve, a.port, a.address)) server.config.logger.info(line);
    });
  };
  return { name: 'p2p-addresses', configureServer: mount, configurePreviewServer: mount };
}
