/**
 * The UAS side of offer/answer for a new call: the offer in an INVITE is
 * read before anyone is alerted, and one that no browser can use is refused
 * with 488 Not Acceptable Here and the reason (RFC 3261 §13.3.1.3), so the
 * phone never rings for a call that answering could only fail. The UserAgent and
 * the tests that drive a bare JsSIP UA call the same function.
 */
import type { ReInviteEvent, RTCSession } from 'jssip/lib/RTCSession';
import type { IncomingRequest } from 'jssip/lib/SIPMessage';
import { readSessionDescription, type SessionMedia } from './session-description';

/** What came of reading an INVITE's offer: its media (null: no offer, this side will make it), or the refusal's reason. */
export type OfferCheck = { ok: true; offer: SessionMedia | null } | { ok: false; reason: string };

/**
 * Reads the offer of an incoming INVITE in JsSIP's `newRTCSession` event
 * (JsSIP sends 180 Ringing only after that event, and not for a session
 * ended in it). An unusable offer ends the session with 488 here.
 */
export function checkIncomingOffer(session: RTCSession, request: IncomingRequest): OfferCheck {
  const body = String(request.body ?? '');
  // An INVITE without a body asks this side to make the offer (RFC 3264 §4); nothing to read yet.
  if (body.trim() === '') return { ok: true, offer: null };
  const reading = readSessionDescription(body);
  if (reading.ok) return { ok: true, offer: reading.media };
  session.terminate({ status_code: 488, reason_phrase: reading.reason });
  return { ok: false, reason: reading.reason };
}

/**
 * Does the same for offers inside the call (re-INVITE and UPDATE, RFC 3311):
 * an unusable one gets 488 with the reason and the call goes on as it was.
 * Bodies that are not application/sdp, and requests without one, are left
 * to JsSIP (415, or an offer of its own).
 */
export function screenReoffers(session: RTCSession, onRefused: (reason: string) => void = () => undefined): void {
  const screen = (e: ReInviteEvent): void => {
    const type = (e.request.getHeader('Content-Type') ?? '').toLowerCase();
    if (!e.request.body || type !== 'application/sdp') return;
    const reading = readSessionDescription(e.request.body);
    if (reading.ok) return;
    onRefused(reading.reason);
    e.reject({ status_code: 488, reason_phrase: reading.reason });
  };
  session.on('reinvite', screen);
  session.on('update', screen);
}
