/** SIP outcomes in words a person understands ("bob is not online", not "480"). */
export function sipStatusWords(status: number | undefined, who: string, cause?: string): string {
  switch (status) {
    case 403:
      return `${who} did not accept you`;
    case 404:
      return `nobody has the name ${who}`;
    case 408:
      return `the network did not answer in time; try again`;
    case 413:
      return `the message is too long for ${who}'s phone`;
    case 480:
      return `${who} is not online`;
    case 486:
    case 600:
      return `${who} is busy`;
    case 487:
      return 'the call was cancelled';
    // 488: the callee's phone could not use the call's offer (the media or the SDP itself).
    case 488:
    case 606:
      return `${who}'s phone could not take this kind of call`;
    case 603:
      return `${who} declined`;
    default:
      break;
  }
  switch (cause) {
    case 'Canceled':
      return 'the call was cancelled';
    case 'No Answer':
      return `${who} did not answer`;
    // JsSIP's name for a 408, which the overlay socket sends when no tab of the callee acknowledged.
    case 'Request Timeout':
      return `the network did not answer in time; try again`;
    case 'User Denied Media Access':
      return 'the browser did not allow the camera or microphone';
    case 'Connection Error':
    case 'RTP Timeout':
      return `the connection to ${who} was lost`;
    default:
      return status ? `the call failed (${cause ?? status})` : `the call failed${cause ? ` (${cause})` : ''}`;
  }
}

/**
 * Whether a REGISTER refused with `status` may be retried unchanged: no
 * answer at all, 408 (Request Timeout), 480 (Temporarily Unavailable) and
 * every 5xx may pass; other 4xx and 6xx are final (RFC 3261 §8.1.3.5, and
 * RFC 5626 §4.5 retries registrations only after transient failures).
 */
export function isTransientRegisterStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 480 || (status >= 500 && status < 600);
}

/** Why a REGISTER failed, in words (the person reads "you are not reachable: …"). */
export function registrationWords(status: number | undefined, reason: string | undefined, cause: string | undefined, name: string): string {
  // Our registrar's 403 says why in its reason phrase ("the name bob is taken by someone else").
  if (status === 403) return reason || `the name ${name} could not be registered`;
  if (status === 408 || cause === 'Request Timeout') return 'the network did not answer in time';
  if (status === undefined && cause === 'Connection Error') return 'the connection to the network was lost';
  if (status !== undefined && status >= 500 && status < 600) return 'the network could not store your registration';
  if (status === 480) return 'the network is not ready yet';
  return status === undefined ? `the registration failed${cause ? ` (${cause})` : ''}` : `the registration was refused (${status}${reason ? ` ${reason}` : ''})`;
}
