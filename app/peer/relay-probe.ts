/**
 * Does the relay (TURN, RFC 8656) let us in? A throw-away RTCPeerConnection
 * limited to relay candidates gathers once against the given TURN servers:
 * a relay candidate means the allocation worked; an `icecandidateerror`
 * with a STUN error code (RFC 8489 §14.8: 401 Unauthorized, 403 Forbidden,
 * 437/438/441/486/508) means the relay answered and refused; nothing at all
 * before the timeout means it could not be reached (Chromium reports 701
 * for that). Checked when the node's list arrives and at each refresh, so
 * a wrong secret or a dead relay is known before a call needs it, not
 * discovered as a call that silently never connects.
 */

/** What the relay check found. */
export type RelayCheck =
  | { kind: 'ready' }
  | { kind: 'refused'; code: number; text: string }
  | { kind: 'unreachable' };

/** Checks TURN servers; never rejects. */
export type RelayProbe = (turnServers: RTCIceServer[]) => Promise<RelayCheck>;

/** STUN error codes that mean the relay answered and said no (RFC 8489 §14.8, RFC 8656 §19). */
const REFUSALS = new Set([400, 401, 403, 420, 437, 438, 440, 441, 442, 486, 508]);

/**
 * The browser's relay check.
 * @param timeoutMs how long gathering may take before the relay counts as unreachable. @default 10000
 */
export function browserRelayProbe(timeoutMs = 10_000): RelayProbe {
  return (turnServers) =>
    new Promise<RelayCheck>((resolve) => {
      let pc: RTCPeerConnection;
      try {
        pc = new RTCPeerConnection({ iceServers: turnServers, iceTransportPolicy: 'relay' });
      } catch (e) {
        // The browser itself refused the list (a malformed entry); no relay can be used.
        console.warn('relay check could not start', e);
        resolve({ kind: 'refused', code: 0, text: 'the browser refused the relay settings' });
        return;
      }
      let refusal: { code: number; text: string } | null = null;
      let settled = false;
      const finish = (r: RelayCheck): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        pc.close();
        resolve(r);
      };
      const timer = setTimeout(() => finish(refusal ? { kind: 'refused', ...refusal } : { kind: 'unreachable' }), timeoutMs);
      pc.addEventListener('icecandidate', (ev) => {
        if (ev.candidate?.type === 'relay' || / typ relay /.test(ev.candidate?.candidate ?? '')) finish({ kind: 'ready' });
        else if (ev.candidate === null) finish(refusal ? { kind: 'refused', ...refusal } : { kind: 'unreachable' });
      });
      pc.addEventListener('icecandidateerror', (ev) => {
        const e = ev as RTCPeerConnectionIceErrorEvent;
        if (REFUSALS.has(e.errorCode)) refusal = { code: e.errorCode, text: e.errorText };
      });
      pc.createDataChannel('relay-check');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch(() => finish({ kind: 'unreachable' }));
    });
}
