/**
 * The softphone itself: a JsSIP UA on the overlay socket, with registration,
 * calls and chat as one snapshot for the UI. Media is JsSIP's own
 * RTCPeerConnection with the ICE servers from settings (none by default).
 */
import JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { IncomingRequest } from 'jssip/lib/SIPMessage';
import type { IncomingMessageEvent, OutgoingMessageEvent, RTCSessionEvent } from 'jssip/lib/UA';
import { utf8Prefix } from '../identity';
import { RetryLoop, type BackoffOptions, type RetryState } from '../overlay';
import { createLogger, Listeners, systemClock } from '../common';
import { callOutcomeCode, completedElsewhere } from './call-outcome';
import { watchMediaPath } from './media-watch';
import { chatLengthProblem, ChatHistory, MAX_CHAT_BYTES, type ChatMessage } from './chat-history';
import { RegistrationFailedError, RegistrationRefusedError } from './errors';
import { checkIncomingOffer, screenReoffers } from './offer-gate';
import { OverlaySocket } from './overlay-socket';
import { negotiatedMedia, readSessionDescription, sends, type SessionMedia } from './session-description';
import type { CallRecord, CallView, UserAgentOptions, UserAgentSnapshot } from './user-agent-types';
import { uaConfig } from './ua-config';
import { callOutcomeWords, isTransientRegisterStatus, registrationWords, sipStatusWords } from './words';
import { isEnoughCandidate } from './early-offer';
import { CallHold } from './call-hold';
import { withWaiting, liveCallIds } from './call-waiting';
import { replaceSentTrack, type TrackSwitch } from './track-switch';

/**
 * Registration retries wait 1 s, doubling to 60 s: a tab is unreachable for
 * at most about a minute after the network comes back, at the cost of one
 * REGISTER (a few DHT lookups) a minute while it is down.
 */
const REGISTRATION_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000 };
/** Longer than JsSIP's own REGISTER timeout (64 × T1 = 32 s), so JsSIP says why first. */
const REGISTER_TRY_MS = 40_000;

/** Calls kept in the recent-calls list. */
export const MAX_CALL_RECORDS = 100;
const CALLS_KEY = 'calls';

type Listener = () => void;

/**
 * Stops what the call was sending. JsSIP stops the stream it opened itself,
 * but not a camera or microphone switched in later (replaceTrack), which
 * would otherwise stay on (its light too) after the call.
 */
function stopSentTracks(session: RTCSession): void {
  try {
    for (const s of (session.connection as RTCPeerConnection | undefined)?.getSenders() ?? []) s.track?.stop();
  } catch {
    // A connection already gone has nothing left to stop.
  }
}

export type { CallRecord, CallState, CallView, UserAgentOptions, UserAgentSnapshot } from './user-agent-types';

/** Keeps a chat message that found nobody online; resolves the message's new fields (status 'stored'), or null to let it fail. */
export type UndeliveredHandler = (msg: ChatMessage) => Promise<Partial<ChatMessage> | null>;

export class UserAgent {
  private ua: JsSIP.UA | null = null;
  /** The UA's socket, which is also its registrar and proxy. */
  private socket: OverlaySocket | null = null;
  readonly chat: ChatHistory;
  private readonly sessions = new Map<string, RTCSession>();
  /** Whether the call being placed asked for video (JsSIP reports the session before call() returns). */
  private nextVideo = false;
  private snap: UserAgentSnapshot = { registration: 'stopped', recent: [], registrationError: null, registrationRetryAt: null, calls: [], chatVersion: 0, lastMessageFrom: null, lastMessageIn: null };
  private readonly listeners = new Listeners<void>(createLogger('phone'));
  /**
   * Keeps this tab registered: JsSIP refreshes a registration on its own
   * timer but gives up after one failed refresh; this loop takes over then,
   * retrying with back-off until it works or is refused for good.
   */
  private readonly registration: RetryLoop;
  /** The REGISTER try in progress, settled by JsSIP's registered / registrationFailed events. */
  /** The registration try in progress; `whileRegistered`: JsSIP was registered when it was sent, so it will not say "registered" again. */
  private pendingRegister: { resolve: () => void; reject: (e: Error) => void; whileRegistered: boolean } | null = null;
  /** The next registration try sends a REGISTER even when registered (reregister()). */
  private forceRegister = false;
  /** The last refusal for good, for start() to rethrow as it came. */
  private refusal: RegistrationRefusedError | null = null;
  private uaStarted = false;
  private readonly holds: CallHold;
  /** Keeps a chat message that found nobody online (480) for later (setUndelivered); null: such a message fails. */
  private undelivered: UndeliveredHandler | null = null;

