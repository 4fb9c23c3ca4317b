/**
 * Storage over the links a node has (issue 16): a storage request or reply
 * for a node this one has no link to travels as a routed application
 * message (message-routing.ts: signed by its origin, sealed for its target,
 * replay-checked, hop by hop over live links) instead of opening a WebRTC
 * link to every replica. RELOAD routes its Store and Fetch requests the same
 * way, to the key's responsible node over the overlay's existing connections
 * (RFC 6940 §6.2, §7). The target hands the inner message to its node as if
 * it had come over a link from the origin, whose node ID the signature
 * proved, so replies go back the same way and every check a link's message
 * gets still applies.
 *
 * Routing requests are tunnelled too: a lookup step (`find`) or a
 * neighbour's check (`ping`, `neighbors`: stabilize) to a node with no link,
 * and their replies, travel the same way, as RELOAD routes every request over
 * the connections it has and opens new ones (Attach) only for the routing
 * table (RFC 6940 §6.2, §6.4). An iterative lookup asks nodes the origin has
 * never been linked to (the hops nearer the key), and a neighbour whose link
 * closed is checked while the link is made again; each such request used to
 * wait for a WebRTC link, which through the overlay takes longer than the
 * per-hop timeout, so the node was taken for dead and dropped from the
 * table, and lookups ended `no-candidate` (issue 16, serverless suite;
 * query/unlinked-lookups.test.ts). The links themselves are still made (the
 * ring member keeps those to its routing table).
 *
 * A node with no linked way across the ring toward the target (alone in a
 * ring of its own after its links dropped, or linked only past the target)
 * does not tunnel: the message opens a link to its target as before. Else
 * the first `find` of a join or a ring unification went nowhere and the
 * node never dialed its bootstrap peer (a tab back from hanging stayed
 * alone; a peer let in by a certificate was never asked).
 *
 * Nothing else may ride inside (notify and leave are one-way and wait for
 * their link). A message over the routed body limit (a 128 KiB mail
 * fragment) still goes over a link.
 */
import { MAX_APP_BODY_BYTES } from '../constants';
import type { OverlayCounters } from '../counters';
import type { MessageRouter } from '../message-routing';
import { isParseFailure, parseMessage } from '../messages';
import type { Rpc } from './rpc';

/** The routed-message topic tunnelled RPCs travel on. */
export const RPC_TOPIC = 'rpc';

/** Storage requests and their replies. */
export const STORAGE_TYPES: ReadonlySet<string> = new Set(['store', 'stored', 'fetch', 'fetched', 'sync', 'sync-reply']);
/** Routing requests and their answers: lookup steps (iterative lookups, disjoint paths, ring unification) and neighbour checks. */
export const ROUTING_TYPES: ReadonlySet<string> = new Set(['find', 'found', 'ping', 'pong', 'neighbors', 'neighbors-reply']);
/** Message types that may be tunnelled: storage and routing requests, their replies, and error replies. */
export const TUNNELED_TYPES: ReadonlySet<string> = new Set([...STORAGE_TYPES, ...ROUTING_TYPES, 'error']);

interface TunnelHost {
  readonly rpc: Rpc;
  readonly routed: MessageRouter;
  readonly counters: OverlayCounters;
  isJoined(): boolean;
  /** Whether this node can sign routed messages (a relay-only node cannot tunnel). */
  readonly canSign: boolean;
  receive(from: string, bytes: Uint8Array): void;
}

/** Sends tunnelled storage and routing RPCs of `host` through its router and takes those that arrive; returns the remover. */
export function installRpcTunnel(host: TunnelHost): () => void {
  host.rpc.setTunnel((to, bytes) => {
    // A node with no linked way across the ring (alone, or linked only past the target) would route
    // nothing: the message opens a link to its target instead, as it did before tunnelling.
    if (!host.isJoined() || !host.canSign || bytes.length > MAX_APP_BODY_BYTES || !host.routed.reachesOverLinks(to)) return false;
    host.counters.tunneled++;
    void host.routed.send(to, RPC_TOPIC, bytes).then(
      (r) => {
        // The target cannot be reached across the ring: the requests waiting on it fail now, not at their timeout.
        if (r.outcome !== 'delivered') host.rpc.failPeer(to);
      },
      () => host.rpc.failPeer(to),
    );
    return true;
  }, TUNNELED_TYPES);
  return host.routed.on(RPC_TOPIC, (from, body) => {
    const m = parseMessage(body);
    if (isParseFailure(m) || !TUNNELED_TYPES.has(m.t)) return host.counters.countBad('tunnel-refused-type');
    host.counters.tunneledIn++;
    host.receive(from, body);
  });
}
