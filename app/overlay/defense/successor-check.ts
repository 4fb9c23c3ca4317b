/**
 * Checking a claimed successor against what other nodes near the key list
 * as their successors (Castro et al., "Secure routing for structured
 * peer-to-peer overlay networks", OSDI 2002, §5.2: a claimed root is tested
 * before it is trusted; here with the successor lists of several nodes, not
 * one). The key's true successor is the live node nearest after the key, so
 * a truthful node just before the key lists it, and any live node that a
 * witness names between the key and the claimed successor refutes the claim.
 * A named node is believed only when it answers a ping, so a lying witness
 * cannot plant an ID that belongs to nobody.
 */
import { distance } from '../id';
import type { RoutingContext } from '../query/context';
import { peerFromBytes, type Peer } from '../routing-table/peer';

/** Witnesses asked: two, so one lying or dead witness does not decide. */
export const SUCCESSOR_WITNESSES = 2;

/**
 * Asks up to SUCCESSOR_WITNESSES of `witnesses` (nearest the key first) for
 * their successor lists, and returns the successor list of `key` that the
 * claim and the answers together show: the claimed list when nothing live
 * lies nearer the key, else the nearer live nodes first. `spent`: messages
 * sent and received.
 */
export function checkSuccessorLists(ctx: RoutingContext, key: bigint, claimed: readonly Peer[], witnesses: readonly Peer[], deadline: number, done: (nodes: Peer[], spent: number) => void): void {
  const asked = witnesses.slice(0, SUCCESSOR_WITNESSES);
  const head = claimed[0];
  if (!head || asked.length === 0) return done([...claimed], 0);
  let spent = 0;
  let waiting = asked.length;
  /** Nodes the witnesses name nearer the key than the claimed successor. */
  const named = new Map<string, Peer>();
  /** Every node the witnesses name: the rest of the replica set when the claim is refuted. */
  const listed = new Map<string, Peer>();
  const timeout = Math.max(1, Math.min(ctx.options.rpcTimeoutMs, deadline - ctx.clock.now()));
  const after = (p: Peer): bigint => distance(key, p.id);
  for (const w of asked) {
    spent++;
    ctx.rpc.request(w.hex, { t: 'neighbors' }, timeout, (reply) => {
      if (reply && reply.t === 'neighbors-reply') {
        spent++;
        for (const b of reply.succs) {
          const p = peerFromBytes(b);
          if (p.hex === ctx.self.hex) continue;
          listed.set(p.hex, p);
          if (after(p) < after(head)) named.set(p.hex, p);
        }
      }
      if (--waiting === 0) confirm();
    });
  }
  const confirm = (): void => {
    const nearer = [...named.values()].sort((a, b) => (after(a) < after(b) ? -1 : 1));
    if (nearer.length === 0) return done([...claimed], spent);
    ctx.counters.countBad('refuted-successor');
    // Ping the nearer nodes one by one, nearest first: the first that answers is the successor.
    const tryNext = (): void => {
      const p = nearer.shift();
      if (!p) return done([...claimed], spent);
      spent++;
      ctx.rpc.request(p.hex, { t: 'ping' }, timeout, (reply) => {
        if (!reply || reply.t !== 'pong') return tryNext();
        spent++;
        const rest = [...new Map([...claimed, ...listed.values()].map((q) => [q.hex, q])).values()].filter((q) => after(q) > after(p)).sort((a, b) => (after(a) < after(b) ? -1 : 1));
        done([p, ...rest].slice(0, ctx.options.successors), spent);
      });
    };
    tryNext();
  };
}
