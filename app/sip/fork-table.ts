/**
 * The caller-side proxy's memory of its own forked INVITEs: which nodes got
 * it, which answered, which ended. Kept at the caller only (relays keep no
 * transaction state) and dropped when the transaction ends.
 */
export interface Fork {
  invite: string;
  pending: Set<string>;
  answeredBy: string | null;
  finals: { node: string; status: number; text: string }[];
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
}

/** Final non-2xx responses in order of preference when every branch failed (RFC 3261 §16.7, simplified). */
function rank(status: number): number {
  if (status === 486 || status === 600) return 0; // busy
  if (status === 603) return 1; // declined
  if (status >= 400 && status < 500 && status !== 408 && status !== 480) return 2;
  if (status === 480) return 3;
  return 4;
}

/** INVITE transactions remembered at once. */
const MAX_FORKS = 256;

export class ForkTable {
  private readonly forks = new Map<string, Fork>();

  private key(callId: string, branch: string): string {
    return `${callId} ${branch}`;
  }

  open(callId: string, branch: string, invite: string, nodes: string[]): void {
    // Answered forks linger to catch late branches; the oldest go first.
    while (this.forks.size >= MAX_FORKS) this.forks.delete(this.forks.keys().next().value!);
    this.forks.set(this.key(callId, branch), { invite, pending: new Set(nodes), answeredBy: null, finals: [], cancelled: false });
  }

  get(callId: string, branch: string): Fork | undefined {
    return this.forks.get(this.key(callId, branch));
  }

  /** Whether `node` is one this INVITE went to (responses from others are dropped). */
  knows(callId: string, branch: string, node: string): boolean {
    const f = this.get(callId, branch);
    return !!f && (f.pending.has(node) || f.answeredBy === node || f.finals.some((x) => x.node === node));
  }

  /**
   * A response from `node`: whether to hand it to the UA, and which other
   * branches to cancel (the first 2xx wins; every other ringing tab stops).
   */
  onResponse(callId: string, branch: string, node: string, status: number, text: string): ForkVerdict {
    const k = this.key(callId, branch);
    const f = this.forks.get(k);
    if (!f) return { pass: true, cancel: [], invite: '' };
    const invite = f.invite;
    if (status < 200) return { pass: !f.cancelled, cancel: [], invite };
    f.pending.delete(node);
    if (status < 300) {
      if (f.answeredBy === null) {
        f.answeredBy = node;
        const cancel = [...f.pending];
        f.pending.clear();
        if (f.pending.size === 0 && cancel.length === 0) this.forks.delete(k);
        f.pending.clear();
        // Kept a while after the answer: a second branch may still answer (and be hung up).
        return { pass: true, cancel, invite };
      }
      // Another branch answered at the same moment: the UA acknowledges and hangs it up.
      return { pass: true, cancel: [], invite };
    }
    f.finals.push({ node, status, text });
    if (f.answeredBy !== null || f.pending.size > 0) return { pass: false, cancel: [], invite };
    this.forks.delete(k);
    const best = [...f.finals].sort((a, b) => rank(a.status) - rank(b.status))[0]!;
    return { pass: false, cancel: [], invite, final: best.text };
  }

  /** The UA cancelled: every pending branch gets the CANCEL. */
  cancelAll(callId: string, branch: string): string[] {
    const f = this.get(callId, branch);
    if (!f) return [];
    f.cancelled = true;
    return [...f.pending];
  }

  /** A branch the overlay could not reach counts as a final response from it (480 gone, 408 no answer). */
  unreachable(callId: string, branch: string, node: string, status: 408 | 480, text: string): string | null {
    const r = this.onResponse(callId, branch, node, status, text);
    return r.final ?? null;
  }
}
