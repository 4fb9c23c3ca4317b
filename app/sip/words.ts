import { sipFailureCode, type CallOutcomeCode } from './call-outcome';

/** SIP outcomes in words a person understands ("bob is not online", not "480"). */
export function sipStatusWords(status: number | undefined, who: string, cause?: string): string {
  const code = sipFailureCode(status, cause);
  switch (code) {
    case 'refused':
      return `${who} did not accept you`;
    case 'not-found':
      return `nobody has the name ${who}`;
    case 'timeout':
      return `the network did not answer in time; try again`;
    case 'too-long':
      return `the message is too long for ${who}'s phone`;
    case 'unreachable':
      return `${who} is not online`;
    case 'busy':
      return `${who} is busy`;
    case 'cancelled':
      return 'the call was cancelled';
    case 'incompatible':
      return `${who}'s phone could not take this kind of call`;
    case 'declined':
      return `${who} declined`;
    case 'no-answer':
      return `${who} did not answer`;
    case 'media-denied':
      return 'the browser did not allow the camera or microphone';
    case 'connection-lost':
      return `the connection to ${who} was lost`;
    case 'failed':
      return status ? `the call failed (${cause ?? status})` : `the call failed${cause ? ` (${cause})` : ''}`;
  }
}

/** A call's end in words, from its code (`status` and `cause` fill in the words of a failed INVITE). */
export function callOutcomeWords(code: CallOutcomeCode, peer: string, status: number | undefined, cause: string): string {
  switch (code) {
    case 'connection-lost':
      return `the connection to ${peer} was lost`;
    case 'answered-elsewhere':
      return 'answered in another tab';
    case 'you-hung-up':
      return 'you hung up';
    case 'peer-hung-up':
      return `${peer} hung up`;
    case 'you-cancelled':
      return 'you cancelled the call';
    case 'you-declined':
      return 'you declined';
    case 'missed':
      return `missed call from ${peer}`;
    default:
      return sipStatusWords(status, peer, cause);
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
