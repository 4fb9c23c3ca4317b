/**
 * A lookup that does not trust the node that says it is the key's
 * predecessor: iterative walks over disjoint sets of nodes, whose answers
 * are compared (S/Kademlia, Baumgart & Mies, "S/Kademlia: A practicable
 * approach towards secure key-based routing", 2007, §4.4: lookups over d
 * disjoint paths), run only as far as Castro et al.'s routing failure test
 * asks for ("Secure routing for structured peer-to-peer overlay networks",
 * OSDI 2002, §5.2–5.3: redundant routing only when the test fails, so an
 * honest ring pays little for it).
 *
 * Why it works in Chord: a colluder can add names to what the origin knows
 * (its colluders as "closer" hops, or as the key's successor), but it cannot
 * take away the honest nodes the origin already holds, and the true
 * successor is the live node nearest after the key, so no colluder can name
 * a nearer one that answers. Hence:
 * - a walk does not end at the first believable "done": it keeps asking its
 *   unasked candidates that lie between the best answer's responder and the
 *   key (the key's true predecessor is always there until it has answered),
 *   and stops when none is left;
 * - of all believable answers, the one whose successor is nearest after the
 *   key wins ("closest wins", as in Castro et al.'s redundant routing);
 * - no node is asked by two walks, so one colluder on the way captures at
 *   most one walk.
 * The order: one walk; with `checkSuccessor`, a short check walk from the
 * nodes nearest before the key that have not answered; then the failure
 * test (answers that disagree, a single answer, or a replica set sparser
 * than the ring, density-check.ts). Only a flagged answer starts the other
 * d - 1 walks and a sweep of the nodes nearest before the key. A node that
 * does not answer is routed around as in the plain iterative lookup. The
 * origin's own table is trusted (it is checked every stabilize).
 */
import { distance, hexIdToBytes, idToHex, inOpen } from '../id';
import { checkFinalAnswer } from '../query/answer-check';
import { noAnswerFrom, type RouteCallback, type RoutingContext, type StepOptions } from '../query/context';
import { iterativeLookup } from '../query/iterative';
import { localAnswer } from '../query/local-answer';
import { peerFromBytes, type Peer } from '../routing-table/peer';
import { denseReplicaSet, meanGap, plausibleNeighbours } from './density-check';

/** Nodes one walk asks at most: about 3 × log2 of a million-node ring's hop count, so a walk among liars ends. */
const MAX_ASKS_PER_PATH = 16;
/** Nodes the check walk starts from, and asks at most. */
const VERIFY_START = 3;
const VERIFY_ASKS = 4;
/** Nodes a sweep asks (a flagged answer): r of them before the key each list its successor. */
const SWEEP_ASKS = 4;
/** Candidates one walk keeps. */
const MAX_CANDIDATES = 24;

export interface DisjointLookupOptions extends StepOptions {
  /** Disjoint walks d, ≥ 1. */
  paths: number;
  /** Check the first walk's answer with a short walk of its own and the routing failure test. */
  checkSuccessor: boolean;
}

interface Claim {
  responder: Peer;
  nodes: Peer[];
  /** Responder and claimed successor are as close as the ring's density makes neighbours (density-check.ts). */
  plausible: boolean;
  /** The walk that got it. */
  path: number;
}

/** Sorts nodes before the key nearest the key first. */
const nearestFirst = (key: bigint) => (a: Peer, b: Peer): number => (distance(a.id, key) < distance(b.id, key) ? -1 : 1);

/**
 * Finds the successor list of `key` over up to `opts.paths` disjoint walks:
 * the first alone, the others when the routing failure test flags its
 * answer. Calls `done` once with the outcome (messages counts every request
 * and reply) or 'no-candidate' when no walk found a believable answer.
 */
