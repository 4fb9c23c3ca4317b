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

/** A CANCEL for an INVITE that was forked, built from the INVITE itself (RFC 3261 §9.1). */
export function makeCancel(invite: string): string {
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
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
