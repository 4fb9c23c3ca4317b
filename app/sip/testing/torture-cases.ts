/**
 * The torture cases, grouped as RFC 4475 groups them. The messages are our
 * own; what each must produce is what RFC 3261 asks of a UAS (or of the
 * proxy in front of it), and where we drop instead the case says why.
 */
import { nodeHost } from '../sip-parse';
import { ALICE_NODE, DOMAIN, invite, request, response, type TortureCase } from './torture-messages';

const ALICE_VIA = nodeHost(ALICE_NODE);
const msg = (id: string, b: Omit<Parameters<typeof request>[1], 'method'> = {}) => request(id, { method: 'MESSAGE', body: 'hi', ...b });

/** RFC 4475 §3.1.1: valid messages that are unusual; each is handled. */
export const VALID: TortureCase[] = [
  {
    name: 'compact header names, odd whitespace and folded lines',
    section: '3.1.1',
    build: (id) =>
      [
        `MESSAGE sip:bob@${DOMAIN} SIP/2.0`,
        `v:  SIP/2.0/WS   ${ALICE_VIA}\t;\tbranch=z9hG4bK-${id}`,
        `Max-Forwards\t:  70`,
        `f: "Alice\r\n  Liddell" <sip:alice@${DOMAIN}>`,
        `  ;tag=t-${id}`,
        `t  :<sip:bob@${DOMAIN}>`,
        `i: ${id}@torture`,
        `CSeq:\t1\r\n\tMESSAGE`,
        `Subject: a subject\r\n   folded over\r\n\t three lines`,
        'c: text/plain',
        'l: 6',
        '',
        'folded',
      ].join('\r\n'),
    ua: 'message',
    status: 200,
    body: 'folded',
  },
  {
    name: 'escaped characters in the Request-URI user and To',
    section: '3.1.1',
    build: (id) => msg(id, { line: `MESSAGE sip:%62%6F%62@${DOMAIN} SIP/2.0`, replace: { to: `To: <sip:b%6fb@${DOMAIN}>` }, body: 'escaped' }),
    ua: 'message',
    status: 200,
    body: 'escaped',
  },
  {
    name: 'upper-case host, unusual URI parameters and a URI header',
    section: '3.1.1',
    build: (id) =>
      msg(id, {
        line: `MESSAGE sip:bob@P2P.Local;transport=ws;x-unknown=%41;lr SIP/2.0`,
        replace: { to: `To: "Bob \\"the builder\\" B." <sip:bob@${DOMAIN};x-param=1?subject=hello>` },
        body: 'params',
      }),
    ua: 'message',
    status: 200,
    body: 'params',
  },
  {
    name: 'unknown headers with every token character, and an unknown scheme in them',
    section: '3.1.1',
    build: (id) =>
      msg(id, {
        extra: [
          "X-Odd-Name!%*_+`'~.-: value",
          'NewFangledHeader:   newfangled value;with=params;and=more',
          'Call-Info: <http://example.invalid/alice.png>;purpose=icon',
          'Reply-To: <mailto:alice@example.invalid>',
          'Alert-Info: <urn:x-alert:ring-1>',
          'Accept-Contact: *;audio',
        ],
        body: 'unknown headers',
      }),
    ua: 'message',
    status: 200,
    body: 'unknown headers',
  },
  {
    name: 'long values: 4 KiB header, long Call-ID and tags, 40 Via headers',
    section: '3.1.1',
    build: (id) =>
      msg(id, {
        replace: {
          callId: `Call-ID: ${id}-${'c'.repeat(900)}@torture`,
          from: `From: <sip:alice@${DOMAIN}>;tag=${'t'.repeat(600)}-${id}`,
        },
        extra: [
          `X-Long: ${'v'.repeat(4096)}`,
          ...Array.from({ length: 40 }, (_, i) => `Via: SIP/2.0/WS relay${i}.node.invalid;branch=z9hG4bK-r${i}-${id}`),
        ],
        body: 'long',
      }),
    ua: 'message',
    status: 200,
    body: 'long',
  },
  {
    name: 'a body of UTF-8 with a Content-Length in bytes, not characters',
    section: '3.1.1',
    build: (id) => msg(id, { body: 'grüße 👋 ñ', contentType: 'text/plain;charset=UTF-8' }),
    ua: 'message',
    status: 200,
    body: 'grüße 👋 ñ',
  },
  {
    name: 'Content-Length shorter than the body: the rest is discarded',
    section: '3.1.1',
    build: (id) => msg(id, { body: 'keep|discard', contentLength: '4' }),
    ua: 'message',
    status: 200,
    body: 'keep',
  },
];

