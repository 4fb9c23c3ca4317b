/**
 * Hold and resume for call waiting (RFC 3264 §8.4, RFC 6337 §5.3): a held
 * call is re-offered with `a=sendonly` (or `a=inactive` when the far side
 * holds it too), which JsSIP's `session.hold()` / `unhold()` do, and the far
 * side answers `recvonly` / `inactive`. The microphone (and camera) of a held
 * call is taken off its senders with `replaceTrack(null)` rather than only
 * disabled: a disabled track still sends silence and black frames, so bytes
 * would flow to a person who is on hold, and the one microphone would still
 * be attached to two calls. The tracks are put back before the call resumes.
 */
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { TrackSwitch } from './track-switch';

/** How long to wait before trying a hold or resume again when the call has another offer in progress. */
const REOFFER_RETRY_MS = 200;
/** Tries before giving up on a hold or resume the call never got ready for (about 10 s). */
const REOFFER_TRIES = 50;

/** The sender/track pairs a held call stopped sending, to put back when it resumes. */
type Parked = [RTCRtpSender, MediaStreamTrack][];

/**
 * Puts calls on hold and takes them off it, one change at a time per call
 * (a queue, so a quick hold-then-resume never leaves a track off or on by
 * mistake). Holds no timers of its own beyond a retry while JsSIP is not
 * ready to re-offer (`isReadyToReOffer()` is false while another offer of
 * the call is unanswered).
 */
export class CallHold {
  /** Whether the person wants each call held; the re-offers follow it. */
  private readonly wanted = new WeakMap<RTCSession, boolean>();
  private readonly parked = new WeakMap<RTCSession, Parked>();
  private readonly queues = new WeakMap<RTCSession, Promise<void>>();

  constructor(private readonly log: (line: string) => void = () => undefined) {}

  /** Holds a call: stops sending its media now, then re-offers it sendonly (RFC 3264 §8.4). Resolves once the tracks are off. */
  hold(session: RTCSession): Promise<void> {
    this.wanted.set(session, true);
    return this.enqueue(session, async () => {
      this.reoffer(session, 0);
      await this.park(session);
    });
  }

  /** Resumes a held call: puts its tracks back, then re-offers it sendrecv. Resolves once the re-offer is sent (or queued). */
  resume(session: RTCSession): Promise<void> {
    this.wanted.set(session, false);
    return this.enqueue(session, async () => {
      await this.unpark(session);
      this.reoffer(session, 0);
    });
  }

  /**
   * Switches a camera or microphone of a held call: `track` takes the place
   * of the parked track of its kind, so the call sends it when it resumes
   * (its senders send nothing while held). The new track takes over the old
   * one's `enabled` (a muted microphone stays muted); the old one is stopped.
   * Returns null when the call has no parked track of that kind (it is not
   * held, or its hold has not taken its tracks off yet): the caller then
   * switches the sender itself.
   */
  replaceParked(session: RTCSession, track: MediaStreamTrack): TrackSwitch | null {
    const parked = this.parked.get(session);
    const at = parked?.findIndex(([, t]) => t.kind === track.kind) ?? -1;
    if (!parked || at < 0) return null;
    const [sender, old] = parked[at]!;
    if (old === track) return { kind: 'switched', old: null };
    track.enabled = old.enabled;
    parked[at] = [sender, track];
    old.stop();
    return { kind: 'switched', old };
  }

  /** Whether the person holds this call (wanted, even while its re-offer waits for its turn). */
  isHeld(session: RTCSession): boolean {
    return this.wanted.get(session) === true;
  }

  private enqueue(session: RTCSession, step: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(session) ?? Promise.resolve()).then(step).catch((e: unknown) => this.log(`hold: ${(e as Error).message}`));
    this.queues.set(session, next);
    return next;
  }

  /** Sends the hold or unhold re-INVITE when JsSIP is ready to re-offer; tries again while it is not. */
  private reoffer(session: RTCSession, tries: number): void {
    if (session.isEnded()) return;
    const want = this.wanted.get(session) === true;
    if (session.isOnHold().local === want) return;
    if (want ? session.hold() : session.unhold()) return;
    if (tries >= REOFFER_TRIES) {
      this.log(`gave up ${want ? 'holding' : 'resuming'} a call: it never got ready for a new offer`);
      return;
    }
    setTimeout(() => this.reoffer(session, tries + 1), REOFFER_RETRY_MS);
  }

  private async park(session: RTCSession): Promise<void> {
    const pc = session.connection as RTCPeerConnection | undefined;
    if (!pc || this.parked.has(session) || this.wanted.get(session) !== true) return;
    const senders = pc.getSenders().filter((s) => s.track !== null);
    const parked: Parked = senders.map((s) => [s, s.track!]);
    this.parked.set(session, parked);
    await Promise.all(senders.map((s) => s.replaceTrack(null)));
  }

  private async unpark(session: RTCSession): Promise<void> {
    const parked = this.parked.get(session);
    this.parked.delete(session);
    if (!parked || session.isEnded()) return;
    await Promise.all(parked.map(([sender, track]) => (sender.track === null ? sender.replaceTrack(track) : Promise.resolve())));
  }
}
