/**
 * A lookup that does not trust the node that says it is the key's
 * predecessor: d iterative walks over disjoint sets of nodes, whose answers
 * are compared (S/Kademlia, Baumgart & Mies, "S/Kademlia: A practicable
 * approach towards secure key-based routing", 2007, §4.4: lookups over d
 * disjoint paths), and a claimed successor checked against the successor
 * lists of other nodes near the key (successor-check.ts; Castro et al.,
 * "Secure routing for structured peer-to-peer overlay networks", OSDI 2002).
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
 * A node that does not answer is routed around as in the plain iterative
 * lookup. The origin's own table is trusted (it is checked every stabilize).
 */
import { distance, hexIdToBytes, idToHex, inOpen } from '../id';
import { checkFinalAnswer } from '../query/answer-check';
import { noAnswerFrom, type RouteCallback, type RoutingContext, type StepOptions } from '../query/context';
import { iterativeLookup } from '../query/iterative';
import { localAnswer } from '../query/local-answer';
import { peerFromBytes, type Peer } from '../routing-table/peer';
import { meanGap, plausibleNeighbours } from './density-check';
import { checkSuccessorLists } from './successor-check';

/** Nodes one walk asks at most: about 3 × log2 of a million-node ring's hop count, so a walk among liars ends. */
const MAX_ASKS_PER_PATH = 16;
/** Candidates one walk keeps. */
const MAX_CANDIDATES = 24;

export interface DisjointLookupOptions extends StepOptions {
  /** Disjoint walks d, ≥ 1. */
  paths: number;
  /** Check the winning answer against the successor lists of other nodes near the key. */
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
 * Finds the successor list of `key` over `opts.paths` disjoint walks. Calls
 * `done` once with the outcome (messages counts every request and reply) or
 * 'no-candidate' when no walk found a believable answer.
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
  /** Nodes that answered truthfully enough to be asked about their successor lists: those nearest before the key. */
  const answered: Peer[] = [];
  const keyBytes = hexIdToBytes(idToHex(key));
  let messages = 0;
  let hops = 0;
  let running = d;
  let finished = false;

  const gap = meanGap(ctx);
  /** The best claim so far (of the plausible ones, when `plausibleOnly`): the one naming the successor nearest after the key. */
  const best = (path?: number): Claim | undefined =>
    claims.reduce<Claim | undefined>((b, c) => ((path !== undefined && (c.path !== path || !c.plausible)) || (b && distance(key, c.nodes[0]!.id) >= distance(key, b.nodes[0]!.id)) ? b : c), undefined);

  const finish = (): void => {
    if (finished) return;
    finished = true;
    const winner = best();
    if (opts.signal?.aborted) return done('aborted');
    // No believable answer on any walk (every node before the key suspected, or the ring changing):
    // the plain walk, with its pauses for stabilize to heal the tables, is the better bet.
    if (!winner) return iterativeLookup(ctx, key, opts, (o) => done(typeof o === 'string' ? o : { ...o, messages: o.messages + messages }));
    // A wide answer names fewer than r nodes; the other answers' nodes after the winner's successor fill the replica set.
    const after = (p: Peer): bigint => distance(key, p.id);
    const pool = new Map<string, Peer>();
    for (const c of claims) for (const p of c.nodes) if (after(p) >= after(winner.nodes[0]!)) pool.set(p.hex, p);
    const list = [...pool.values()].sort((a, b) => (after(a) < after(b) ? -1 : 1)).slice(0, ctx.options.successors);
    if (!opts.checkSuccessor) return done({ nodes: list, hops, messages });
    const witnesses = [...answered, ...claims.map((c) => c.responder)].filter((p, i, all) => p.hex !== winner.responder.hex && all.findIndex((q) => q.hex === p.hex) === i);
    checkSuccessorLists(ctx, key, list, witnesses.sort(nearestFirst(key)), opts.deadline, (nodes, spent) => done({ nodes, hops, messages: messages + spent }));
  };

  const walk = (path: number, candidates: Peer[]): void => {
    let asks = 0;
    const next = (): void => {
      if (finished) return;
      if (opts.signal?.aborted || ctx.clock.now() >= opts.deadline) return finish();
      const b = best(path);
      // Only nodes between a plausible answer's responder and the key can know a nearer successor.
      // An implausible one (its responder far from the successor it names) prunes nothing, and one
      // walk's answers prune only that walk: a liar met on one walk cannot stop the others.
      const open = candidates.filter((p) => !owner.has(p.hex) && !ctx.table.isSuspect(p.hex, ctx.clock.now()) && (!b || inOpen(p.id, b.responder.id, key)));
      candidates = open;
      const peer = candidates.shift();
      if (!peer || asks >= MAX_ASKS_PER_PATH) {
        if (--running === 0) finish();
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
        answered.push(peer);
        let closer = 0;
        for (const p of nodes) {
          if (!inOpen(p.id, peer.id, key)) {
            ctx.counters.countBad('non-progressing-candidate');
            continue;
          }
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

  // Path i starts from the i-th, (i+d)-th, ... nearest known node before the key.
  if (start.length === 0) return iterativeLookup(ctx, key, opts, done);
  for (let i = 0; i < d; i++) walk(i, start.filter((_, j) => j % d === i));
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
