/**
 * Why a call ended, as a code the UI decides on (whether to offer a video
 * message instead), next to the words it shows. The code of a failed call
 * comes from the SIP final response (RFC 3261 §21) or, when there is none,
 * from JsSIP's cause; the words come from the code (words.ts).
 */

/**
 * Why a request failed, from its SIP status (first) or JsSIP's cause:
 * - `refused` 403; `not-found` 404; `timeout` 408 or JsSIP's Request Timeout;
 *   `too-long` 413; `unreachable` 480 (no tab of the callee answered);
 *   `busy` 486 or 600; `cancelled` 487 or JsSIP's Canceled; `incompatible`
 *   488 or 606 (the callee could not use the offer); `declined` 603;
 * - JsSIP causes with no status: `no-answer` (No Answer), `media-denied`
 *   (User Denied Media Access), `connection-lost` (Connection Error, RTP
 *   Timeout);
 * - `failed`: any other status or cause.
 */
export type SipFailureCode =
  | 'refused'
  | 'not-found'
  | 'timeout'
  | 'too-long'
  | 'unreachable'
  | 'busy'
  | 'cancelled'
  | 'incompatible'
  | 'declined'
  | 'no-answer'
  | 'media-denied'
  | 'connection-lost'
  | 'failed';

/**
 * Why a call ended: a failure of the caller's INVITE (SipFailureCode), or
 * one of the ways a call ends without one: `answered-elsewhere` (another tab
 * of this person took it, RFC 3326 Reason `SIP ;cause=200`), `you-hung-up`,
 * `peer-hung-up`, `you-cancelled` (the caller gave up), `you-declined`,
 * `missed` (the caller gave up on an incoming call), and `connection-lost`
 * for media that stopped flowing too.
 */
export type CallOutcomeCode = SipFailureCode | 'answered-elsewhere' | 'you-hung-up' | 'peer-hung-up' | 'you-cancelled' | 'you-declined' | 'missed';

/** Reads the code of a failed request from its final status or, failing that, JsSIP's cause. */
export function sipFailureCode(status: number | undefined, cause?: string): SipFailureCode {
  switch (status) {
    case 403:
      return 'refused';
    case 404:
      return 'not-found';
    case 408:
      return 'timeout';
    case 413:
      return 'too-long';
    case 480:
      return 'unreachable';
    case 486:
    case 600:
      return 'busy';
    case 487:
      return 'cancelled';
    case 488:
    case 606:
      return 'incompatible';
    case 603:
      return 'declined';
    default:
      break;
  }
  switch (cause) {
    case 'Canceled':
      return 'cancelled';
    case 'No Answer':
      return 'no-answer';
    // JsSIP's name for a 408, which the overlay socket sends when no tab of the callee acknowledged.
    case 'Request Timeout':
      return 'timeout';
    case 'User Denied Media Access':
      return 'media-denied';
    case 'Connection Error':
    case 'RTP Timeout':
      return 'connection-lost';
    default:
      return 'failed';
  }
}

/** How one call ended, as phone.ts sees it when JsSIP says `ended` or `failed`. */
export interface CallEnding {
  /** The far side's name. */
  peer: string;
  direction: 'in' | 'out';
  /** Media stopped flowing (ICE failed, or stayed disconnected past the grace time). */
  lost: boolean;
  /** The CANCEL or BYE said another tab of this person took the call. */
  elsewhere: boolean;
  answered: boolean;
  /** JsSIP's originator: who ended it. */
  originator: string;
  /** The final response's status, when a response ended it. */
  status: number | undefined;
  /** JsSIP's cause. */
  cause: string;
}

/** The code of a call's end; the same choice, in the same order, as the words phone.ts keeps in the call record. */
export function callOutcomeCode(e: CallEnding): CallOutcomeCode {
  if (e.lost) return 'connection-lost';
  if (e.elsewhere) return 'answered-elsewhere';
  if (e.answered) return e.originator === 'local' ? 'you-hung-up' : 'peer-hung-up';
  if (e.originator === 'local') return e.direction === 'out' ? 'you-cancelled' : 'you-declined';
  if (e.direction === 'in') return 'missed';
  return sipFailureCode(e.status, e.cause);
}

/** Outcomes after which the caller may want to leave a video message instead: the callee was there in name but did not take the call. */
const LEAVE_A_MESSAGE: ReadonlySet<CallOutcomeCode> = new Set<CallOutcomeCode>(['unreachable', 'busy', 'declined', 'no-answer', 'cancelled']);

/** Whether a call that ended with `code` (unanswered, outgoing) is one to offer a video message after. */
export function mayLeaveMessage(code: CallOutcomeCode | null): boolean {
  return code !== null && LEAVE_A_MESSAGE.has(code);
}

/**
 * Whether the CANCEL or BYE that ended an incoming call says another tab of
 * this person took it (RFC 3326 Reason `SIP ;cause=200`, which the caller's
 * proxy sends to the branches that lost).
 */
export function completedElsewhere(message: unknown): boolean {
  const reason = (message as { getHeader?: (name: string) => string | undefined } | null)?.getHeader?.('Reason');
  return typeof reason === 'string' && /^\s*SIP\s*;(?:.*;)?\s*cause\s*=\s*200\b/i.test(reason);
}
