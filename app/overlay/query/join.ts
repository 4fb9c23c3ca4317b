/**
 * The lookup a joining node makes (Chord, Stoica et al. 2001, §4.4: a new
 * node asks an existing one for its own successor), made through several
 * bootstrap nodes at once so that one bad, dead or still-joining node cannot
 * stop or split a join (DESIGN.md, Overlay).
 */
import { LookupError } from '../errors';
import { hexIdToBytes } from '../id';
import { peerFromHex } from '../routing-table/peer';
import type { RouteOutcome, RoutingContext } from './context';
import { iterativeLookup } from './iterative';

/** The error reason of a node asked to route before it is in a ring. */
export const NOT_IN_RING = 'not in a ring yet';

/**
 * Finds the joining node's successors through `bootstrap` (node IDs, not
 * this node): asks them all at once and walks from the first that answers
 * from inside a ring. Resolves the lookup's outcome, or a LookupError with
 * reason 'not-joined' when the only answers were "not in a ring yet" (tabs
 * that load together), 'no-candidate' when nobody answered.
 */
export function joinLookup(ctx: RoutingContext, bootstrap: readonly string[], deadlineMs: number): Promise<RouteOutcome | LookupError> {
  // Callbacks, not awaits, up to the answer: a simulator's virtual time must not run ahead of the join.
  return new Promise((resolve) =>
    firstInRing(ctx, bootstrap, (first, notInRing) => {
      if (first === null) {
        return resolve(
          notInRing > 0 ? new LookupError('the peers that answered are not in a ring yet', 'not-joined') : new LookupError('no bootstrap node answered', 'no-candidate'),
        );
      }
      const start = [first, ...bootstrap.filter((b) => b !== first)].map(peerFromHex);
      iterativeLookup(ctx, ctx.self.id, { deadline: ctx.clock.now() + deadlineMs, start }, (o) =>
        resolve(typeof o === 'string' ? new LookupError(`no bootstrap node answered: ${o}`, 'no-candidate') : o),
      );
    }),
  );
}

/** Sends one find to every node at once; calls back with the first that answers from a ring. */
function firstInRing(ctx: RoutingContext, peers: readonly string[], done: (first: string | null, notInRing: number) => void): void {
  const key = hexIdToBytes(ctx.self.hex);
  let pending = peers.length;
  let notInRing = 0;
  let settled = false;
  for (const p of peers) {
    ctx.rpc.request(p, { t: 'find', key }, ctx.options.rpcTimeoutMs * 2, (reply) => {
      pending--;
      if (reply?.t === 'error' && reply.reason === NOT_IN_RING) notInRing++;
      if (settled) return;
      if (reply?.t === 'found' || pending === 0) {
        settled = true;
        done(reply?.t === 'found' ? p : null, notInRing);
      }
    });
  }
}