/** RFC 4475 §3.1.2: invalid messages; each gets an error response or is dropped. */
export const INVALID: TortureCase[] = [
  {
    name: 'Content-Length larger than the body',
    section: '3.1.2',
    build: (id) => msg(id, { body: 'short', contentLength: '9999' }),
    ua: null,
    status: 400,
  },
  {
    name: 'negative Content-Length',
    section: '3.1.2',
    build: (id) => msg(id, { contentLength: '-5' }),
    ua: null,
    status: 400,
  },
  {
    name: 'non-numeric Content-Length',
    section: '3.1.2',
    build: (id) => msg(id, { contentLength: 'two' }),
    ua: null,
    status: 400,
  },
  {
    name: 'Content-Length far beyond any integer',
    section: '3.1.2',
    build: (id) => msg(id, { contentLength: '99999999999999999999999999' }),
    ua: null,
    status: 400,
  },
  // Without these no response could be matched to the request (RFC 3261 §8.1.3.3, §17.1.3): dropped.
  ...(['callId', 'cseq', 'from', 'to'] as const).map<TortureCase>((h) => ({
    name: `missing ${h}: no response could be matched, so dropped`,
    section: '3.1.2',
    build: (id) => msg(id, { replace: { [h]: null } }),
    ua: null,
    status: null,
  })),
  {
    name: 'missing Via: no way to answer, so dropped',
    section: '3.1.2',
    build: (id) => msg(id, { replace: { via: null } }),
    ua: null,
    status: null,
  },
  {
    name: 'Via without a branch: no response could be matched, so dropped',
    section: '3.1.2',
    build: (id) => msg(id, { replace: { via: `Via: SIP/2.0/WS ${ALICE_VIA}` } }),
    ua: null,
    status: null,
  },
  {
    name: 'CSeq with a non-numeric sequence number: no response could be matched, so dropped',
    section: '3.1.2',
    build: (id) => msg(id, { replace: { cseq: 'CSeq: one MESSAGE' } }),
    ua: null,
    status: null,
  },
  {
    name: 'CSeq number over 2^31',
    section: '3.1.2',
    build: (id) => msg(id, { replace: { cseq: 'CSeq: 36893488147419103232 MESSAGE' } }),
    ua: null,
    status: 400,
  },
  {
    name: 'CSeq method differs from the request method',
    section: '3.1.2',
    build: (id) => msg(id, { replace: { cseq: 'CSeq: 1 INVITE' } }),
    ua: null,
    status: 400,
  },
  {
    name: 'SIP version 7.0',
    section: '3.1.2',
    build: (id) => msg(id, { line: `MESSAGE sip:bob@${DOMAIN} SIP/7.0` }),
    ua: null,
    status: 505,
  },
  {
    name: 'SIP/2.1 with a folded From (the error response keeps it whole)',
    section: '3.1.2',
    build: (id) => msg(id, { line: `MESSAGE sip:bob@${DOMAIN} SIP/2.1`, replace: { from: `From: "Alice"\r\n <sip:alice@${DOMAIN}>\r\n\t;tag=t-${id}` } }),
    ua: null,
    status: 505,
  },
  {
    name: 'two From headers',
    section: '3.1.2',
    build: (id) => msg(id, { extra: [`From: <sip:mallory@${DOMAIN}>;tag=m-${id}`] }),
    ua: null,
    status: 400,
  },
  {
    name: 'two Call-ID headers',
    section: '3.1.2',
    build: (id) => msg(id, { extra: [`Call-ID: other-${id}`] }),
    ua: null,
    status: 400,
  },
  {
    name: 'two Content-Length headers that disagree',
    section: '3.1.2',
    build: (id) => msg(id, { body: 'hello there', extra: ['l: 5'] }),
    ua: null,
    status: 400,
  },
  {
    name: 'an unclosed angle bracket in From: its answer would echo the broken From, so dropped',
    section: '3.1.2',
    build: (id) => msg(id, { replace: { from: `From: "Alice" <sip:alice@${DOMAIN};tag=t-${id}` } }),
    ua: null,
    status: null,
  },
  {
    name: 'an unterminated quoted display name: its answer would echo the broken From, so dropped',
    section: '3.1.2',
    build: (id) => msg(id, { replace: { from: `From: "Alice <sip:alice@${DOMAIN}>;tag=t-${id}` } }),
    ua: null,
    status: null,
  },
  {
    name: 'spaces inside the Request-URI',
    section: '3.1.2',
    build: (id) => msg(id, { line: `MESSAGE sip:bob@${DOMAIN}; lr SIP/2.0` }),
    ua: null,
    status: 400,
  },
  {
    name: 'a 70 KB header',
    section: '3.1.2',
    build: (id) => msg(id, { extra: [`X-Huge: ${'h'.repeat(70_000)}`] }),
    ua: null,
    status: 513,
  },
  {
    name: 'a Request-URI with an unknown scheme',
    section: '3.1.2',
    build: (id) => msg(id, { line: 'MESSAGE nope:bob.example SIP/2.0' }),
    ua: null,
    status: 416,
  },
  {
    name: 'a sips: Request-URI (no TLS on the overlay)',
    section: '3.1.2',
    build: (id) => msg(id, { line: `MESSAGE sips:bob@${DOMAIN} SIP/2.0` }),
    ua: null,
    status: 416,
  },
  {
    // JsSIP's parser refuses the whole message, and a 400 would echo a To that JsSIP cannot read either.
    name: 'an unknown scheme in To: dropped',
    section: '3.1.2',
    build: (id) => msg(id, { replace: { to: 'To: <tel:+15555550100>' } }),
    ua: null,
    status: null,
  },
  {
    name: 'a body with a Content-Length but no Content-Type',
    section: '3.1.2',
    build: (id) => msg(id, { contentType: '', body: 'untyped' }),
    ua: null,
    status: 400,
  },
  {
    name: 'a NUL byte in the method: not a request line, so dropped',
    section: '3.1.2',
    build: (id) => msg(id, { line: `MES\0SAGE sip:bob@${DOMAIN} SIP/2.0` }),
    ua: null,
    status: null,
  },
];

