/**
 * Calling back is not a question. When this person calls or writes to
 * someone, that someone may call and write back without a new permission
 * question, for as long as the conversation lasts: a reply to a call you
 * placed is part of the exchange you started, as a stateful firewall lets
 * the answers to a connection out back in (RFC 4787 §4.3 and RFC 6888 keep
 * such bindings a few minutes after the last packet for the same reason).
 *
 * A conversation is the time from the first call or message to a person
 * until CONVERSATION_MS after the last one ended: a call ends when it hangs
 * up, a message when it is sent. Ten minutes is the "allow once" window of
 * the call policy: long enough to return a missed call or answer a message
 * in the same sitting, short enough that someone written to once cannot
 * reach the person for good. The allowance is kept per user key (the
 * contact scope's rule subject), so a name taken over by another key does
 * not inherit it; it lives in memory (a reload ends the conversation), and
 * a remembered "Always deny" still wins over it (evaluate.ts, judge).
 */
import { Listeners, createLogger } from '../common';

/** How long after the last call or message of a conversation the other person may still reach this one, in ms. */
export const CONVERSATION_MS = 10 * 60_000;

/** Conversations kept at once; the one that ended first is dropped beyond it. */
export const MAX_CONVERSATIONS = 200;

/** Why the other person may reach this one: this person called them, or wrote to them. */
export type ConversationStart = 'called' | 'wrote';

/** One conversation this person started, as the Permissions page shows it. */
export interface Conversation {
  /** The other person's user ID (40 hex digits of their signing key's hash). */
  readonly userId: string;
  /** Their name when the conversation started. */
  readonly name: string;
  readonly why: ConversationStart;
  /** When this person last called or wrote to them, in ms since the epoch. */
  readonly lastAt: number;
  /** When the allowance ends, in ms since the epoch; null while a call with them is up. */
  readonly endsAt: number | null;
}

interface Entry {
  name: string;
  why: ConversationStart;
  lastAt: number;
  endsAt: number;
  /** Calls this person placed to them that are still up. */
  liveCalls: Set<string>;
}

const USER_ID = /^[0-9a-f]{40}$/;

/** The conversations this person started; the gate asks `allows` before it would ask the person. */
export class Conversations {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Listeners<void>(createLogger('permissions'));
  private snapshot: readonly Conversation[] = [];

  /** `now` in ms since the epoch; `windowMs` defaults to CONVERSATION_MS. */
  constructor(
    private readonly now: () => number,
    private readonly windowMs = CONVERSATION_MS,
  ) {}

  readonly subscribe = (fn: () => void): (() => void) => this.listeners.add(fn);

  /** The live conversations, newest first. Entries past their end are left out when something changes (or `prune` runs). */
  readonly getSnapshot = (): readonly Conversation[] => this.snapshot;

  /**
   * This person called (`callId` names the call, which keeps the allowance
   * until it ends) or wrote to the person with user ID `userId`. Throws
   * RangeError on a user ID that is not 40 hex digits.
   */
  started(userId: string, name: string, why: ConversationStart, callId?: string): void {
    if (!USER_ID.test(userId)) throw new RangeError('userId must be 40 lower-case hex digits');
    const at = this.now();
    const e = this.entries.get(userId) ?? { name, why, lastAt: at, endsAt: at, liveCalls: new Set<string>() };
    e.name = name;
    e.why = why;
    e.lastAt = at;
    e.endsAt = Math.max(e.endsAt, at + this.windowMs);
    if (callId !== undefined) e.liveCalls.add(callId);
    this.entries.delete(userId);
    this.entries.set(userId, e);
    while (this.entries.size > MAX_CONVERSATIONS) this.entries.delete(this.entries.keys().next().value!);
    this.changed();
  }

  /** A call this person placed ended: the conversation lasts CONVERSATION_MS more. Unknown calls are ignored. */
  callEnded(callId: string): void {
    const at = this.now();
    for (const e of this.entries.values()) {
      if (!e.liveCalls.delete(callId)) continue;
      e.endsAt = Math.max(e.endsAt, at + this.windowMs);
      this.changed();
    }
  }

  /** Whether the person with `userId` may reach this one now without a question: the conversation, or null. */
  allows(userId: string): Conversation | null {
    const e = this.entries.get(userId);
    if (!e) return null;
    if (e.liveCalls.size === 0 && e.endsAt <= this.now()) {
      this.entries.delete(userId);
      this.changed();
      return null;
    }
    return view(userId, e);
  }

  /** Ends a conversation now (the person's choice on the Permissions page). */
  end(userId: string): void {
    if (this.entries.delete(userId)) this.changed();
  }

  /** Drops the conversations that have ended; the page calls it on a timer so they leave the list. */
  prune(): void {
    const at = this.now();
    let any = false;
    for (const [id, e] of this.entries) {
      if (e.liveCalls.size === 0 && e.endsAt <= at) any = this.entries.delete(id) || any;
    }
    if (any) this.changed();
  }

  private changed(): void {
    this.snapshot = [...this.entries].map(([id, e]) => view(id, e)).reverse();
    this.listeners.emit();
  }
}

function view(userId: string, e: Entry): Conversation {
  return { userId, name: e.name, why: e.why, lastAt: e.lastAt, endsAt: e.liveCalls.size > 0 ? null : e.endsAt };
}
