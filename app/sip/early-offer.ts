/**
 * When a call's SDP may leave before ICE gathering has finished. JsSIP does
 * not trickle candidates (RFC 8838): the offer or answer carries the
 * candidates gathered when it is sent. Waiting for every candidate can take
 * long (an unreachable STUN server holds gathering for seconds), so the SDP
 * goes as soon as the most useful kind of candidate the configuration can
 * give has arrived: with a TURN server a relay candidate (the one that
 * works through any NAT), with only STUN a server-reflexive one, and with
 * neither a host candidate (a LAN, or loopback in tests). Sending on the
 * first host candidate whatever the configuration left every call across
 * a NAT without a reachable candidate.
 */

/** The candidate type (RFC 8445 §5.1.1) after which the SDP may go, for `iceServers`. */
export function enoughCandidateType(iceServers: readonly RTCIceServer[]): 'host' | 'srflx' | 'relay' {
  const urls = iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  if (urls.some((u) => /^turns?:/i.test(u))) return 'relay';
  if (urls.some((u) => /^stuns?:/i.test(u))) return 'srflx';
  return 'host';
}

/** Whether `candidateLine` (an `a=candidate` attribute value) is of the kind after which the SDP may go. */
export function isEnoughCandidate(candidateLine: string, iceServers: readonly RTCIceServer[]): boolean {
  return new RegExp(` typ ${enoughCandidateType(iceServers)}( |$)`).test(candidateLine);
}
