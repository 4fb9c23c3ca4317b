/** What message handlers may touch: the routing context plus the node's reactions to membership news. */
import type { Peer } from '../../routing-table/peer';
import type { RoutingContext } from '../../query/context';
import type { Replication } from '../../storage/replication';

export interface HandlerHost extends RoutingContext {
  readonly replication: Replication;
  /** The predecessor changed from `old` (maybe null) to the current one. */
  predecessorChanged(old: Peer | null): void;
  /** The successor list changed. */
  successorsChanged(): void;
}
