/**
 * Recursive lookup, origin side: the request travels hop by hop carrying its
 * route (rpc/handlers/route.ts), and the last hop answers the origin
 * directly, or back along the route when it has no link to the origin.
 * Relays keep no per-request state, so when the answer does not
 * come, or does not check out, the origin retries iteratively — routing
 * around the dead or lying hop, and asking a hop whose answer was only stale
 * (answer-check.ts STALE_ANSWERS) again later — until its deadline.
 *
 * The first hop is the closest node before the key that this node has a live
 * link to, when there is one, as every relay picks its next hop
 * (rpc/handlers/route.ts) and as RELOAD forwards over the connections it has
 * (RFC 6940 §6.2): a hop with no link would first need a WebRTC link, whose
 * set-up through the overlay can outlast the whole recursive attempt.
 */
import { hexIdToBytes, idToHex } from '../id';
import { peerFromBytes } from '../routing-table/peer';
import { checkFinalAnswer, STALE_ANSWERS } from './answer-check';
import type { RouteCallback, RoutingContext, StepOptions } from './context';
import { iterativeLookup } from './iterative';
import { localAnswer } from './local-answer';
import { nextHop } from './next-hop';

export function recursiveLookup(ctx: RoutingContext, key: bigint, opts: StepOptions, done: RouteCallback): void {
  const local = localAnswer(ctx.table, key, ctx.options.successors);
  if (local) return done({ nodes: local, hops: 0, messages: 0 });
  const now = ctx.clock.now();
  const first = nextHop(ctx, key, (hex) => ctx.table.isSuspect(hex, now) || (opts.avoid?.has(hex) ?? false));
  // No live node before the key (right after churn every one may be suspect): the
  // iterative walk still has other known nodes and its pauses to try, so hand over to it.
  if (!first) return iterativeLookup(ctx, key, opts, done);

  const lid = ctx.nextLookupId();
  let finished = false;
  const fallback = (reason: string, avoid: Set<string>, spent: number): void => {
    if (finished) return;
    finished = true;
    ctx.recursiveWaiters.delete(lid);
    ctx.clock.clearTimeout(timer);
    if (opts.signal?.aborted) return done('aborted');
    ctx.counters.retries++;
    opts.onEvent?.({ type: 'fallback', reason });
    iterativeLookup(ctx, key, { ...opts, avoid }, (outcome) => {
      if (typeof outcome === 'string') return done(outcome);
      done({ ...outcome, messages: outcome.messages + spent });
    });
  };

  const timeoutMs = Math.max(1, Math.min(ctx.options.recursiveTimeoutMs, opts.deadline - ctx.clock.now()));
  const timer = ctx.clock.setTimeout(() => fallback('timeout', new Set(opts.avoid), 1), timeoutMs);
  ctx.recursiveWaiters.set(lid, (from, msg) => {
    if (finished) return;
    const route = msg.route.map(peerFromBytes);
    const responder = route[route.length - 1];
    // The route must start here, and the answer come from a node on it: the last hop, or a relay
    // handing it back because the last hop had no link to this node (rpc/handlers/route.ts).
    if (!responder || route[0]?.hex !== ctx.self.hex || !route.some((p, i) => i > 0 && p.hex === from)) {
      ctx.counters.countBad('bad-route-answer');
      return;
    }
    const messages = route.length;
    const nodes = msg.nodes.map(peerFromBytes);
    const problem = nodes.length === 0 ? 'no route' : checkFinalAnswer(ctx, key, responder, nodes);
    if (problem) {
      if (nodes.length > 0 && !STALE_ANSWERS.has(problem)) ctx.counters.countBad('lying-answer');
      opts.onEvent?.({ type: 'refused', peer: from, reason: problem });
      const avoid = new Set(opts.avoid);
      // A lie is routed around for the rest of the lookup; a stale answer is asked again on a later round.
      if (nodes.length > 0 && !STALE_ANSWERS.has(problem)) avoid.add(from);
      return fallback(problem, avoid, messages);
    }
    finished = true;
    ctx.recursiveWaiters.delete(lid);
    ctx.clock.clearTimeout(timer);
    done({ nodes, hops: route.length - 1, messages });
  });
  opts.onEvent?.({ type: 'query', peer: first.hex });
  ctx.rpc.send(first.hex, { t: 'route', lid, key: hexIdToBytes(idToHex(key)), route: [hexIdToBytes(ctx.self.hex)] });
  opts.signal?.addEventListener('abort', () => fallback('aborted', new Set(), 0), { once: true });
}

