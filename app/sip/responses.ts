/**
 * Responses the local registrar/proxy makes itself (RFC 3261 §8.2.6): the
 * Via, From, To, Call-ID and CSeq of the request, a To-tag, and a reason
 * phrase the UI maps to plain words.
 */
import { headerBlock, headerValue } from './sip-parse';

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  480: 'Temporarily Unavailable',
  487: 'Request Terminated',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

function allHeaders(text: string, name: string): string[] {
  const re = new RegExp(`^(?:${name})[ \\t]*:[ \\t]*(.*)$`, 'gim');
  return [...headerBlock(text).matchAll(re)].map((m) => m[1]!.trim());
}

function randomTag(): string {
  return Math.random().toString(36).slice(2, 12);
}

/** A response to `request` (SIP text) with `status`, and extra header lines. */
export function makeResponse(request: string, status: number, extra: string[] = [], reason?: string): string {
  const to = headerValue(request, 'To|t') ?? '';
  const lines = [
    `SIP/2.0 ${status} ${reason ?? REASONS[status] ?? 'Unknown'}`,
    ...allHeaders(request, 'Via|v').map((v) => `Via: ${v}`),
    `From: ${headerValue(request, 'From|f') ?? ''}`,
    `To: ${/;\s*tag=/i.test(to) || status === 100 ? to : `${to};tag=${randomTag()}`}`,
    `Call-ID: ${headerValue(request, 'Call-ID|i') ?? ''}`,
    `CSeq: ${headerValue(request, 'CSeq') ?? ''}`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ];
  return lines.join('\r\n');
}

/**
 * RFC 3326 Reason the proxy puts on the CANCEL and BYE it sends to a branch
 * that lost to another tab's answer, so that tab can say it was answered
 * elsewhere rather than "missed" or "hung up".
 */
export const COMPLETED_ELSEWHERE = 'SIP ;cause=200 ;text="Call completed elsewhere"';

/**
 * A CANCEL for an INVITE that was forked, built from the INVITE itself
 * (RFC 3261 §9.1); `reason` is an RFC 3326 Reason value to add.
 */
export function makeCancel(invite: string, reason?: string): string {
  const firstLine = invite.slice(0, invite.indexOf('\r\n'));
  const uri = firstLine.split(' ')[1] ?? '';
  const cseq = (headerValue(invite, 'CSeq') ?? '').split(/\s+/)[0] ?? '1';
  const via = allHeaders(invite, 'Via|v')[0] ?? '';
  return [
    `CANCEL ${uri} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: ${headerValue(invite, 'From|f') ?? ''}`,
    `To: ${headerValue(invite, 'To|t') ?? ''}`,
    `Call-ID: ${headerValue(invite, 'Call-ID|i') ?? ''}`,
    `CSeq: ${cseq} CANCEL`,
    ...(reason ? [`Reason: ${reason}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/**
 * The ACK or BYE a UAC sends in the dialog a 2xx to its INVITE set up
 * (RFC 3261 §13.2.2.4, §12.2.1.1): Request-URI `target` (the 2xx's Contact),
 * From of the INVITE, To of the 2xx (with its tag), the INVITE's Call-ID;
 * CSeq is the INVITE's number for ACK and one more for BYE. A new Via
 * branch for `viaHost`, since the ACK of a 2xx and the BYE are transactions
 * of their own. `reason` is an RFC 3326 Reason value.
 */
export function makeDialogRequest(method: 'ACK' | 'BYE', invite: string, answer: string, target: string, viaHost: string, reason?: string): string {
  const seq = Number((headerValue(invite, 'CSeq') ?? '').split(/\s+/)[0]);
  return [
    `${method} ${target} SIP/2.0`,
    `Via: SIP/2.0/WS ${viaHost};branch=${PROXY_BRANCH}${randomTag()}`,
    'Max-Forwards: 70',
    `From: ${headerValue(invite, 'From|f') ?? ''}`,
    `To: ${headerValue(answer, 'To|t') ?? ''}`,
    `Call-ID: ${headerValue(invite, 'Call-ID|i') ?? ''}`,
    `CSeq: ${method === 'ACK' ? seq : seq + 1} ${method}`,
    ...(reason ? [`Reason: ${reason}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Via branch prefix of the requests the proxy itself sends (JsSIP's own are z9hG4bK and digits), so their answers stay with the proxy. */
export const PROXY_BRANCH = 'z9hG4bKproxy';
