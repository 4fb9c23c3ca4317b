/** Transport: the signaling connection (and, later, authenticated data links). */
export { Backoff, type BackoffOptions } from './backoff';
export {
  parseServerUrl,
  parseServerList,
  sameOriginServer,
  ServerUrlError,
  type SignalingServerConfig,
} from './server-list';
export {
  SignalingClient,
  realClock,
  type SignalingState,
  type SignalingClientOptions,
  type PeerFactory,
  type TimerClock,
} from './signaling-client';
