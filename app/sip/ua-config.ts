/**
 * The JsSIP UA settings of a tab on the overlay: one socket (the overlay),
 * the name's address of record, and the node's host in Via and Contact so
 * responses and in-dialog requests find this node. Shared by the Phone and
 * the tests that run real UAs, so both run the UA the app runs.
 */
import type JsSIP from 'jssip';
import type { OverlaySocket } from './overlay-socket';
import { nodeHost } from './sip-parse';

export function uaConfig(socket: OverlaySocket, name: string, domain: string, nodeId: string, userAgent = 'p2p-softphone'): ConstructorParameters<typeof JsSIP.UA>[0] {
  return {
    sockets: [socket as unknown as JsSIP.Socket],
    uri: `sip:${name}@${domain}`,
    via_host: nodeHost(nodeId),
    contact_uri: `sip:${name}@${nodeHost(nodeId)};transport=ws`,
    register: true,
    register_expires: 300,
    session_timers: false,
    user_agent: userAgent,
  } as ConstructorParameters<typeof JsSIP.UA>[0];
}
