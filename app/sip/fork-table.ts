/**
 * The caller-side proxy's memory of its own forked INVITEs (RFC 3261 §16.7):
 * which nodes got it and where each branch stands. Kept at the caller only
 * (relays keep no transaction state). Every branch is remembered for the
 * life of the call attempt, not only until the first answer: a tab that
 * answers while the CANCEL to it is still on its way sends a 2xx that must
 * be acknowledged and hung up (RFC 3261 §13.2.2.4), not dropped as if a
 * stranger sent it.
 */
import { makeResponse } from './responses';

/** Where one branch (one callee node) of a forked INVITE stands. */
export type BranchState = 'pending' | 'cancelled' | 'answered' | 'failed';

export interface Fork {
  invite: string;
  /** Node ID → state, for every node the INVITE went to; never shrinks. */
  branches: Map<string, BranchState>;
  /** The 2xx handed to the UA: the dialog the call runs on (its node and To tag). */
  answer: { node: string; toTag: string | null } | null;
  /** Late 2xx already hung up, by `node + " " + toTag` (their retransmissions get an ACK only). */
  hungUp: Set<string>;
  finals: { node: string; status: number; text: string }[];
  /** The UA cancelled the call attempt itself. */
  cancelled: boolean;
}

export interface ForkVerdict {
  /** Hand the response to the UA. */
  pass: boolean;
  /** Branches to cancel, with the INVITE to build the CANCEL from. */
  cancel: string[];
  invite: string;
  /** When every branch failed: the final response to hand to the UA instead. */
  final?: string;
  /**
   * A 2xx for a dialog other than the one the UA took (another tab answered
   * late, or at the same moment): the proxy acknowledges it (every
   * retransmission) and, the first time, hangs it up. It never reaches the
   * UA: JsSIP 3.13 answers such a 2xx with an ACK and a BYE on its *first*
   * dialog, which would end the call that was answered.
   */
  late?: {
    /** False for a retransmission of a 2xx already hung up. */
    hangUp: boolean;
    /** The UA cancelled the attempt (the callee hears "hung up"), rather than another tab winning ("answered elsewhere"). */
    cancelledByCaller: boolean;
  };
}

/** Final non-2xx responses in order of preference when every branch failed (RFC 3261 §16.7, simplified). */
function rank(status: number): number {
  if (status === 486 || status === 600) return 0; // busy
  if (status === 603) return 1; // declined
  if (status >= 400 && status < 500 && status !== 408 && status !== 480) return 2;
  if (status === 480) return 3;
  return 4;
}

/**
 * INVITE transactions remembered at once. An answered attempt is kept until
 * this many newer INVITEs push it out, well past JsSIP's 32 s of 2xx
 * retransmissions (Timer H) at any pace a person can place calls.
 */
const MAX_FORKS = 256;

/** Late 2xx dialogs hung up per call attempt; a real callee tab makes one. */
export const MAX_LATE_DIALOGS = 32;

export class ForkTable {
  private readonly forks = new Map<string, Fork>();

  private key(callId: string, branch: string): string {
    return `${callId} ${branch}`;
  }

  open(callId: string, branch: string, invite: string, nodes: string[]): void {
    while (this.forks.size >= MAX_FORKS) this.forks.delete(this.forks.keys().next().value!);
    const branches = new Map<string, BranchState>(nodes.map((n) => [n, 'pending']));
    this.forks.set(this.key(callId, branch), { invite, branches, answer: null, hungUp: new Set(), finals: [], cancelled: false });
  }

  get(callId: string, branch: string): Fork | undefined {
    return this.forks.get(this.key(callId, branch));
  }

  /** Whether `node` is one this INVITE went to (responses from others are dropped). */
  knows(callId: string, branch: string, node: string): boolean {
    return this.get(callId, branch)?.branches.has(node) ?? false;
  }

  /**
   * A response from `node` (with the To tag it carries): whether to hand it
   * to the UA, which other branches to cancel (the first 2xx wins; every
   * other ringing tab stops), or whether it is a 2xx the proxy must end.
   */
  onResponse(callId: string, branch: string, node: string, status: number, toTag: string | null, text: string): ForkVerdict {
    const k = this.key(callId, branch);
    const f = this.forks.get(k);
    if (!f) return { pass: true, cancel: [], invite: '' };
    const invite = f.invite;
    const state = f.branches.get(node);
    if (state === undefined) return { pass: false, cancel: [], invite };
    // Provisional answers matter only while the UA is still waiting for this branch.
    if (status < 200) return { pass: !f.cancelled && f.answer === null && state === 'pending', cancel: [], invite };
    if (status < 300) {
      if (f.answer === null && !f.cancelled) {
        f.answer = { node, toTag };
        f.branches.set(node, 'answered');
        const cancel = [...f.branches].filter(([, s]) => s === 'pending').map(([n]) => n);
        for (const n of cancel) f.branches.set(n, 'cancelled');
        return { pass: true, cancel, invite };
      }
      // A retransmission of the 2xx the UA took: the UA acknowledges it again (§13.2.2.4).
      if (f.answer?.node === node && f.answer.toTag === toTag) return { pass: true, cancel: [], invite };
      // Another tab's 2xx, or any 2xx after the UA's own CANCEL: JsSIP forgets a call
      // attempt once it has sent CANCEL and would leave such a 2xx unanswered.
      const dialog = `${node} ${toTag ?? ''}`;
      // A callee making up To tags could otherwise make this tab send BYEs without end.
      if (!f.hungUp.has(dialog) && f.hungUp.size >= MAX_LATE_DIALOGS) return { pass: false, cancel: [], invite };
      f.branches.set(node, 'answered');
      const hangUp = !f.hungUp.has(dialog);
      f.hungUp.add(dialog);
      return { pass: false, cancel: [], invite, late: { hangUp, cancelledByCaller: f.cancelled }, ...this.settle(k, f) };
    }
    if (state === 'pending' || state === 'cancelled') f.branches.set(node, 'failed');
    f.finals.push({ node, status, text });
    return { pass: false, cancel: [], invite, ...this.settle(k, f) };
  }

  /**
   * The final response the UA is owed once no branch can answer any more and
   * none was handed to it: the best failure (§16.7), or, when the UA had
   * cancelled and the tabs answered instead, 487 (RFC 3261 §9.1).
   */
  private settle(k: string, f: Fork): { final?: string } {
    if (f.answer !== null || [...f.branches.values()].some((s) => s === 'pending' || s === 'cancelled')) return {};
    // Nothing more can come, except retransmissions of 2xx that were hung up: those keep the entry.
    if (f.hungUp.size === 0) this.forks.delete(k);
    if (f.finals.length === 0) return { final: makeResponse(f.invite, 487) };
    return { final: [...f.finals].sort((a, b) => rank(a.status) - rank(b.status))[0]!.text };
  }

  /** The UA cancelled: every branch still ringing gets the CANCEL. */
  cancelAll(callId: string, branch: string): string[] {
    const f = this.get(callId, branch);
    if (!f) return [];
    f.cancelled = true;
    const ringing = [...f.branches].filter(([, s]) => s === 'pending').map(([n]) => n);
    for (const n of ringing) f.branches.set(n, 'cancelled');
    return ringing;
  }

  /** A branch the overlay could not reach counts as a final response from it (480 gone, 408 no answer). */
  unreachable(callId: string, branch: string, node: string, status: 408 | 480, text: string): string | null {
    const r = this.onResponse(callId, branch, node, status, null, text);
    return r.final ?? null;
  }
}
