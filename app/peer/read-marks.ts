/**
 * What the person has read of each conversation (issue 18: unread counts on
 * Home): the time of the newest message seen per peer, kept in the profile's
 * settings store so every tab and the next visit agree. A message counts as
 * unread when it came in after that time.
 */
import { SerialQueue, Snapshots } from '../common';
import type { KeyValueStore } from '../identity';
import { nameProblem, type ChatMessage } from '../sip';

/** Where the read marks live in the settings store. */
export const READ_MARKS_KEY = 'chat-read';
/** Most conversations with a mark (the chat history keeps no more peers than this is worth). */
const MAX_MARKS = 1_000;

/** Peer name → the newest message time the person has seen, ms since the epoch. */
export type ReadMarksSnapshot = Readonly<Record<string, number>>;

export class ReadMarks {
  private readonly snaps = new Snapshots<{ marks: ReadMarksSnapshot }>({ marks: {} });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = (): ReadMarksSnapshot => this.snaps.value.marks;
  private readonly queue = new SerialQueue();

  constructor(private readonly store: KeyValueStore) {}

  /** Reads the stored marks; damaged entries are dropped. Never rejects. */
  load(): Promise<void> {
    return this.queue.run(async () => {
      const raw = await this.store.get(READ_MARKS_KEY).catch(() => undefined);
      const marks: Record<string, number> = {};
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
        for (const [peer, at] of Object.entries(raw as Record<string, unknown>).slice(0, MAX_MARKS)) {
          if (nameProblem(peer) === null && typeof at === 'number' && Number.isSafeInteger(at) && at >= 0) marks[peer] = at;
        }
      }
      this.snaps.update({ marks });
    });
  }

  /** Incoming messages in `messages` (one conversation) the person has not seen. */
  unread(peer: string, messages: readonly ChatMessage[]): number {
    const mark = this.getSnapshot()[peer] ?? -1;
    return messages.filter((m) => m.direction === 'in' && m.at > mark).length;
  }

  /** The person has seen `messages` (the conversation is open and the page visible). Storage failures keep the mark for this page. */
  markRead(peer: string, messages: readonly ChatMessage[]): Promise<void> {
    const newest = Math.max(-1, ...messages.filter((m) => m.direction === 'in').map((m) => m.at));
    if (newest <= (this.getSnapshot()[peer] ?? -1)) return Promise.resolve();
    return this.queue.run(async () => {
      const marks = { ...this.getSnapshot(), [peer]: Math.max(newest, this.getSnapshot()[peer] ?? -1) };
      this.snaps.update({ marks });
      await this.store.set(READ_MARKS_KEY, marks).catch(() => undefined);
    });
  }
}