export function disjointLookup(ctx: RoutingContext, key: bigint, opts: DisjointLookupOptions, done: RouteCallback): void {
  const local = localAnswer(ctx.table, key, ctx.options.successors);
  if (local) return done({ nodes: local, hops: 0, messages: 0 });
  const now = ctx.clock.now();
  const owner = new Map<string, number>([[ctx.self.hex, -1]]);
  for (const a of opts.avoid ?? []) owner.set(a, -1);
  const start = ctx.table.closestPreceding(key, Math.max(opts.paths * 2, ctx.options.findCandidates * 2), (hex) => ctx.table.isSuspect(hex, now) || owner.has(hex));
  const d = Math.max(1, Math.min(opts.paths, start.length));
  const claims: Claim[] = [];
  /** Every node this lookup heard of before the key (its starting nodes, and those named to it): where the check walk and the sweep start. */
  const seen = new Map<string, Peer>(start.map((p) => [p.hex, p]));
  const keyBytes = hexIdToBytes(idToHex(key));
  let messages = 0;
  let hops = 0;
  let running = 0;
  /** Walks started so far: the first alone, the others only when its answer is flagged. */
  let launched = 0;
  let finished = false;
  /** The check walk (checkSuccessor) has been started. */
  let verifying = false;
  /** The sweep of the nodes nearest before the key has been started (a flagged answer). */
  let swept = false;

  const gap = meanGap(ctx);
  /** The best claim so far (of the plausible ones, when `plausibleOnly`): the one naming the successor nearest after the key. */
  const best = (path?: number): Claim | undefined =>
    claims.reduce<Claim | undefined>((b, c) => ((path !== undefined && (c.path !== path || !c.plausible)) || (b && distance(key, c.nodes[0]!.id) >= distance(key, b.nodes[0]!.id)) ? b : c), undefined);

  /**
   * Redundant routing only when the first walk's answer is flagged (Castro et
   * al. 2002, §5.3: the routing failure test decides when to pay for it):
   * starts the other d - 1 walks; false when they have been started already.
   */
  const escalate = (): boolean => {
    if (launched >= d) return false;
    const from = launched;
    launched = d;
    running += d - from;
    for (let i = from; i < d; i++) walk(i, start.filter((_, j) => j % d === i));
    return true;
  };

  /** Every walk ended: the first walk's answer is flagged when no walk found a plausible claim. */
  const settle = (): void => {
    if (!claims.some((c) => c.plausible) && !opts.signal?.aborted && ctx.clock.now() < opts.deadline && escalate()) return;
    finish();
  };

  const finish = (): void => {
    if (finished || running > 0) return;
    const winner = best();
    if (opts.signal?.aborted) return end('aborted');
    // No believable answer on any walk (every node before the key suspected, or the ring changing):
    // the plain walk, with its pauses for stabilize to heal the tables, is the better bet.
    if (!winner) {
      finished = true;
      return iterativeLookup(ctx, key, opts, (o) => done(typeof o === 'string' ? o : { ...o, messages: o.messages + messages }));
    }
    // A wide answer names fewer than r nodes; the other answers' nodes after the winner's successor fill the replica set.
    const after = (p: Peer): bigint => distance(key, p.id);
    const pool = new Map<string, Peer>();
    for (const c of claims) for (const p of c.nodes) if (after(p) >= after(winner.nodes[0]!)) pool.set(p.hex, p);
    const list = [...pool.values()].sort((a, b) => (after(a) < after(b) ? -1 : 1)).slice(0, ctx.options.successors);
    if (opts.checkSuccessor && !verifying) {
      // The check: a short walk of its own from the nodes nearest before the key that have not
      // answered yet. When the first answer is true, it meets the same successor in a hop or two.
      verifying = true;
      const claimed = new Set(claims.map((c) => c.responder.hex));
      const from = [...seen.values(), ...ctx.table.known()]
        .filter((p, i, all) => !owner.has(p.hex) && !claimed.has(p.hex) && !ctx.table.isSuspect(p.hex, ctx.clock.now()) && all.findIndex((q) => q.hex === p.hex) === i)
        .sort(nearestFirst(key))
        .slice(0, VERIFY_START);
      if (from.length > 0) {
        running++;
        return walk(d, from, VERIFY_ASKS);
      }
    }
    // The routing failure test (Castro et al. 2002, §5.2): answers that name different successors,
    // no second answer, or a replica set sparser than the ring's density allows flag the answer.
    // Then the other walks run, and a sweep asks the nodes nearest before the key that no walk
    // has asked (a colluder that answers first prunes them from its walk), and the answer
    // nearest after the key among all of them wins.
    const heads = new Set(claims.map((c) => c.nodes[0]!.hex));
    const dense = denseReplicaSet(key, list, gap);
    const flagged = heads.size > 1 || claims.length < 2 || !dense;
    if (flagged && !swept && !opts.signal?.aborted && ctx.clock.now() < opts.deadline) {
      swept = true;
      const sweep = [...seen.values(), ...ctx.table.known()]
        .filter((p, i, all) => !owner.has(p.hex) && !ctx.table.isSuspect(p.hex, ctx.clock.now()) && all.findIndex((q) => q.hex === p.hex) === i)
        .sort(nearestFirst(key))
        .slice(0, SWEEP_ASKS);
      const more = escalate();
      if (sweep.length > 0) {
        running++;
        walk(d + 1, sweep, SWEEP_ASKS, new Set(sweep.map((p) => p.hex)));
      }
      if (more || sweep.length > 0) return;
    }
    fillReplicaSet(list);
  };

  /**
   * Wide answers from nodes further before the key name fewer than r nodes. The successor named
   * then lists the ones after it, so readers and writers get all r replicas, and it names its
   * predecessor: one after the key that answers a ping is the key's successor that the answers
   * skipped (Castro et al. 2002 check a claimed root's neighbours; here a node the answering
   * nodes had stopped listing, such as one that drops lookups but keeps its ring links).
   */
  const fillReplicaSet = (list: Peer[]): void => {
    const head = list[0]!;
    const timeout = (): number => Math.max(1, Math.min(ctx.options.rpcTimeoutMs, opts.deadline - ctx.clock.now()));
    if (list.length >= ctx.options.successors || head.hex === ctx.self.hex || ctx.clock.now() >= opts.deadline) return end({ nodes: list, hops, messages });
    messages++;
    ctx.rpc.request(head.hex, { t: 'neighbors' }, timeout(), (reply) => {
      if (!reply || reply.t !== 'neighbors-reply') return end({ nodes: list, hops, messages });
      messages++;
      for (const b of reply.succs) {
        const p = peerFromBytes(b);
        if (!list.some((q) => q.hex === p.hex) && distance(key, p.id) > distance(key, list[list.length - 1]!.id)) list.push(p);
      }
      const pred = reply.pred && peerFromBytes(reply.pred);
      if (!pred || pred.hex === ctx.self.hex || !(pred.id === key || inOpen(pred.id, key, head.id)) || ctx.clock.now() >= opts.deadline) return end({ nodes: list.slice(0, ctx.options.successors), hops, messages });
      messages++;
      ctx.rpc.request(pred.hex, { t: 'ping' }, timeout(), (pong) => {
        if (pong && pong.t === 'pong') {
          messages++;
          ctx.counters.countBad('refuted-successor');
          list.unshift(pred);
        }
        end({ nodes: list.slice(0, ctx.options.successors), hops, messages });
      });
    });
  };

  const end = (outcome: Parameters<RouteCallback>[0]): void => {
    if (finished) return;
    finished = true;
    done(outcome);
  };

  /** Walk `path` over `candidates`; the nodes in `asked` are asked even when an answer would prune them. */
  const walk = (path: number, candidates: Peer[], maxAsks = MAX_ASKS_PER_PATH, asked: ReadonlySet<string> = new Set()): void => {
    let asks = 0;
    const next = (): void => {
      if (finished) return;
      const b = best(path);
      // Only nodes between a plausible answer's responder and the key can know a nearer successor.
      // An implausible one (its responder far from the successor it names) prunes nothing, and one
      // walk's answers prune only that walk: a liar met on one walk cannot stop the others.
      const open = candidates.filter((p) => !owner.has(p.hex) && !ctx.table.isSuspect(p.hex, ctx.clock.now()) && (!b || asked.has(p.hex) || inOpen(p.id, b.responder.id, key)));
      candidates = open;
      const peer = candidates.shift();
      if (!peer || asks >= maxAsks || opts.signal?.aborted || ctx.clock.now() >= opts.deadline) {
        if (--running === 0) settle();
        return;
      }
      asks++;
      owner.set(peer.hex, path);
      messages++;
      opts.onEvent?.({ type: 'query', peer: peer.hex });
      const timeout = Math.max(1, Math.min(ctx.options.rpcTimeoutMs, opts.deadline - ctx.clock.now()));
      ctx.rpc.request(peer.hex, { t: 'find', key: keyBytes, wide: true }, timeout, (reply) => {
        if (finished) return;
        if (!reply || reply.t === 'bad-reply') {
          ctx.counters.retries++;
          opts.onEvent?.({ type: 'timeout', peer: peer.hex });
          noAnswerFrom(ctx, peer.hex, timeout, !!reply);
          return next();
        }
        if (reply.t !== 'found') return next();
        messages++;
        hops++;
        ctx.table.alive(peer.hex);
        const nodes = reply.nodes.map(peerFromBytes);
        if (reply.done) {
          const problem = checkFinalAnswer(ctx, key, peer, nodes);
          if (problem) {
            ctx.counters.countBad('lying-answer');
            opts.onEvent?.({ type: 'refused', peer: peer.hex, reason: problem });
          } else {
            claims.push({ responder: peer, nodes: nodes.slice(0, ctx.options.successors), plausible: plausibleNeighbours(peer, nodes[0]!, gap, ctx.options.successors), path });
          }
          return next();
        }
        let closer = 0;
        for (const p of nodes) {
          if (!inOpen(p.id, peer.id, key)) {
            ctx.counters.countBad('non-progressing-candidate');
            continue;
          }
          seen.set(p.hex, p);
          if (owner.has(p.hex) || candidates.some((c) => c.hex === p.hex)) continue;
          candidates.push(p);
          closer++;
        }
        candidates.sort(nearestFirst(key));
        if (candidates.length > MAX_CANDIDATES) candidates.length = MAX_CANDIDATES;
        opts.onEvent?.({ type: 'answer', peer: peer.hex, closer });
        next();
      });
    };
    next();
  };

  // Path i starts from the i-th, (i+d)-th, ... nearest known node before the key; path 0 alone at first.
  if (start.length === 0) return iterativeLookup(ctx, key, opts, done);
  launched = 1;
  running = 1;
  walk(0, start.filter((_, j) => j % d === 0));
}

/** A lookup runner, as iterativeLookup and recursiveLookup are. */
type LookupRunner = (ctx: RoutingContext, key: bigint, opts: StepOptions, done: RouteCallback) => void;

/**
 * The lookup to run under the defenses `paths` and `checkSuccessor`: the
 * disjoint walk when either is on (the origin then chooses whom it asks),
 * else `plain`. One choice for the node's lookups and for fix-fingers alike.
 */
export function defendedOr(plain: LookupRunner, paths: number, checkSuccessor: boolean): LookupRunner {
  return paths > 1 || checkSuccessor ? (c, key, o, cb) => disjointLookup(c, key, { ...o, paths, checkSuccessor }, cb) : plain;
}