  constructor(private readonly o: UserAgentOptions) {
    this.o = { ...o };
    this.chat = new ChatHistory(o.history);
    this.holds = new CallHold(o.log);
    // Texts delivered from the store and marks that came later change a conversation outside sendMessage and newMessage.
    this.chat.onChange((c) => this.update({ chatVersion: this.snap.chatVersion + 1, ...(c.incoming ? { lastMessageFrom: c.peer } : {}) }));
    this.registration = new RetryLoop({
      clock: o.clock ?? systemClock,
      backoff: o.registrationBackoff ?? REGISTRATION_BACKOFF,
      attemptTimeoutMs: REGISTER_TRY_MS,
      attempt: () => this.registerOnce(),
      isPermanent: (e) => e instanceof RegistrationRefusedError,
    });
    this.registration.onState((s) => this.showRegistration(s));
  }

  readonly subscribe = (fn: Listener): (() => void) => {
    return this.listeners.add(fn);
  };

  readonly getSnapshot = (): UserAgentSnapshot => this.snap;

  get name(): string {
    return this.o.name;
  }

  /** ICE servers for the calls placed or answered from now on. */
  setIceServers(servers: RTCIceServer[]): void {
    this.o.iceServers = servers;
  }

  private update(patch: Partial<UserAgentSnapshot>): void {
    this.snap = { ...this.snap, ...patch, ...(patch.calls ? { calls: withWaiting(patch.calls) } : {}) };
    this.listeners.emit();
  }

  private updateCall(id: string, patch: Partial<CallView>): void {
    this.update({ calls: this.snap.calls.map((c) => (c.id === id ? { ...c, ...patch } : c)) });
  }

  /**
   * Starts the UA and registers. Resolves when registered; rejects with the
   * first failure in words: a RegistrationRefusedError when refused for good
   * (the name is someone else's), else a RegistrationFailedError, and then
   * the phone goes on trying by itself (the snapshot says "retrying").
   */
  async start(): Promise<void> {
    try {
      const raw = await this.o.history.get(CALLS_KEY);
      if (Array.isArray(raw)) this.update({ recent: raw.filter((r): r is CallRecord => typeof (r as CallRecord)?.id === 'string').slice(0, MAX_CALL_RECORDS) });
    } catch {
      // A damaged call log starts empty; chat history is kept apart.
    }
    this.startUa();
    await this.registration.runNow();
    const s = this.registration.state;
    if (s.kind === 'refused') throw this.refusal ?? new RegistrationRefusedError(s.reason, 0);
    if (s.kind === 'waiting') throw new RegistrationFailedError(s.reason);
  }

  /** Registers now instead of waiting out the back-off (the "Try again now" button). */
  registerNow(): Promise<void> {
    return this.registration.runNow();
  }

  /**
   * Sends a REGISTER now even when registered: the contact (and the name
   * claim the registrar checks first) were stored where the tab could reach
   * then, and that has changed (it joined other peers). A name someone else
   * holds there ends the registration as refused.
   */
  reregister(): Promise<void> {
    this.forceRegister = true;
    return this.registration.runNow();
  }

  private showRegistration(s: RetryState): void {
    switch (s.kind) {
      case 'trying':
        // A retry keeps saying why the last one failed until this one settles.
        return this.update({ registration: s.failures > 0 ? 'retrying' : 'registering', registrationRetryAt: null });
      case 'up':
        return this.update({ registration: 'registered', registrationError: null, registrationRetryAt: null });
      case 'waiting':
        return this.update({ registration: 'retrying', registrationError: s.reason, registrationRetryAt: s.retryAt });
      case 'refused':
        return this.update({ registration: 'failed', registrationError: s.reason, registrationRetryAt: null });
      default:
        return this.update({ registration: 'stopped', registrationRetryAt: null });
    }
  }

