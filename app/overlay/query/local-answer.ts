/** The lookup answer a node can give from its own table, without asking anyone. */
import type { Peer } from '../routing-table/peer';
import type { RoutingTable } from '../routing-table/routing-table';

/** Successor of `key` and the nodes after it, when this node knows them; null when it must ask. */
export function localAnswer(table: RoutingTable, key: bigint, r: number): Peer[] | null {
  if (table.owns(key)) return [table.self, ...table.successors.entries()].slice(0, r);
  if (table.successorCovers(key)) return table.answerList(r);
  return null;
}
