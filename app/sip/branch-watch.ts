/**
 * Whether the far tab of an unanswered INVITE still runs. A SIP proxy ends a
 * branch that rings on with Timer C (RFC 3261 §16.6 step 11, at least
 * 3 minutes, reset by each provisional response, which a UAS repeats every
 * minute, §13.3.1.1), and a UA waiting on a ringing call has no timer at all:
 * a tab that hangs (a stopped renderer, a suspended laptop, a tab the browser
 * discarded) would ring on at the other end for minutes. On the overlay the
 * proxy can ask the branch's node directly: every few seconds an empty routed
 * message, which the node's overlay acknowledges end to end. When a probe
 * finds the node gone (a relay knows it left) or silent (no acknowledgement
 * after the overlay's own resend), the branch is lost, as when Timer C fires.
 */
import { systemClock, type Clock } from '../common';
import type { SendResult } from './types';

/** Time between two probes of one branch; a probe that finds nothing takes the overlay's ack timeout (twice 4 s) at most. */
export const BRANCH_PROBE_MS = 2000;

export interface BranchWatchOptions {
  /** Sends one probe to `node` (SipNetwork.probe). */
  probe(node: string): Promise<SendResult>;
  /** Whether `node` still owes this transaction a final answer; the watch of that node ends when it does not. */
  waiting(node: string): boolean;
  /** `node` stopped answering while it still owed one: `why` is what the probe found. */
  lost(node: string, why: Exclude<SendResult, 'sent'>): void;
  /** @default BRANCH_PROBE_MS */
  everyMs?: number;
  /** The timers the probes wait on (tests pass a ManualClock). @default systemClock */
  clock?: Clock;
}

/**
 * Probes each of `nodes` every `everyMs` while it is `waiting`, one probe at
 * a time per node, and reports the first that finds it gone. Returns a stop
 * function (idempotent). On the host's timers (the default clock), a hidden
 * tab's run late (to whole seconds), which only delays a probe.
 */
export function watchBranches(nodes: Iterable<string>, o: BranchWatchOptions): () => void {
  const every = o.everyMs ?? BRANCH_PROBE_MS;
  const clock = o.clock ?? systemClock;
  const timers = new Set<unknown>();
  let stopped = false;
  const next = (node: string): void => {
    const t = clock.setTimeout(() => {
      timers.delete(t);
      if (stopped || !o.waiting(node)) return;
      o.probe(node).then(
        (r) => {
          if (stopped || !o.waiting(node)) return;
          if (r === 'sent') next(node);
          else o.lost(node, r);
        },
        // A probe that could not even be sent says nothing about the far tab; try again later.
        () => next(node),
      );
    }, every);
    timers.add(t);
  };
  for (const n of new Set(nodes)) next(n);
  return () => {
    stopped = true;
    for (const t of timers) clock.clearTimeout(t);
    timers.clear();
  };
}