  /** One REGISTER: the UA's first (it registers as it starts), or a new one after a failure. */
  private registerOnce(): Promise<void> {
    const ua = this.ua;
    if (!ua) return Promise.reject(new RegistrationFailedError('the phone is stopped'));
    // Registered already (a try asked for while JsSIP's own refresh worked): JsSIP would say nothing more.
    const force = this.forceRegister;
    this.forceRegister = false;
    if (ua.isRegistered() && !force) return Promise.resolve();
    const whileRegistered = ua.isRegistered();
    return new Promise<void>((resolve, reject) => {
      this.pendingRegister = { resolve, reject, whileRegistered };
      if (this.uaStarted) ua.register();
      else {
        this.uaStarted = true;
        ua.start();
      }
    });
  }

  /** What JsSIP reports about a REGISTER: settles the try in progress, or, for a refresh JsSIP sent on its own, tells the loop. */
  private registerOutcome(err: Error | null): void {
    const p = this.pendingRegister;
    this.pendingRegister = null;
    if (err instanceof RegistrationRefusedError) this.refusal = err;
    if (p) {
      if (err) p.reject(err);
      else p.resolve();
    } else if (err) {
      this.o.log?.(`a registration refresh failed: ${err.message}`);
      this.registration.lost(err);
    } else if (this.registration.state.kind === 'waiting') {
      // JsSIP registered again on its own (its transport came back): the loop's next try confirms it at once.
      void this.registration.runNow();
    }
  }

  private startUa(): void {
    const { network, domain, name } = this.o;
    const socket = new OverlaySocket({
      network,
      location: this.o.location,
      domain,
      user: name,
      policy: this.o.policy,
      ...(this.o.log ? { log: this.o.log } : {}),
      // A REGISTER sent while registered: JsSIP stays silent on its 200 (it reports only a change), the socket does not.
      onRegistered: () => {
        if (this.pendingRegister?.whileRegistered) this.registerOutcome(null);
      },
    });
    const ua = new JsSIP.UA(uaConfig(socket, name, domain, network.nodeId));
    this.ua = ua;
    this.socket = socket;
    this.uaStarted = false;
    ua.on('newMessage', (e: IncomingMessageEvent | OutgoingMessageEvent) => {
      if (e.originator !== 'remote') return;
      const req = e.request as unknown as { call_id: string; body?: string; from: { uri: { user: string } } };
      // The socket refuses longer bodies with 413; the cut is a second guard, in bytes and on a whole character.
      const text = utf8Prefix(String(req.body ?? ''), MAX_CHAT_BYTES);
      const at = Date.now();
      void this.chat
        .put({ id: req.call_id, peer: req.from.uri.user, direction: 'in', text, at, status: 'received' })
        .then(() =>
          this.update({ chatVersion: this.snap.chatVersion + 1, lastMessageFrom: req.from.uri.user, lastMessageIn: { id: req.call_id, from: req.from.uri.user, text, at } }),
        );
    });
    ua.on('newRTCSession', (e: RTCSessionEvent) => this.track(e.session, e.originator === 'remote' ? 'in' : 'out', e.request));
    ua.on('registered', () => this.registerOutcome(null));
    ua.on('registrationFailed', (e) => {
      const res = e.response as { status_code?: number; reason_phrase?: string } | null;
      const status = res?.status_code;
      const words = registrationWords(status, res?.reason_phrase, e.cause == null ? undefined : String(e.cause), name);
      this.registerOutcome(isTransientRegisterStatus(status) ? new RegistrationFailedError(words) : new RegistrationRefusedError(words, status ?? 0));
    });
  }

  stop(): void {
    this.registration.stop();
    this.pendingRegister = null;
    for (const s of this.sessions.values()) if (!s.isEnded()) s.terminate();
    this.ua?.stop();
    this.ua = null;
    this.socket = null;
  }

  /**
   * From now on, a chat message that gets 480 (nobody under the name is
   * online, RFC 3261 §21.4.18) or 408 (nobody answered) goes to `handler`, which may keep it for
   * later (the peer layer stores it in the network for the recipient) and
   * says the message's new status; null: such a message fails.
   */
  setUndelivered(handler: UndeliveredHandler | null): void {
    this.undelivered = handler;
  }

