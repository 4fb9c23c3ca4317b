/**
 * Switching the camera or microphone of a call in progress: the new track
 * takes the place of the old one on the call's RTCRtpSender
 * (`replaceTrack`, W3C WebRTC §5.2), which needs no new offer and no
 * re-INVITE, since the negotiated media (codec, direction, SSRC) stay as
 * they were (RFC 3264 is not involved).
 */

/** The part of an RTCRtpSender used here. */
export interface TrackSender {
  readonly track: MediaStreamTrack | null;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
}

/** What a switch did. */
export type TrackSwitch =
  /** The call sends the new track now; the old one is stopped. */
  | { kind: 'switched'; old: MediaStreamTrack | null }
  /** The call sends nothing of that kind (an audio call and a camera): the new track is stopped, nothing changed. */
  | { kind: 'not-sent' };

/**
 * Puts `track` on the sender that sends its kind (audio or video). The new
 * track takes over the old one's `enabled`, so a muted microphone stays
 * muted. Rejects with the browser's error when the sender refuses it
 * (InvalidModificationError; the old track then keeps being sent).
 */
export async function replaceSentTrack(senders: readonly TrackSender[], track: MediaStreamTrack): Promise<TrackSwitch> {
  const sender = senders.find((s) => s.track?.kind === track.kind);
  if (!sender) {
    track.stop();
    return { kind: 'not-sent' };
  }
  const old = sender.track;
  if (old === track) return { kind: 'switched', old: null };
  if (old) track.enabled = old.enabled;
  try {
    await sender.replaceTrack(track);
  } catch (e) {
    track.stop();
    throw e;
  }
  old?.stop();
  return { kind: 'switched', old };
}
