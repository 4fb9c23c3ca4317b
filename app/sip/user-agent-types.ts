/**
 * The softphone's public shapes: its options, the snapshot the UI renders,
 * a call in progress and a recent-call record (phone.ts runs them).
 */
import type { KeyValueStore } from '../identity';
import type { BackoffOptions } from '../overlay';
import { type Clock } from '../common';
import type { CallOutcomeCode } from './call-outcome';
import type { ContactPolicy, SipLocation, SipNetwork } from './types';

export interface UserAgentOptions {
  network: SipNetwork;
  location: SipLocation;
  policy: ContactPolicy;
  domain: string;
  /** The name this person claimed. */
  name: string;
  history: KeyValueStore;
  iceServers?: RTCIceServer[];
  log?: (line: string) => void;
  /** What the registration's retries wait on. @default systemClock */
  clock?: Clock;
  /** Waits between registration retries. @default 1 s doubling to 60 s */
  registrationBackoff?: BackoffOptions;
  /**
   * The getUserMedia constraints a call opens its media with, given whether
   * it sends video (the person's chosen camera and microphone). Absent: the
   * browser's default devices. An audio call never opens a camera, whatever
   * this returns.
   */
  mediaConstraints?: (video: boolean) => MediaStreamConstraints;
  /** Called as this person sends a chat MESSAGE to `peer` (a name), before it leaves: the peer layer lets them write back. */
  onOutgoingMessage?: (peer: string) => void;
}

export type CallState = 'calling' | 'ringing' | 'incoming' | 'active' | 'ended';

export interface CallView {
  id: string;
  peer: string;
  direction: 'in' | 'out';
  state: CallState;
  /**
   * Whether the call carries video, read from the SDP: while it rings, whether
   * the caller's offer sends video; once answered, whether the answer lets
   * video flow either way (so both sides say the same).
   */
  video: boolean;
  /** Whether this tab's camera is sent in this call (read from the SDP; never true unless the person chose video). */
  camera: boolean;
  /** For a ringing call: whether the caller's offer takes video back, so "Answer with video" can be offered. */
  canAnswerWithVideo: boolean;
  muted: boolean;
  cameraOff: boolean;
  /**
   * An incoming call that rings while this person is in another call (or
   * placing one): call waiting. Answering it holds the other call.
   */
  waiting: boolean;
  /** This person put the call on hold (re-offered sendonly or inactive, RFC 3264 §8.4): nothing is sent either way. */
  held: boolean;
  /** The far side put the call on hold (its re-offer was sendonly or inactive). */
  heldByPeer: boolean;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** Why it ended, in words. */
  outcome: string | null;
  /** Why it ended, as a code to decide on (never the words); null until it ends. */
  outcomeCode: CallOutcomeCode | null;
}

/** A finished call, as the recent-calls list shows it. */
export interface CallRecord {
  id: string;
  peer: string;
  direction: 'in' | 'out';
  /** Whether the call carried video (read from its SDP). */
  video: boolean;
  /**
   * Whether this side's camera was sent (or, for a call never answered, was
   * to be sent). Calling again from the list uses it, so an audio call is
   * called back as audio; absent in records from before it was kept: sound only.
   */
  camera?: boolean;
  startedAt: number;
  /** Seconds talked; 0 when never answered. */
  seconds: number;
  outcome: string;
}

export interface UserAgentSnapshot {
  /**
   * registering: a REGISTER is on its way; registered: reachable; retrying:
   * the last one failed for a reason that can pass and the next goes at
   * `registrationRetryAt`; failed: refused for good (the name is taken).
   */
  registration: 'registering' | 'registered' | 'retrying' | 'failed' | 'stopped';
  /** Newest first; survives reloads. */
  recent: readonly CallRecord[];
  /** Why the last REGISTER failed, in words. */
  registrationError: string | null;
  /** When the next REGISTER goes (ms since the epoch), while retrying. */
  registrationRetryAt: number | null;
  calls: readonly CallView[];
  /** Bumped whenever a conversation changes, so the UI reloads it. */
  chatVersion: number;
  /** Who sent the latest message that arrived, so the UI can open that conversation. */
  lastMessageFrom: string | null;
  /** The latest message that arrived (its id is the MESSAGE's Call-ID), so alerts can tell each new one; null before any. */
  lastMessageIn: { readonly id: string; readonly from: string; readonly text: string; readonly at: number } | null;
}