  /** Sends a chat message; resolves when it is delivered, kept for later, or has failed (the history says which). */
  async sendMessage(peer: string, text: string): Promise<ChatMessage> {
    const ua = this.ua;
    const body = text.trim();
    if (!ua) throw new Error('the phone is not started');
    if (!body) throw new RangeError('the message is empty');
    const tooLong = chatLengthProblem(body);
    if (tooLong) throw new RangeError(tooLong);
    this.o.onOutgoingMessage?.(peer);
    return new Promise<ChatMessage>((resolve) => {
      let msg: ChatMessage;
      const finish = (patch: Partial<ChatMessage>): void => {
        msg = { ...msg, ...patch };
        void this.chat.put(msg).then(() => {
          this.update({ chatVersion: this.snap.chatVersion + 1 });
          resolve(msg);
        });
      };
      const m = ua.sendMessage(`sip:${peer}@${this.o.domain}`, body, {
        eventHandlers: {
          succeeded: () => finish({ status: 'sent' }),
          failed: (e) => {
            const status = (e.response as { status_code?: number } | null)?.status_code;
            const error = sipStatusWords(status, peer, String(e.cause));
            const keep = this.undelivered;
            // 408 too: the far tab may be hung or cut off; if the MESSAGE did arrive after all, its id keeps it from showing twice.
            if ((status !== 480 && status !== 408) || !keep) return finish({ status: 'failed', error });
            keep({ ...msg }).then(
              (patch) => finish(patch ?? { status: 'failed', error }),
              (err: unknown) => finish({ status: 'failed', error: `${error}, and it could not be kept for later: ${err instanceof Error ? err.message : String(err)}` }),
            );
          },
        },
      });
      const callId = (m as unknown as { _request?: { call_id?: string } })._request?.call_id ?? `${Date.now()}-${Math.random()}`;
      msg = { id: callId, peer, direction: 'out', text: body, at: Date.now(), status: 'sending' };
      void this.chat.put(msg).then(() => this.update({ chatVersion: this.snap.chatVersion + 1 }));
    });
  }

