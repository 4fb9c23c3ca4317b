/**
 * A Vite plugin that serves the PeerJS signaling server and the node's ICE
 * configuration (`GET /ice-servers`, from STUN_URLS, TURN_URLS, TURN_SECRET,
 * TURN_TTL_S) beside the app, on the same port.
 */
import type { Plugin, PreviewServer, ViteDevServer } from 'vite';
import { attachSignalingServer, type SignalingLimits } from './signaling-server.ts';
import { iceEndpoint } from './ice-endpoint.ts';
import { iceSettingsFromEnv, type IceSettings } from './turn-rest.ts';

/**
 * @param limits the signaling server's limits
 * @param ice what `/ice-servers` names; read from the environment by default
 * @throws IceSettingsError at start when the environment's ICE settings cannot be used
 */
export function signalingPlugin(limits: Partial<SignalingLimits> = {}, ice: IceSettings = iceSettingsFromEnv(process.env)): Plugin {
  const mount = (server: ViteDevServer | PreviewServer): void => {
    if (!server.httpServer) return; // middleware mode: the host server owns signaling
    const log = (line: string): void => server.config.logger.info(`[signaling] ${line}`, { timestamp: true });
    const signaling = attachSignalingServer(server.httpServer, limits, process.env['SIGNALING_LOG'] ? log : () => undefined);
    server.middlewares.use(signaling.middleware);
    server.middlewares.use(iceEndpoint(ice));
    server.httpServer.once('close', () => signaling.close());
  };
  return {
    name: 'p2p-signaling',
    configureServer: mount,
    configurePreviewServer: mount,
  };
}
