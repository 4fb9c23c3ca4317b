/**
 * The always-on service peer's Node side, for the servers that run one
 * beside them (the Vite plugin, `npm run serve`).
 */
export { servicePeerPlugin, superviseServicePeer, type ServicePeerTls, type SupervisorLogger } from './service-peer-plugin.ts';