  /**
   * Calls a person by name. An audio call's offer has no video section at
   * all (not even receive-only), so the callee is never asked for a camera.
   */
  call(peer: string, video: boolean): void {
    if (!this.ua) throw new Error('the phone is not started');
    // A call placed during a call holds the one in progress, as a desk phone does.
    this.holdAllBut(null);
    this.nextVideo = video;
    // The callee's registration is read while JsSIP opens the camera and gathers ICE for the offer.
    this.socket?.prefetch(peer);
    this.ua.call(`sip:${peer}@${this.o.domain}`, {
      mediaConstraints: this.mediaConstraints(video),
      pcConfig: { iceServers: this.o.iceServers ?? [] },
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: video },
    });
  }

  /**
   * Answers a ringing call. The camera is opened only when the person chose
   * video and the caller's offer takes video back; otherwise the answer is
   * sound only (and any later offer this side makes asks for no video).
   */
  answer(id: string, video: boolean): void {
    const s = this.sessions.get(id);
    const c = this.snap.calls.find((x) => x.id === id);
    if (!s || !c) return;
    const withVideo = video && c.canAnswerWithVideo;
    // Call waiting: the call in progress goes on hold first, so the microphone is never sent on both.
    this.holdAllBut(id);
    s.answer({
      mediaConstraints: this.mediaConstraints(withVideo),
      pcConfig: { iceServers: this.o.iceServers ?? [] },
      rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
    });
  }

  /**
   * Hangs up, cancels or declines, whichever the call's state calls for. A
   * waiting call is declined with 486 Busy Here (RFC 3261 §21.4.24: the
   * person is in another call), so its caller reads "bob is busy". Ending
   * the active call leaves a held one held: the person resumes it.
   */
  hangUp(id: string): void {
    const s = this.sessions.get(id);
    if (!s || s.isEnded()) return;
    const c = this.snap.calls.find((x) => x.id === id);
    if (c?.state !== 'incoming') s.terminate({});
    else if (c.waiting) s.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
    else s.terminate({ status_code: 603, reason_phrase: 'Decline' });
  }

  /** Puts an answered call on hold (a re-INVITE with a=sendonly); its microphone and camera stop at once. */
  hold(id: string): Promise<void> {
    const s = this.sessions.get(id);
    return s && !s.isEnded() ? this.holds.hold(s) : Promise.resolve();
  }

  /**
   * Takes a held call off hold, first holding the call in progress if there
   * is one: switching between two calls. The microphone is on one call at a time.
   */
  async resume(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s || s.isEnded()) return;
    await this.holdAllBut(id);
    await this.holds.resume(s);
  }

  /** Holds every answered call not held yet, except `keep`; resolves once their tracks are off. */
  private holdAllBut(keep: string | null): Promise<void> {
    const ids = liveCallIds(this.snap.calls).filter((x) => x !== keep);
    return Promise.all(ids.map((x) => this.hold(x))).then(() => undefined);
  }

  setMuted(id: string, muted: boolean): void {
    const s = this.sessions.get(id);
    if (!s) return;
    if (muted) s.mute({ audio: true });
    else s.unmute({ audio: true });
    this.updateCall(id, { muted });
  }

  setCameraOff(id: string, off: boolean): void {
    const s = this.sessions.get(id);
    if (!s) return;
    if (off) s.mute({ video: true });
    else s.unmute({ video: true });
    this.updateCall(id, { cameraOff: off });
  }

  /** What a call opens: the person's chosen devices (UserAgentOptions.mediaConstraints), else the defaults. */
  private mediaConstraints(video: boolean): MediaStreamConstraints {
    const c = this.o.mediaConstraints?.(video) ?? { audio: true, video };
    // Whatever the chooser says, an audio call opens no camera.
    return video ? c : { ...c, video: false };
  }

  /**
   * Sends `track` (a camera or microphone just opened) in call `id` in place
   * of the one it sends now: RTCRtpSender.replaceTrack, no new offer and no
   * re-INVITE (track-switch.ts); a held call sends it once it resumes
   * (CallHold.replaceParked). A call that has ended, or sends nothing of
   * that kind, stops the track and changes nothing.
   */
  async replaceTrack(id: string, track: MediaStreamTrack): Promise<TrackSwitch> {
    const pc = this.connection(id);
    if (!pc || this.sessions.get(id)?.isEnded() !== false) {
      track.stop();
      return { kind: 'not-sent' };
    }
    // A held call sends nothing: the switch goes to the track kept for its resumption.
    const done = this.holds.replaceParked(this.sessions.get(id)!, track) ?? (await replaceSentTrack(pc.getSenders(), track));
    // The call view shows the track its senders send: render it anew.
    if (done.kind === 'switched') this.updateCall(id, {});
    return done;
  }

  /** The call's peer connection, for its media streams and statistics. */
  connection(id: string): RTCPeerConnection | null {
    return (this.sessions.get(id)?.connection as RTCPeerConnection | undefined) ?? null;
  }

  private track(session: RTCSession, direction: 'in' | 'out', request: RTCSessionEvent['request']): void {
    const id = session.id;
    const peer = (direction === 'in' ? session.remote_identity : session.remote_identity)?.uri?.user ?? 'unknown';
    // The offer is read before the phone rings (JsSIP sends 180 only after this event): one no browser can use is refused here.
    // Without an offer (an INVITE with no body, RFC 3264 §4) this side offers, and answer() offers sound only.
    let offer: SessionMedia | null = null;
    if (direction === 'in') {
      const check = checkIncomingOffer(session, request as IncomingRequest);
      if (!check.ok) return this.refused(session, peer, check.reason);
      offer = check.offer;
    }
    this.sessions.set(id, session);
    const view: CallView = {
      id,
      peer,
      direction,
      state: direction === 'in' ? 'incoming' : 'calling',
      video: direction === 'in' ? offer !== null && sends(offer.video) : this.nextVideo,
      camera: direction === 'out' && this.nextVideo,
      canAnswerWithVideo: offer?.video === 'sendrecv',
      muted: false,
      cameraOff: false,
      waiting: false,
      held: false,
      heldByPeer: false,
      startedAt: Date.now(),
      answeredAt: null,
      endedAt: null,
      outcome: null,
      outcomeCode: null,
    };
    this.update({ calls: [...this.snap.calls.filter((c) => c.state !== 'ended').slice(-4), view] });
    session.on('icecandidate', (e) => {
      // JsSIP does not trickle: the SDP goes once the best kind of candidate the servers can give is there
      // (early-offer.ts), not at the first host one, which left calls across NATs without a path.
      // (The rest of this task's candidates still make it: ready() runs after them.)
      if (isEnoughCandidate(e.candidate.candidate, this.o.iceServers ?? [])) setTimeout(() => e.ready(), 0);
    });
    session.on('progress', () => this.updateCall(id, { state: direction === 'in' ? 'incoming' : 'ringing' }));
    // Every answer, first or in a re-offer mid-call, says anew what the call carries.
    session.on('sdp', (e) => {
      // A hold's answer (recvonly, inactive) says nothing about what the call carries once resumed.
      if (e.type !== 'answer' || session.isOnHold().local || session.isOnHold().remote) return;
      const reading = readSessionDescription(e.sdp);
      // An unusable remote answer is JsSIP's to refuse (setRemoteDescription fails and it ends the call with 488).
      if (reading.ok) this.updateCall(id, negotiatedMedia(reading.media, e.originator === 'local' ? 'answerer' : 'offerer'));
    });
    session.on('hold', (e) => this.updateCall(id, e.originator === 'local' ? { held: true } : { heldByPeer: true }));
    session.on('unhold', (e) => this.updateCall(id, e.originator === 'local' ? { held: false } : { heldByPeer: false }));
    screenReoffers(session, (reason) => this.o.log?.(`refused a re-offer from ${peer}: ${reason}`));
    let lost = false;
    session.on('accepted', () => {
      this.updateCall(id, { state: 'active', answeredAt: Date.now() });
      watchMediaPath(session, () => (lost = true));
    });
    session.on('confirmed', () => this.updateCall(id, { state: 'active' }));
    const ended = (status: number | undefined, cause: string, originator: string, message: unknown): void => {
      const c = this.snap.calls.find((x) => x.id === id);
      // Another tab of this person took the call (even if this one answered a moment too late): not a missed call, and no talk time.
      const elsewhere = originator === 'remote' && direction === 'in' && completedElsewhere(message);
      const outcomeCode = callOutcomeCode({ peer, direction, lost, elsewhere, answered: c?.answeredAt != null, originator, status, cause });
      const outcome = callOutcomeWords(outcomeCode, peer, status, cause);
      const endedAt = Date.now();
      this.updateCall(id, { state: 'ended', endedAt, outcome, outcomeCode });
      this.sessions.delete(id);
      stopSentTracks(session);
      const record: CallRecord = {
        id,
        peer,
        direction,
        video: c?.video ?? false,
        camera: c?.camera ?? false,
        startedAt: c?.startedAt ?? endedAt,
        seconds: c?.answeredAt != null && !elsewhere ? Math.round((endedAt - c.answeredAt) / 1000) : 0,
        outcome,
      };
      this.remember(record);
    };
    session.on('ended', (e) => ended((e.message as { status_code?: number } | null)?.status_code, String(e.cause), e.originator, e.message));
    session.on('failed', (e) => ended((e.message as { status_code?: number } | null)?.status_code, String(e.cause), e.originator, e.message));
  }

  /** A call refused with 488 before it rang (its offer could not be used): logged, and kept in recent calls in words. */
  private refused(session: RTCSession, peer: string, reason: string): void {
    this.o.log?.(`refused a call from ${peer}: ${reason}`);
    const now = Date.now();
    this.remember({ id: session.id, peer, direction: 'in', video: false, camera: false, startedAt: now, seconds: 0, outcome: `a call from ${peer} could not be taken: ${reason}` });
  }

  private remember(record: CallRecord): void {
    const recent = [record, ...this.snap.recent].slice(0, MAX_CALL_RECORDS);
    this.update({ recent });
    void this.o.history.set(CALLS_KEY, recent).catch(() => undefined);
  }
}
