/**
 * Iterative lookup: the origin asks each hop for closer nodes and keeps the
 * candidates itself, so a dead or lying hop costs one timeout and the next
 * candidate is tried. When every candidate is used up it pauses and walks
 * again (tables heal by stabilize); it fails when no candidate is left after
 * MAX_ROUNDS walks, at its deadline, or when aborted. A walk in which a live
 * node answered stale (answer-check.ts STALE_ANSWERS) does not count toward
 * MAX_ROUNDS: the ring is changing, not broken, so the lookup keeps walking
 * until its deadline.
 */
import { distance, hexIdToBytes, idToHex, inOpen } from '../id';
import type { Peer } from '../routing-table/peer';
import { peerFromBytes } from '../routing-table/peer';
import { checkFinalAnswer, STALE_ANSWERS } from './answer-check';
import { noAnswerFrom, type RouteCallback, type RoutingContext, type StepOptions } from './context';
import { localAnswer } from './local-answer';

const MAX_CANDIDATES = 32;
/** Walks over the candidates before a lookup gives up (each after a pause). */
const MAX_ROUNDS = 3;

export function iterativeLookup(ctx: RoutingContext, key: bigint, opts: StepOptions, done: RouteCallback): void {
  const local = opts.start ? null : localAnswer(ctx.table, key, ctx.options.successors);
  if (local) return done({ nodes: local, hops: 0, messages: 0 });

  const asked = new Set<string>(opts.avoid);
  asked.add(ctx.self.hex);
  const skip = (hex: string): boolean => asked.has(hex) || ctx.table.isSuspect(hex, ctx.clock.now());
  // Nodes given to start from (a join's bootstrap nodes) are asked even when suspected:
  // the caller chose them, and a node refused a minute ago may let this one in now.
  const startIds = new Set((opts.start ?? []).map((p) => p.hex));
  const fromStart = (): Peer[] => (opts.start ?? []).filter((p) => !asked.has(p.hex));
  let candidates: Peer[] = opts.start ? fromStart() : ctx.table.closestPreceding(key, ctx.options.findCandidates * 2, skip);
  let hops = 0;
  let messages = 0;
  let finished = false;
  let refilled = false;
  let rounds = 0;
  /** A live node gave a stale answer in this walk. */
  let changing = false;
  const keyBytes = hexIdToBytes(idToHex(key));

  const finish = (outcome: Parameters<RouteCallback>[0]): void => {
    if (finished) return;
    finished = true;
    done(outcome);
  };

  const step = (): void => {
    if (finished) return;
    if (opts.signal?.aborted) return finish('aborted');
    if (ctx.clock.now() >= opts.deadline) return finish('deadline');
    candidates = candidates.filter((p) => (startIds.has(p.hex) ? !asked.has(p.hex) : !skip(p.hex)));
    if (candidates.length === 0 && !refilled) {
      // Every node before the key failed: any known node can still route onward from where it is.
      refilled = true;
      candidates = ctx.table.known().filter((p) => !skip(p.hex));
      candidates.sort((a, b) => (distance(a.id, key) < distance(b.id, key) ? -1 : 1));
    }
    const next = candidates.shift();
    if (!next) {
      // Nodes that still list the dead as their successors stop listing them after a stabilize
      // round or two: with time left, wait that long and walk again before giving up.
      const wait = ctx.options.rpcTimeoutMs;
      if ((rounds >= MAX_ROUNDS && !changing) || ctx.clock.now() + wait >= opts.deadline) return finish('no-candidate');
      if (!changing) rounds++;
      changing = false;
      asked.clear();
      asked.add(ctx.self.hex);
      for (const a of opts.avoid ?? []) asked.add(a);
      refilled = false;
      ctx.clock.setTimeout(() => {
        candidates = opts.start ? fromStart() : ctx.table.closestPreceding(key, ctx.options.findCandidates * 2, skip);
        step();
      }, wait);
      return;
    }
    asked.add(next.hex);
    opts.onEvent?.({ type: 'query', peer: next.hex });
    messages += 1;
    const timeout = Math.max(1, Math.min(ctx.options.rpcTimeoutMs, opts.deadline - ctx.clock.now()));
    ctx.rpc.request(next.hex, { t: 'find', key: keyBytes }, timeout, (reply) => {
      if (finished) return;
      // A malformed reply counts as no answer, as it did when such replies were dropped unread.
      if (!reply || reply.t === 'bad-reply') {
        ctx.counters.retries++;
        opts.onEvent?.({ type: 'timeout', peer: next.hex });
        noAnswerFrom(ctx, next.hex, timeout, !!reply);
        return step();
      }
      if (reply.t !== 'found') return step();
      messages += 1;
      hops++;
      ctx.table.alive(next.hex);
      const nodes = reply.nodes.map(peerFromBytes);
      if (reply.done) {
        const problem = checkFinalAnswer(ctx, key, next, nodes, opts.start !== undefined);
        if (problem) {
          if (STALE_ANSWERS.has(problem)) changing = true;
          else ctx.counters.countBad('lying-answer');
          opts.onEvent?.({ type: 'refused', peer: next.hex, reason: problem });
          return step();
        }
        return finish({ nodes, hops, messages });
      }
      // Only strictly closer nodes are progress; anything else is a wrong or lying answer.
      let closer = 0;
      for (const p of nodes) {
        if (!inOpen(p.id, next.id, key)) {
          ctx.counters.countBad('non-progressing-candidate');
          continue;
        }
        if (skip(p.hex) || candidates.some((c) => c.hex === p.hex)) continue;
        candidates.push(p);
        closer++;
      }
      candidates.sort((a, b) => (distance(a.id, key) < distance(b.id, key) ? -1 : 1));
      if (candidates.length > MAX_CANDIDATES) candidates.length = MAX_CANDIDATES;
      opts.onEvent?.({ type: 'answer', peer: next.hex, closer });
      step();
    });
  };
  step();
}
