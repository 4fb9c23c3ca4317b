/**
 * Reading SIP text with JsSIP's own parser, so routing sees messages exactly
 * as the UA does. Only what routing needs is lifted out; anything JsSIP
 * cannot parse, or that is too big, is refused.
 */
// JsSIP's parser is not part of its typed surface; it is the one the UA uses on every message.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore -- no type declarations for this internal module
import * as JsSipParser from 'jssip/lib/Parser';
import { fitsUtf8, utf8Offset } from '../identity';
import { MAX_CHAT_BYTES } from './chat-history';

/** Largest SIP message accepted (an SDP offer is a few KiB). */
export const MAX_SIP_BYTES = 64 * 1024;

interface UriLike {
  user?: string | null;
  host: string;
}
interface NameAddrLike {
  uri: UriLike;
}
interface JsSipParsed {
  method?: string;
  ruri?: UriLike;
  status_code?: number;
  reason_phrase?: string;
  via?: { host?: string };
  via_branch?: string;
  from?: NameAddrLike;
  from_tag?: string;
  to?: NameAddrLike;
  to_tag?: string;
  call_id?: string;
  cseq?: number;
  body?: string;
  getHeader(name: string): string | undefined;
}

interface Common {
  /** The text as it goes on: the start line, headers and the body cut at Content-Length bytes (what followed is dropped). */
  text: string;
  callId: string;
  cseq: number;
  /** The method of the transaction (for responses: from CSeq). */
  method: string;
  branch: string;
  /** Host of the top Via: `<nodeid>.node.invalid` for our UAs. */
  viaHost: string;
  fromUser: string | null;
  fromHost: string;
  fromTag: string | null;
  toUser: string | null;
  toHost: string;
  toTag: string | null;
}

export interface SipRequest extends Common {
  kind: 'request';
  uriUser: string | null;
  uriHost: string;
  /** The body, exactly Content-Length bytes of UTF-8. */
  body: string;
  contentType: string | null;
}

export interface SipResponse extends Common {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/**
 * The message cut where its Content-Length says, counted in bytes of UTF-8
 * (RFC 3261 §20.14). On the overlay every routed message is one SIP message,
 * as on UDP, so bytes after the body are dropped and a body shorter than its
 * count is an error (§18.3). A count that ends inside a character is an
 * error too: no byte-exact body could be handed on. JsSIP's parser cuts at
 * Content-Length characters; once the text ends where the body ends, its cut
 * and ours agree.
 */
function cutAtContentLength(text: string): { text: string } | { error: string; status: number } {
  const end = text.indexOf('\r\n\r\n');
  const length = headerValue(text, 'Content-Length|l');
  if (end < 0 || length === null) return { text };
  if (!/^\d{1,10}$/.test(length)) return { error: 'the Content-Length is not a number of bytes', status: 400 };
  const body = text.slice(end + 4);
  const at = utf8Offset(body, Number(length));
  if (at === 'past-end') return { error: 'the body is shorter than its Content-Length', status: 400 };
  if (at === 'inside') return { error: 'the Content-Length ends inside a character', status: 400 };
  return { text: text.slice(0, end + 4 + at) };
}

/** Parses SIP text; returns an error in words instead of throwing. */
export function parseSip(raw: string): SipMessage | { error: string; status?: number } {
  if (typeof raw !== 'string') return { error: 'not text' };
  if (!fitsUtf8(raw, MAX_SIP_BYTES)) return { error: `SIP message over ${MAX_SIP_BYTES} bytes`, status: 513 };
  const cut = cutAtContentLength(raw);
  if ('error' in cut) return cut;
  const text = cut.text;
  let m: JsSipParsed | undefined;
  try {
    m = (JsSipParser as { parseMessage(data: string, ua: unknown): JsSipParsed | undefined }).parseMessage(text, null);
  } catch {
    m = undefined;
  }
  if (!m) return { error: 'malformed SIP message', status: 400 };
  if (!m.call_id || typeof m.cseq !== 'number' || !m.via_branch || !m.via?.host || !m.from?.uri || !m.to?.uri) {
    return { error: 'SIP message lacks Via, From, To, Call-ID or CSeq', status: 400 };
  }
  const common: Common = {
    text,
    callId: m.call_id,
    cseq: m.cseq,
    method: m.method ?? '',
    branch: m.via_branch,
    viaHost: m.via.host.toLowerCase(),
    fromUser: m.from.uri.user ?? null,
    fromHost: m.from.uri.host.toLowerCase(),
    fromTag: m.from_tag ?? null,
    toUser: m.to.uri.user ?? null,
    toHost: m.to.uri.host.toLowerCase(),
    toTag: m.to_tag ?? null,
  };
  if (m.status_code !== undefined) {
    return { ...common, kind: 'response', status: m.status_code, reason: m.reason_phrase ?? '' };
  }
  if (!m.method) return { error: 'SIP request without a method' };
  // JsSIP's grammar takes any absolute URI but only builds URIs for sip: and sips: (RFC 3261 §8.2.2.1).
  if (!m.ruri?.host) return { error: 'the Request-URI scheme is not sip:', status: 416 };
  const contentType = m.getHeader('content-type') ?? null;
  return { ...common, kind: 'request', uriUser: m.ruri.user ?? null, uriHost: m.ruri.host.toLowerCase(), body: m.body ?? '', contentType };
}

const NODE_HOST = /^([0-9a-f]{40})\.node\.invalid$/;

/** The node ID in a `<nodeid>.node.invalid` host, or null. */
export function nodeOfHost(host: string): string | null {
  return NODE_HOST.exec(host)?.[1] ?? null;
}

export function nodeHost(nodeId: string): string {
  return `${nodeId}.node.invalid`;
}

/** The header block of SIP text with folded lines joined (RFC 3261 §7.3.1: a fold is one space). */
export function headerBlock(text: string): string {
  return text.slice(0, text.indexOf('\r\n\r\n') >>> 0).replace(/\r\n[ \t]+/g, ' ');
}

/** The value of the first header `name` in SIP text (case-insensitive; `name` may list compact forms, `From|f`). */
export function headerValue(text: string, name: string): string | null {
  const re = new RegExp(`^(?:${name})[ \\t]*:[ \\t]*(.*)$`, 'im');
  return re.exec(headerBlock(text))?.[1]?.trim() ?? null;
}

/** What the UA behind the socket implements (JsSIP's list); anything else gets 405 with this Allow. */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'UPDATE', 'MESSAGE', 'OPTIONS', 'REFER', 'INFO', 'NOTIFY', 'SUBSCRIBE'];
/** Option tags a Require may name (JsSIP's Supported list; session timers are off). */
const SUPPORTED_OPTIONS = ['replaces', 'outbound', 'ice'];
/** Chat is plain text: a MESSAGE of any other type gets 415 (RFC 3428 §7). */
export const MESSAGE_TYPES = ['text/plain'];

