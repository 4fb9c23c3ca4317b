import type { Message } from '../../messages';
import { peerBytes } from '../../routing-table/peer';
import type { HandlerHost } from './host';

/** Stabilize asks its successor for its predecessor and successor list. */
export function handleNeighbors(host: HandlerHost, from: string, msg: Extract<Message, { t: 'neighbors' }>): void {
  const pred = host.table.predecessor;
  host.rpc.send(from, {
    t: 'neighbors-reply',
    id: msg.id,
    pred: pred ? peerBytes(pred) : null,
    succs: host.table.successors.entries().map(peerBytes),
  });
}
