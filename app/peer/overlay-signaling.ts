/**
 * Where link signaling meets the ring: the AttachPath (app/transport/attach.ts)
 * over this peer's overlay node. Attach messages are routed application
 * messages on their own topic, so they are signed by their origin, sealed for
 * their target and replay-checked by the node's MessageRouter like SIP is.
 */
import type { OverlayNode } from '../overlay';
import { ATTACH_TOPIC, type AttachPath, type LinkManager } from '../transport';

/**
 * A route exists when the node is in a ring, has a live link to some node
 * other than the one it wants to reach (a link to that one would need no
 * signaling at all), and its router would hand the offer on over a link that
 * is up (MessageRouter.reachesOverLinks): a relay that itself needed a new
 * link would need this very signaling.
 */
export function routedAttachPath(node: OverlayNode, links: LinkManager): AttachPath {
  return {
    async send(to, body) {
      try {
        return (await node.routed.send(to, ATTACH_TOPIC, body)).outcome === 'delivered';
      } catch {
        // A node without a key to sign with (it only relays) cannot signal: the server is the way.
        return false;
      }
    },
    onMessage: (fn) => node.routed.on(ATTACH_TOPIC, fn),
    canRoute: (to) => node.joined && links.links().some((l) => l.nodeId !== to) && node.routed.reachesOverLinks(to),
  };
}
