/**
 * One iterative step: "done" with the successor list when the key lies in
 * (self, successor] — or, when asked `wide`, anywhere its successor list
 * covers — otherwise the known nodes closest before the key.
 */
import type { Message } from '../../messages';
import { idFromHex, bytesToHexId, inHalfOpen } from '../../id';
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
  if (msg.wide === true) {
    // Any node whose successor list covers the key can name its successor: the key's own
    // predecessor is then not the only node that can, so one that drops or lies cannot decide.
    const succs = table.successors.entries();
    const at = succs.findIndex((p, i) => i > 0 && inHalfOpen(key, succs[i - 1]!.id, p.id));
    if (at > 0) {
      host.rpc.send(from, { t: 'found', id: msg.id, done: true, nodes: succs.slice(at).map(peerBytes) });
      return;
    }
  }
  const now = host.clock.now();
  const next = table.closestPreceding(key, host.options.findCandidates, (hex) => hex === from || table.isSuspect(hex, now));
  host.rpc.send(from, { t: 'found', id: msg.id, done: false, nodes: next.map(peerBytes) });
}
