/**
 * A recursive lookup passing through: answer the origin when the key lies in
 * (self, successor], else forward to the closest preceding node not yet on
 * the route. Nothing is remembered here (relays are stateless); the route in
 * the message says where to answer and where not to loop.
 *
 * The answer goes straight to the origin when there is a link to it, and
 * otherwise back along the route, each relay handing it one step back until
 * one has a link to the origin (as RELOAD's responses follow the Via list).
 * Opening a link just to answer would cost a WebRTC connection set-up per
 * lookup, far more than the route's few hops, and fails outright where the
 * network lets the origin call this node but not the other way round.
 * For the same reason the request goes on to the closest node before the key
 * that this node has a link to, when there is one (query/next-hop.ts).
 */
import { MAX_ROUTE } from '../../constants';
import { bytesToHexId, idFromHex } from '../../id';
import type { Message } from '../../messages';
import { peerBytes } from '../../routing-table/peer';
import { nextHop } from '../../query/next-hop';
import type { HandlerHost } from './host';

export function handleRoute(host: HandlerHost, from: string, msg: Extract<Message, { t: 'route' }>): void {
  const route = msg.route.map(bytesToHexId);
  // The sender must be the last hop of the route it hands on, and the route may not loop back here.
  if (route[route.length - 1] !== from || route.includes(host.self.hex) || route.length >= MAX_ROUTE) {
    host.counters.countBad('bad-route');
    return;
  }
  const onward = [...msg.route, peerBytes(host.self)];
  const key = idFromHex(bytesToHexId(msg.key));
  const { table } = host;
  if (table.successorCovers(key) && table.successors.length > 0) {
    answer(host, route, route.length, { t: 'routed', lid: msg.lid, nodes: table.answerList(host.options.successors).map(peerBytes), route: onward });
    return;
  }
  const now = host.clock.now();
  const next = nextHop(host, key, (hex) => route.includes(hex) || table.isSuspect(hex, now));
  if (!next) {
    // No way on: tell the origin at once, so it retries iteratively instead of waiting.
    answer(host, route, route.length, { t: 'routed', lid: msg.lid, nodes: [], route: onward });
    return;
  }
  host.rpc.send(next.hex, { t: 'route', lid: msg.lid, key: msg.key, route: onward });
}

type Routed = Extract<Message, { t: 'routed' }>;

/**
 * Sends an answer towards the origin (`route[0]`) from the node at position
 * `at` of the route: to the origin when linked to it, else to `route[at - 1]`.
 */
function answer(host: HandlerHost, route: readonly string[], at: number, msg: Routed): void {
  const origin = route[0]!;
  const back = route[at - 1]!;
  host.rpc.send(back === origin || host.rpc.isLinked(origin) ? origin : back, msg);
}

/**
 * An answer arriving here: this node's own lookup's (the waiter takes it), or
 * one passing back along a route this node relayed, from the hop after it.
 */
export function handleRouted(host: HandlerHost, from: string, msg: Routed, own: (from: string, msg: Routed) => void): void {
  const route = msg.route.map(bytesToHexId);
  if (route[0] === host.self.hex) return own(from, msg);
  const at = route.indexOf(host.self.hex);
  if (at <= 0 || route[at + 1] !== from) {
    host.counters.countBad('bad-route-answer');
    return;
  }
  host.counters.answersPassedBack++;
  answer(host, route, at, msg);
}
