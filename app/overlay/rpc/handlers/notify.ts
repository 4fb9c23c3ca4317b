import { inOpen } from '../../id';
import type { Peer } from '../../routing-table/peer';
import type { HandlerHost } from './host';

/**
 * "I think I am your predecessor" (or successor). Accepted when the sender lies between the
 * current predecessor and self; the link layer has authenticated its ID, so
 * a node can only claim the place its key gives it.
 */
export function handleNotify(host: HandlerHost, from: Peer): void {
  const { table } = host;
  const old = table.predecessor;
  if (from.id === host.self.id) return;
  if (old && old.hex === from.hex) return;
  if (old === null || inOpen(from.id, old.id, host.self.id)) {
    table.predecessor = from;
    host.predecessorChanged(old);
  }
  // A node alone on the ring takes its first contact as successor too; and a node that
  // lies between this one and its successor (it just joined there, and learned from the
  // successor that this node precedes it) is this node's successor from now on, rather
  // than after the next stabilize round: lookups answered here meanwhile would be wrong.
  const first = table.successors.first();
  const between = first.id !== host.self.id && inOpen(from.id, host.self.id, first.id);
  if ((table.successors.length === 0 || between) && table.successors.consider(from)) host.successorsChanged();
}
