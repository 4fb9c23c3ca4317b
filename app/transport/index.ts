/** Transport: the signaling connection (and, later, authenticated data links). */
export { Backoff, type BackoffOptions } from '../overlay';
export {
  parseServerUrl,
  parseServerList,
  sameOriginServer,
  ServerUrlError,
  type SignalingServerConfig,
} from './server-list';
export {
  SignalingClient,
  jittered,
  type SignalingState,
  type SignalingClientOptions,
  type PeerFactory,
  type ConnectionListener,
} from './signaling-client';
export { proveKeyTo, challengeUrl, serverRefusal, ChallengeError, type KeyProver, type FetchLike, type ServerRefusal } from './key-proof-client';
export { type Channel, type LinkVia, peerJsChannel, releaseDataConnection } from './channel';
export {
  Link,
  type LinkOptions,
  type LinkPeer,
  type LinkPolicy,
  type LinkDecision,
  type LinkDirection,
  type LocalEndpoint,
} from './link';
export { type PresentedUser, userBindingPayload, LINK_PROTOCOL } from './frames';
export * as linkLimits from './limits';
export { type Dialer, PeerJsDialer } from './dialer';
export {
  DialError,
  LinkClosedError,
  LINK_END_CODES,
  LINK_END_WORDS,
  linkEndCodeFrom,
  linkFailureOf,
  type DialFailureCode,
  type LinkEnd,
  type LinkEndCode,
  type LinkFailure,
  type LinkFailureCode,
} from './errors';
export { LinkManager, type LinkManagerOptions, type LinkInfo, type LinksOpened } from './link-manager';
export { OverlayAttach, ATTACH_TOPIC, type AttachPath, type OverlayAttachOptions } from './attach';
export { OverlayFirstDialer, type OverlayFirstDialerOptions } from './overlay-first-dialer';
export { type PeerConnectionFactory } from './rtc-channel';
export { LinkTransport } from './link-transport';
