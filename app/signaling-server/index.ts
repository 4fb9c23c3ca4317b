/**
 * The node's HTTP services beside the app: the PeerJS signaling server and
 * the ICE configuration (`GET /ice-servers`, TURN REST credentials).
 */
export { attachSignalingServer, SIGNALING_MOUNT, SIGNALING_WS_PATH, CHALLENGE_PATH, DEFAULT_SIGNALING_LIMITS, type SignalingLimits, type SignalingServer } from './signaling-server.ts';
export { signalingPlugin } from './signaling-plugin.ts';
export { iceEndpoint, ICE_SERVERS_PATH } from './ice-endpoint.ts';
export { iceSettingsFromEnv, iceServersAnswer, turnRestCredential, IceSettingsError, DEFAULT_TURN_TTL_S, type IceSettings, type IceServersAnswer, type RTCIceServerJson } from './turn-rest.ts';
export { ChallengeStore, DEFAULT_CHALLENGE_LIMITS, type ChallengeLimits } from './challenges.ts';
