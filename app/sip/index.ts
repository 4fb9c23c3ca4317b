/** SIP over the overlay: a JsSIP socket that is also this tab's registrar and proxy. */
export { OverlaySocket, type OverlaySocketOptions } from './overlay-socket';
export { parseSip, nodeHost, nodeOfHost, MAX_SIP_BYTES, type SipMessage, type SipRequest, type SipResponse } from './sip-parse';
export { makeResponse, makeCancel } from './responses';
export type { SipNetwork, SipLocation, SendResult, LookupResult, ContactPolicy, ContactDecision } from './types';
export { ClockSkewError, NameTakenError, OverlayTimeoutError, RegistrationFailedError, RegistrationRefusedError } from './errors';
export { UserAgent, MAX_CALL_RECORDS, type UndeliveredHandler, type UserAgentOptions, type UserAgentSnapshot, type CallView, type CallState, type CallRecord } from './user-agent';
export { ChatHistory, chatLengthProblem, MAX_CHAT_BYTES, MAX_MESSAGES_PER_PEER, type ChatMessage, type ChatChange } from './chat-history';
export { sipStatusWords, callOutcomeWords, registrationWords, isTransientRegisterStatus } from './words';
export { currentCall, inProgress } from './call-waiting';
export { callOutcomeCode, sipFailureCode, mayLeaveMessage, type CallOutcomeCode, type CallEnding, type SipFailureCode } from './call-outcome';
export { NameDirectory, nameProblem, dhtKey, CLAIM_TTL_MS, type NameClaim } from './name-directory';
export { DhtLocation, type Registration, type RegistrationsResult } from './dht-location';
export { OverlaySipNetwork } from './overlay-network';
export { parseIceServers, formatIceServers, MAX_ICE_SERVERS, type IceServerList } from './ice-servers';
export { replaceSentTrack, type TrackSender, type TrackSwitch } from './track-switch';
