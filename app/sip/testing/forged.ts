/** A MESSAGE that claims to be from `claimedUser` but is sent from `senderNode`: the impostor the registrar must refuse. */
import { nodeHost } from '../sip-parse';

export function forgedMessage(o: { domain: string; to: string; claimedUser: string; senderNode: string; body?: string }): string {
  const body = o.body ?? 'pwned';
  return [
    `MESSAGE sip:${o.to}@${o.domain} SIP/2.0`,
    `Via: SIP/2.0/WS ${nodeHost(o.senderNode)};branch=z9hG4bK-forged`,
    'Max-Forwards: 69',
    `From: <sip:${o.claimedUser}@${o.domain}>;tag=abc`,
    `To: <sip:${o.to}@${o.domain}>`,
    'Call-ID: forged-1',
    'CSeq: 1 MESSAGE',
    'Content-Type: text/plain',
    `Content-Length: ${new TextEncoder().encode(body).length}`,
    '',
    body,
  ].join('\r\n');
}