/** RFC 4475 §3.3: transaction and application layer. */
export const APPLICATION: TortureCase[] = [
  {
    name: 'a multipart body in a MESSAGE: chat is plain text, so 415 with Accept',
    section: '3.3',
    build: (id) =>
      msg(id, {
        contentType: 'multipart/mixed;boundary=zz',
        body: ['--zz', 'Content-Type: text/plain', '', 'part one', '--zz', 'Content-Type: text/html', '', '<b>two</b>', '--zz--', ''].join('\r\n'),
      }),
    ua: null,
    status: 415,
    header: /^Accept: text\/plain$/m,
  },
  {
    name: 'an unknown method',
    section: '3.3',
    build: (id) => request(id, { method: 'NEWMETHOD' }),
    ua: null,
    status: 405,
    header: /^Allow: INVITE, ACK, CANCEL, BYE/m,
  },
  {
    name: 'an unknown method with a Require of an unknown extension',
    section: '3.3',
    build: (id) => request(id, { method: 'FROBNICATE', extra: ['Require: x-no-such-extension'] }),
    ua: null,
    status: 405,
    header: /^Allow: /m,
  },
  {
    name: 'OPTIONS',
    section: '3.3',
    build: (id) => request(id, { method: 'OPTIONS', extra: ['Accept: application/sdp'] }),
    ua: null,
    status: 200,
    header: /^Allow: .*MESSAGE/m,
  },
  {
    name: 'OPTIONS requiring an unknown extension',
    section: '3.3',
    build: (id) => request(id, { method: 'OPTIONS', extra: ['Require: x-no-such-extension'] }),
    ua: null,
    status: 420,
    header: /^Unsupported: x-no-such-extension$/m,
  },
  {
    // The offer is read before anyone is alerted (RFC 3261 §13.3.1.3: 488 Not Acceptable Here), so it never rings.
    name: 'an INVITE whose SDP is malformed: 488 with a reason, never rung',
    section: '3.3',
    build: (id) => invite(id, { body: 'v=banana\r\nm=audio nope\r\nthis is not SDP\r\n' }),
    ua: null,
    status: 488,
    header: /^SIP\/2\.0 488 the offer is not SDP/m,
  },
  {
    name: 'an INVITE whose application/sdp body is v=9 and a line of prose: 488, never rung',
    section: '3.3',
    build: (id) => invite(id, { body: 'v=9\r\nHello bob, this is alice.\r\n' }),
    ua: null,
    status: 488,
  },
  {
    name: 'an INVITE with a multipart body',
    section: '3.3',
    build: (id) =>
      invite(id, {
        contentType: 'multipart/mixed;boundary=b1',
        body: ['--b1', 'Content-Type: application/sdp', '', 'v=0', '--b1', 'Content-Type: text/plain', '', 'hello', '--b1--', ''].join('\r\n'),
      }),
    ua: null,
    status: 415,
  },
  {
    name: 'an INVITE with a text/plain body',
    section: '3.3',
    build: (id) => invite(id, { contentType: 'text/plain', body: 'not an offer' }),
    ua: null,
    status: 415,
  },
  {
    name: 'an INVITE without Contact',
    section: '3.3',
    build: (id) => request(id, { method: 'INVITE', body: 'v=0\r\n', contentType: 'application/sdp' }),
    ua: null,
    status: 400,
  },
  {
    // JsSIP shows a MESSAGE whatever its To tag, so a tag must not let it skip the caller check.
    name: 'a MESSAGE with a made-up To tag and someone else in From: 403, never shown',
    section: '3.2',
    build: (id) => msg(id, { replace: { from: `From: <sip:carol@${DOMAIN}>;tag=t-${id}`, to: `To: <sip:bob@${DOMAIN}>;tag=made-up` } }),
    ua: null,
    status: 403,
  },
  {
    name: 'a MESSAGE with a made-up To tag from its real sender: shown like any other',
    section: '3.2',
    build: (id) => msg(id, { replace: { to: `To: <sip:bob@${DOMAIN}>;tag=made-up` }, body: 'tagged' }),
    ua: 'message',
    status: 200,
    body: 'tagged',
  },
  {
    name: 'a BYE for a dialog that does not exist',
    section: '3.2',
    build: (id) => request(id, { method: 'BYE', replace: { to: `To: <sip:bob@${DOMAIN}>;tag=nodialog` } }),
    ua: null,
    status: 481,
  },
  {
    name: 'a CANCEL for a transaction that does not exist',
    section: '3.2',
    build: (id) => request(id, { method: 'CANCEL' }),
    ua: null,
    status: 481,
  },
  {
    name: 'an ACK for nothing (absorbed, never answered)',
    section: '3.2',
    build: (id) => request(id, { method: 'ACK' }),
    ua: null,
    status: null,
  },
  {
    name: 'a response to no request (dropped)',
    section: '3.2',
    build: (id) => response(id, 'SIP/2.0 200 OK', 'MESSAGE'),
    ua: null,
    status: null,
  },
  {
    name: 'a response with an impossible status code (dropped)',
    section: '3.2',
    build: (id) => response(id, 'SIP/2.0 99999 Huge', 'INVITE'),
    ua: null,
    status: null,
  },
  {
    name: 'a response with two Via headers at the UA (dropped, RFC 3261 §8.1.3.3)',
    section: '3.2',
    build: (id) => response(id, 'SIP/2.0 200 OK', 'MESSAGE', [`Via: SIP/2.0/WS ${ALICE_VIA};branch=z9hG4bK-extra`]),
    ua: null,
    status: null,
  },
];
