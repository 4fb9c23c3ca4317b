/**
 * The questions waiting for the person, first asked first shown. Links that
 * need the same answer (same peer and scope, or in default mode the same
 * overlay) wait on one question; each waiter can leave through its
 * AbortSignal, and a question nobody waits for any more is withdrawn. A
 * question unanswered by its deadline times out; a question asked without
 * one (the tab's own "join the network?", issue 18) waits for the person.
 */
import { type Clock, Listeners, type Logger } from '../common';
import type { Answer, DecisionBasis, Direction, Scope, Verdict } from './types';

/** Who is asking, as the dialog shows it. */
export interface PeerSummary {
  readonly nodeId: string;
  readonly nodeFingerprint: string;
  readonly userId?: string;
  readonly userFingerprint?: string;
  /** The name the peer presented, or the name in a valid certificate. */
  readonly name?: string;
  /** A trusted root signed this peer's identity (its policy for this scope is off, or it would not ask). */
  readonly vouchedBy?: { readonly rootId: string; readonly label: string; readonly fingerprint: string };
  /** Why a presented certificate does not vouch for them (e.g. "signed by a root you do not trust (…)"). */
  readonly certificateNote?: string;
}

/** A question for the person. */
export interface PermissionQuestion {
  readonly id: string;
  /**
   * `peer`: may this peer link with this tab in this scope? `overlay`: may
   * peers of this overlay route and store through this tab (the default
   * mode's one question per overlay; `peer` is then the first to ask).
   */
  readonly kind: 'peer' | 'overlay';
  readonly scope: Scope;
  /** Of the first link that asked. */
  readonly direction: Direction;
  readonly overlay: string;
  readonly peer: PeerSummary;
  /** How many links wait on the answer. */
  readonly waiting: number;
  readonly askedAt: number;
  /**
   * When it times out and the links are refused (ms since the epoch), or null
   * when it waits for the person however long they take.
   */
  readonly deadline: number | null;
}

/** How a question ended for one waiter. */
export type QuestionOutcome =
  | { readonly kind: 'answered'; readonly answer: Answer; readonly basis: DecisionBasis }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'cancelled'; readonly why: string }
  | { readonly kind: 'busy' }
  /** A rule or policy that arrived while the link waited decided it without an answer. */
  | { readonly kind: 'decided'; readonly verdict: Verdict };

/** One link waiting on a question, with whatever its asker needs to decide it later. */
export interface Waiter<R> {
  readonly request: R;
  settle(outcome: QuestionOutcome): void;
}

interface Entry<R> {
  question: PermissionQuestion;
  key: string;
  waiters: Set<Waiter<R>>;
  timer: unknown;
}

export interface QuestionQueueOptions {
  /** How long a question waits for an answer. @default 30_000 */
  timeoutMs?: number;
  /** Most questions waiting at once; more are refused as `busy` so a flood of peers cannot bury the person. @default 50 */
  maxQuestions?: number;
}

export class QuestionQueue<R> {
  private readonly entries = new Map<string, Entry<R>>(); // by key, in insertion (FIFO) order
  private readonly byId = new Map<string, Entry<R>>();
  private snapshot: readonly PermissionQuestion[] = Object.freeze([]);
  private readonly changed: Listeners<void>;
  private seq = 0;
  readonly timeoutMs: number;
  readonly maxQuestions: number;

  constructor(
    private readonly clock: Clock,
    o: QuestionQueueOptions,
    log: Logger,
  ) {
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.maxQuestions = o.maxQuestions ?? 50;
    this.changed = new Listeners(log);
  }

  readonly subscribe = (fn: () => void): (() => void) => this.changed.add(fn);

  /** Waiting questions, oldest first: the dialog shows the first. */
  readonly getSnapshot = (): readonly PermissionQuestion[] => this.snapshot;

  /**
   * Joins the question under `key`, asking it (built by `make`) if none waits
   * yet. A new question times out after the queue's timeout, or never when
   * `o.timeout` is false (the person is then the only way it ends, besides
   * every waiter leaving).
   */
  ask(
    key: string,
    make: () => Omit<PermissionQuestion, 'id' | 'waiting' | 'askedAt' | 'deadline'>,
    request: R,
    signal?: AbortSignal,
    o: { timeout?: boolean } = {},
  ): Promise<QuestionOutcome> {
    if (signal?.aborted) return Promise.resolve({ kind: 'cancelled', why: 'the link closed before an answer' });
    let entry = this.entries.get(key);
    if (!entry) {
      if (this.entries.size >= this.maxQuestions) return Promise.resolve({ kind: 'busy' });
      const now = this.clock.now();
      const timesOut = o.timeout !== false;
      const question: PermissionQuestion = { ...make(), id: `q${++this.seq}`, waiting: 0, askedAt: now, deadline: timesOut ? now + this.timeoutMs : null };
      const created: Entry<R> = { question, key, waiters: new Set(), timer: undefined };
      if (timesOut) {
        created.timer = this.clock.setTimeout(() => {
          if (this.take(question.id)) for (const w of created.waiters) w.settle({ kind: 'timeout' });
        }, this.timeoutMs);
      }
      this.entries.set(key, created);
      this.byId.set(question.id, created);
      entry = created;
    }
    const e = entry;
    return new Promise((resolve) => {
      const onAbort = (): void => {
        if (!e.waiters.delete(waiter)) return;
        resolve({ kind: 'cancelled', why: 'the link closed before an answer' });
        if (e.waiters.size === 0) this.take(e.question.id);
        else this.setWaiting(e);
      };
      const waiter: Waiter<R> = {
        request,
        settle: (outcome) => {
          signal?.removeEventListener('abort', onAbort);
          e.waiters.delete(waiter);
          resolve(outcome);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      e.waiters.add(waiter);
      this.setWaiting(e);
    });
  }

  /** The waiting question with this ID. */
  get(id: string): PermissionQuestion | undefined {
    return this.byId.get(id)?.question;
  }

  /**
   * Removes a question from the queue (its timer stops) and hands back its
   * waiters, which the caller settles once it has acted on the answer.
   */
  take(id: string): Waiter<R>[] | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    this.byId.delete(id);
    this.entries.delete(entry.key);
    this.publish();
    return [...entry.waiters];
  }

  /** Every waiter of every question, for re-checking them after rules or policies change. */
  waiters(): { questionId: string; waiter: Waiter<R> }[] {
    const out: { questionId: string; waiter: Waiter<R> }[] = [];
    for (const e of this.entries.values()) for (const waiter of e.waiters) out.push({ questionId: e.question.id, waiter });
    return out;
  }

  /** Settles one waiter from outside an answer (a new rule decided it); withdraws its question if it was the last. */
  release(questionId: string, waiter: Waiter<R>, outcome: QuestionOutcome): void {
    const e = this.byId.get(questionId);
    waiter.settle(outcome);
    if (!e) return;
    if (e.waiters.size === 0) this.take(questionId);
    else this.setWaiting(e);
  }

  private setWaiting(e: Entry<R>): void {
    e.question = { ...e.question, waiting: e.waiters.size };
    this.publish();
  }

  private publish(): void {
    this.snapshot = Object.freeze([...this.entries.values()].map((e) => e.question));
    this.changed.emit();
  }
}