/** Headers that may appear once only, by every name they go by (RFC 3261 §7.3.1, §20). */
const SINGLE: Record<string, string> = { from: 'From', f: 'From', to: 'To', t: 'To', 'call-id': 'Call-ID', i: 'Call-ID', cseq: 'CSeq', 'content-length': 'Content-Length', l: 'Content-Length', 'content-type': 'Content-Type', c: 'Content-Type', 'max-forwards': 'Max-Forwards' };

export interface RequestProblem {
  status: number;
  reason: string;
  headers?: string[];
}

/**
 * What a UAS must refuse in a request JsSIP could parse but does not check
 * itself (RFC 3261 §8.2 in its order: version, syntax, method, Require,
 * content), or null when the request may go on.
 */
export function requestProblem(req: SipRequest): RequestProblem | null {
  const [first = '', ...lines] = headerBlock(req.text).split('\r\n');
  const version = first.slice(first.lastIndexOf(' ') + 1);
  // Reason phrases here never quote the peer: a character a reason may not hold would make the answer unreadable.
  if (version.toUpperCase() !== 'SIP/2.0') return { status: 505, reason: 'Version Not Supported' };
  const seen = new Set<string>();
  const require: string[] = [];
  for (const line of lines) {
    const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    if (name === 'require') require.push(...line.slice(line.indexOf(':') + 1).split(',').map((t) => t.trim().toLowerCase()));
    const single = SINGLE[name];
    if (!single) continue;
    if (seen.has(single)) return { status: 400, reason: `more than one ${single} header` };
    seen.add(single);
  }
  const cseq = /^(\d{1,10})\s+(\S+)$/.exec(headerValue(req.text, 'CSeq') ?? '');
  if (!cseq || Number(cseq[1]) >= 2 ** 31) return { status: 400, reason: 'the CSeq is not a number and a method, or the number is too big' };
  if (cseq[2] !== req.method) return { status: 400, reason: 'the CSeq method is not the request method' };
  if (!ALLOWED_METHODS.includes(req.method)) return { status: 405, reason: 'Method Not Allowed', headers: [`Allow: ${ALLOWED_METHODS.join(', ')}`] };
  const unsupported = req.method === 'ACK' || req.method === 'CANCEL' ? [] : require.filter((t) => t && !SUPPORTED_OPTIONS.includes(t));
  if (unsupported.length > 0) {
    const tokens = unsupported.filter((t) => /^[\w.!%*+`'~-]{1,40}$/.test(t)).slice(0, 10);
    return { status: 420, reason: 'Bad Extension', headers: tokens.length > 0 ? [`Unsupported: ${tokens.join(', ')}`] : [] };
  }
  if (req.method === 'INVITE' && req.toTag === null && headerValue(req.text, 'Contact|m') === null) return { status: 400, reason: 'an INVITE needs a Contact' };
  if (req.body !== '' && req.contentType === null) return { status: 400, reason: 'a body needs a Content-Type' };
  const type = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (req.method === 'MESSAGE' && req.body !== '' && !MESSAGE_TYPES.includes(type)) return { status: 415, reason: 'Unsupported Media Type', headers: [`Accept: ${MESSAGE_TYPES.join(', ')}`] };
  // Refused whole rather than cut, so the sender learns it was not delivered (RFC 3261 §21.4.11).
  if (req.method === 'MESSAGE' && !fitsUtf8(req.body, MAX_CHAT_BYTES)) return { status: 413, reason: 'Request Entity Too Large' };
  return null;
}

/** The method of SIP text that starts with a request line, or null (a response, or not SIP). */
export function requestMethod(text: string): string | null {
  return /^([A-Za-z0-9!%*_+`'~.-]+) \S/.exec(text)?.[1] ?? null;
}
