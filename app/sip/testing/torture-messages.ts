/**
 * SIP torture messages in the spirit of RFC 4475, written for this overlay:
 * domain `p2p.local`, Via hosts `<nodeid>.node.invalid`, the sender
 * registered as alice. Each case says what must happen: which event bob's UA
 * sees (if any) and which status comes back on the wire (null: dropped).
 */
import { nodeHost } from '../sip-parse';

export const DOMAIN = 'p2p.local';
export const ALICE_NODE = '00000000000000000000000000000000000a11ce';
export const BOB_NODE = '0000000000000000000000000000000000000b0b';

export type UaEvent = 'message' | 'invite' | 'options';

export interface TortureCase {
  name: string;
  /** The RFC 4475 section whose kind of message this is. */
  section: string;
  /** Builds the message; `id` makes the Call-ID and branch unique. */
  build(id: string): string;
  /** The UA event bob's UA must see, or null when the message must not reach it. */
  ua: UaEvent | null;
  /** The status that must come back to alice, or null when the message is dropped. */
  status: number | null;
  /** For delivered MESSAGEs: the body bob must read. */
  body?: string;
  /** A header line the answer must carry (Allow with a 405, Unsupported with a 420, Accept with a 415). */
  header?: RegExp;
}

const ALICE_VIA = nodeHost(ALICE_NODE);

/** Header lines of a plain request from alice to bob, keyed so a case can replace or drop one. */
function plain(method: string, id: string, cseq = 1): Record<string, string> {
  return {
    via: `Via: SIP/2.0/WS ${ALICE_VIA};branch=z9hG4bK-${id}`,
    maxForwards: 'Max-Forwards: 70',
    from: `From: "Alice" <sip:alice@${DOMAIN}>;tag=t-${id}`,
    to: `To: <sip:bob@${DOMAIN}>`,
    callId: `Call-ID: ${id}@torture`,
    cseq: `CSeq: ${cseq} ${method}`,
  };
}

interface Build {
  method: string;
  /** The request line; defaults to `<method> sip:bob@p2p.local SIP/2.0`. */
  line?: string;
  /** Replaces (string) or removes (null) lines of the plain request. */
  replace?: Partial<Record<keyof ReturnType<typeof plain>, string | null>>;
  extra?: string[];
  body?: string;
  contentType?: string;
  /** The Content-Length line's value; defaults to the body's UTF-8 length; null: no such line. */
  contentLength?: string | null;
}

export function request(id: string, b: Build): string {
  const base = plain(b.method, id);
  const lines = [b.line ?? `${b.method} sip:bob@${DOMAIN} SIP/2.0`];
  for (const [k, v] of Object.entries(base)) {
    const r = b.replace?.[k as keyof typeof base];
    if (r === null) continue;
    lines.push(r ?? v);
  }
  lines.push(...(b.extra ?? []));
  const body = b.body ?? '';
  if (body && b.contentType !== '') lines.push(`Content-Type: ${b.contentType ?? 'text/plain'}`);
  const length = b.contentLength === undefined ? String(new TextEncoder().encode(body).length) : b.contentLength;
  if (length !== null) lines.push(`Content-Length: ${length}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** A response as if from bob to one of alice's requests, with extra header lines. */
export function response(id: string, statusLine: string, method: string, extra: string[] = []): string {
  return [
    statusLine,
    `Via: SIP/2.0/WS ${nodeHost(BOB_NODE)};branch=z9hG4bK-${id}`,
    ...extra,
    `From: <sip:bob@${DOMAIN}>;tag=f-${id}`,
    `To: <sip:alice@${DOMAIN}>;tag=t-${id}`,
    `Call-ID: ${id}@torture`,
    `CSeq: 1 ${method}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** A small but real SDP offer (audio only), as a browser would send. */
export function sdpOffer(): string {
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 0.0.0.0',
    'a=mid:0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=fingerprint:sha-256 ' + Array.from({ length: 32 }, () => 'AB').join(':'),
    'a=setup:actpass',
    'a=sendrecv',
    'a=rtpmap:111 opus/48000/2',
    '',
  ].join('\r\n');
}

export function invite(id: string, b: Partial<Build> = {}): string {
  return request(id, {
    method: 'INVITE',
    body: sdpOffer(),
    contentType: 'application/sdp',
    ...b,
    extra: [`Contact: <sip:alice@${ALICE_VIA};transport=ws>`, ...(b.extra ?? [])],
  });
}

/** The CANCEL for an INVITE made here: same Via branch, From, To and Call-ID, no body (RFC 3261 §9.1). */
export function cancelOf(inviteText: string): string {
  const head = inviteText.slice(0, inviteText.indexOf('\r\n\r\n'));
  return `${head.replace(/^INVITE /, 'CANCEL ').replace(/^CSeq: (\d+) INVITE$/m, 'CSeq: $1 CANCEL').replace(/^Content-Type: .*\r\n/m, '').replace(/^Content-Length: \d+$/m, 'Content-Length: 0')}\r\n\r\n`;
}
