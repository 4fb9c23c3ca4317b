/** A Vite plugin that serves the PeerJS signaling server beside the app, on the same port. */
import type { Plugin, PreviewServer, ViteDevServer } from 'vite';
import { attachSignalingServer, type SignalingLimits } from './signaling-server.ts';

export function signalingPlugin(limits: Partial<SignalingLimits> = {}): Plugin {
  const mount = (server: ViteDevServer | PreviewServer): void => {
    if (!server.httpServer) return; // middleware mode: the host server owns signaling
    const log = (line: string): void => server.config.logger.info(`[signaling] ${line}`, { timestamp: true });
    const signaling = attachSignalingServer(server.httpServer, limits, process.env['SIGNALING_LOG'] ? log : () => undefined);
    server.middlewares.use(signaling.middleware);
    server.httpServer.once('close', () => signaling.close());
  };
  return {
    name: 'p2p-signaling',
    configureServer: mount,
    configurePreviewServer: mount,
  };
}
