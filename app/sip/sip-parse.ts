/**
 * Reading SIP text with JsSIP's own parser, so routing sees messages exactly
 * as the UA does. Only what routing needs is lifted out; anything JsSIP
 * cannot parse, or that is too big, is refused.
 */
// JsSIP's parser is not part of its typed surface; it is the one the UA uses on every message.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-ignore -- no type declarations for this internal module
import * as JsSipParser from 'jssip/lib/Parser';

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
  getHeader(name: string): string | undefined;
}

interface Common {
  /** The raw text, as it goes on. */
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
}

export interface SipResponse extends Common {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Parses SIP text; returns an error in words instead of throwing. */
export function parseSip(text: string): SipMessage | { error: string } {
  if (typeof text !== 'string') return { error: 'not text' };
  if (text.length > MAX_SIP_BYTES) return { error: `SIP message over ${MAX_SIP_BYTES} bytes` };
  let m: JsSipParsed | undefined;
  try {
    m = (JsSipParser as { parseMessage(data: string, ua: unknown): JsSipParsed | undefined }).parseMessage(text, null);
  } catch {
    m = undefined;
  }
  if (!m) return { error: 'malformed SIP message' };
  if (!m.call_id || m.cseq === undefined || !m.via_branch || !m.via?.host || !m.from?.uri || !m.to?.uri) {
    return { error: 'SIP message lacks Via, From, To, Call-ID or CSeq' };
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
  if (!m.ruri || !m.method) return { error: 'SIP request without a method or Request-URI' };
  return { ...common, kind: 'request', uriUser: m.ruri.user ?? null, uriHost: m.ruri.host.toLowerCase() };
}

const NODE_HOST = /^([0-9a-f]{40})\.node\.invalid$/;

/** The node ID in a `<nodeid>.node.invalid` host, or null. */
export function nodeOfHost(host: string): string | null {
  return NODE_HOST.exec(host)?.[1] ?? null;
}

export function nodeHost(nodeId: string): string {
  return `${nodeId}.node.invalid`;
}

/** The value of the first header `name` in SIP text (case-insensitive, compact forms not handled). */
export function headerValue(text: string, name: string): string | null {
  const re = new RegExp(`^(?:${name})\\s*:\\s*(.*)$`, 'im');
  return re.exec(text.slice(0, text.indexOf('\r\n\r\n') >>> 0))?.[1]?.trim() ?? null;
}
