/**
 * A recursive lookup passing through: answer the origin when the key lies in
 * (self, successor], else forward to the closest preceding node not yet on
 * the route. Nothing is remembered here (relays are stateless); the route in
 * the message says where to answer and where not to loop.
 */
import { MAX_ROUTE } from '../../constants';
import { bytesToHexId, idFromHex } from '../../id';
import type { Message } from '../../messages';
import { peerBytes } from '../../routing-table/peer';
import type { HandlerHost } from './host';

export function handleRoute(host: HandlerHost, from: string, msg: Extract<Message, { t: 'route' }>): void {
  const route = msg.route.map(bytesToHexId);
  // The sender must be the last hop of the route it hands on, and the route may not loop back here.
  if (route[route.length - 1] !== from || route.includes(host.self.hex) || route.length >= MAX_ROUTE) {
    host.counters.countBad('bad-route');
    return;
  }
  const origin = route[0]!;
  const onward = [...msg.route, peerBytes(host.self)];
  const key = idFromHex(bytesToHexId(msg.key));
  const { table } = host;
  if (table.successorCovers(key) && table.successors.length > 0) {
    host.rpc.send(origin, { t: 'routed', lid: msg.lid, nodes: table.answerList(host.options.successors).map(peerBytes), route: onward });
    return;
  }
  const now = host.clock.now();
  const next = table.closestPreceding(key, 1, (hex) => route.includes(hex) || table.isSuspect(hex, now))[0];
  if (!next) {
    // No way on: tell the origin at once, so it retries iteratively instead of waiting.
    host.rpc.send(origin, { t: 'routed', lid: msg.lid, nodes: [], route: onward });
    return;
  }
  host.rpc.send(next.hex, { t: 'route', lid: msg.lid, key: msg.key, route: onward });
}
