/**
 * One iterative step: "done" with the successor list when the key lies in
 * (self, successor], otherwise the known nodes closest before the key.
 */
import type { Message } from '../../messages';
import { idFromHex, bytesToHexId } from '../../id';
import { peerBytes } from '../../routing-table/peer';
import type { HandlerHost } from './host';

export function handleFind(host: HandlerHost, from: string, msg: Extract<Message, { t: 'find' }>): void {
  const key = idFromHex(bytesToHexId(msg.key));
  const { table } = host;
  if (table.successorCovers(key)) {
    // Alone on the ring, this node is the successor of every key (the answer is then itself).
    const list = table.answerList(host.options.successors);
    host.rpc.send(from, { t: 'found', id: msg.id, done: true, nodes: list.map(peerBytes) });
    return;
  }
  const now = host.clock.now();
  const next = table.closestPreceding(key, host.options.findCandidates, (hex) => hex === from || table.isSuspect(hex, now));
  host.rpc.send(from, { t: 'found', id: msg.id, done: false, nodes: next.map(peerBytes) });
}
