/**
 * How a caller learns that the far tab died: it sends no BYE, so the media
 * path going dark (ICE `failed`, or `disconnected` for longer than a grace
 * period) ends the call as lost.
 */
import type { RTCSession } from 'jssip/lib/RTCSession';

/** How long media may stay disconnected before the call is given up as lost. */
export const MEDIA_LOST_GRACE_MS = 3000;

/**
 * Watches an answered call's ICE state; when the path is gone, calls
 * `onLost` and then ends the session (so `onLost` runs before JsSIP's
 * `ended`). Does nothing for a session without a peer connection.
 */
export function watchMediaPath(session: RTCSession, onLost: () => void): void {
  const pc = session.connection as RTCPeerConnection | undefined;
  if (!pc) return;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const end = (): void => {
    if (session.isEnded()) return;
    onLost();
    session.terminate();
  };
  pc.addEventListener('iceconnectionstatechange', () => {
    const st = pc.iceConnectionState;
    if (st === 'failed') end();
    else if (st === 'disconnected') timer ??= setTimeout(end, MEDIA_LOST_GRACE_MS);
    else if (timer) {
      clearTimeout(timer);
      timer = null;
    }
  });
}
