import type { Message } from '../../messages';
import { peerFromBytes, type Peer } from '../../routing-table/peer';
import type { HandlerHost } from './host';

/**
 * A neighbour leaves gracefully: its successor takes its predecessor, its
 * predecessor takes its successor list. Its records came before this
 * message (hand-over), so nothing is lost.
 */
export function handleLeave(host: HandlerHost, from: Peer, msg: Extract<Message, { t: 'leave' }>): void {
  const { table } = host;
  const wasPred = table.predecessor?.hex === from.hex;
  const wasSucc = table.successors.has(from.hex);
  if (!wasPred && !wasSucc) return;
  const oldPred = table.predecessor;
  host.markDead(from.hex);
  if (wasPred && msg.pred) {
    const p = peerFromBytes(msg.pred);
    if (p.id !== host.self.id) table.predecessor = p;
    host.predecessorChanged(oldPred);
  }
  if (wasSucc) {
    for (const b of msg.succs) table.successors.consider(peerFromBytes(b), (hex) => hex === from.hex);
    host.successorsChanged();
  }
}
