/**
 * The media a call view plays, as one MediaStream per side that stays the
 * same object while the call's tracks stay the same. Giving a media element
 * a new `srcObject` runs its load algorithm again (HTML Living Standard,
 * "media element load algorithm": playback restarts, a video shows no
 * picture until its next decoded frame, sound drops out), so a view that
 * built a new stream at every render restarted the far side's video and
 * sound once a second (the duration and the quality graph re-render it).
 */
import { useMemo } from 'react';

/** The live tracks `pc` receives (`remote`) or sends (`local`); empty without a connection. */
export function callTracks(pc: RTCPeerConnection | null, side: 'local' | 'remote'): MediaStreamTrack[] {
  if (!pc) return [];
  const tracks = side === 'remote' ? pc.getReceivers().map((r) => r.track) : pc.getSenders().map((s) => s.track);
  return tracks.filter((t): t is MediaStreamTrack => !!t);
}

/** A key that is the same for the same tracks in any order (track IDs are unique per track, W3C Media Capture §4.3), and differs when one changes. */
export function trackKey(tracks: readonly Pick<MediaStreamTrack, 'id'>[]): string {
  return tracks
    .map((t) => t.id)
    .sort()
    .join(' ');
}

/** React hook: the stream of `pc`'s `side`, the same object across renders until its tracks change (a device switch, a new call); null without tracks. */
export function useTrackStream(pc: RTCPeerConnection | null, side: 'local' | 'remote'): MediaStream | null {
  const tracks = callTracks(pc, side);
  const key = trackKey(tracks);
  // The tracks are what the key names: a new stream only when they change.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => (tracks.length ? new MediaStream(tracks) : null), [key]);
}
