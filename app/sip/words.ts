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
