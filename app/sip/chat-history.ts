/**
 * Chat messages per conversation, kept through a KeyValueStore (IndexedDB in
 * the browser), bounded per conversation. A message heard twice (it was
 * delivered to this tab and stored by another tab of the same person) is
 * kept once, by its ID: so is a text that arrives both live and from the
 * store of texts kept for people offline (app/mail stored-text.ts), which
 * carries the ID of the MESSAGE that found nobody online.
 */
import { fitsUtf8, utf8Length, type KeyValueStore } from '../identity';
import { createLogger, Listeners } from '../common';

export interface ChatMessage {
  /** Unique: the SIP Call-ID of the MESSAGE. */
  id: string;
  /** The other person's name. */
  peer: string;
  direction: 'in' | 'out';
  text: string;
  at: number;
  /**
   * Outgoing: sending; sent (taken live: the far phone answered 200 OK);
   * failed; stored (nobody was online: it waits in the network for them);
   * delivered (a stored text reached their phone); read (they opened the
   * conversation with it). Incoming: received.
   */
  status: 'sending' | 'sent' | 'failed' | 'received' | 'stored' | 'delivered' | 'read';
  error?: string;
  /** Incoming: when this person first had the conversation open with it on screen; absent while unread. */
  readAt?: number;
}

/** A change that did not come through the UserAgent's own sending and receiving (ChatHistory.onChange). */
export interface ChatChange {
  peer: string;
  /** Whether a message from `peer` was added (it should count as new). */
  incoming: boolean;
}

const log = createLogger('chat');

/** Messages kept per conversation. */
export const MAX_MESSAGES_PER_PEER = 500;
/**
 * Longest chat message, in bytes of UTF-8 (what the MESSAGE body's
 * Content-Length counts, RFC 3428 §7): 4000 letters of English, about 2000 of
 * Spanish accents or 1000 emoji. A MESSAGE with a longer body gets 413.
 */
export const MAX_CHAT_BYTES = 4000;

/** Why `text` cannot be sent as a chat message because of its length, in words; null when it fits. */
export function chatLengthProblem(text: string): string | null {
  if (fitsUtf8(text, MAX_CHAT_BYTES)) return null;
  // Bytes, not characters: accents take 2, € 3, emoji 4, so a count of characters would not add up for the reader.
  return `This message is too long: ${utf8Length(text)} bytes, and a message can take ${MAX_CHAT_BYTES} (a letter with an accent takes 2, an emoji 4).`;
}

const KEY = (peer: string) => `chat/${peer}`;

function isMessage(v: unknown): v is ChatMessage {
  const m = v as Partial<ChatMessage> | null;
  return typeof m === 'object' && m !== null && typeof m.id === 'string' && typeof m.text === 'string' && typeof m.at === 'number';
}

export class ChatHistory {
  private readonly cache = new Map<string, ChatMessage[]>();
  private queue: Promise<void> = Promise.resolve();
  private readonly changes = new Listeners<ChatChange>(log);
  private readonly reads = new Listeners<{ peer: string; messages: ChatMessage[] }>(log);

  constructor(private readonly store: KeyValueStore) {}

  async load(peer: string): Promise<ChatMessage[]> {
    const cached = this.cache.get(peer);
    if (cached) return cached;
    let list: ChatMessage[] = [];
    try {
      const raw = await this.store.get(KEY(peer));
      if (Array.isArray(raw)) list = raw.filter(isMessage);
    } catch {
      list = [];
    }
    this.cache.set(peer, list);
    return list;
  }

  /** The people there is history with. */
  async peers(): Promise<string[]> {
    return (await this.store.keys()).filter((k) => k.startsWith('chat/')).map((k) => k.slice(5));
  }

  /** Adds or updates (same ID) a message; writes run one at a time. */
  put(msg: ChatMessage): Promise<void> {
    this.queue = this.queue.then(async () => {
      const list = [...(await this.load(msg.peer))];
      const i = list.findIndex((m) => m.id === msg.id);
      if (i >= 0) list[i] = { ...list[i]!, ...msg };
      else list.push(msg);
      list.sort((a, b) => a.at - b.at);
      const kept = list.slice(-MAX_MESSAGES_PER_PEER);
      this.cache.set(msg.peer, kept);
      await this.store.set(KEY(msg.peer), kept);
    });
    return this.queue;
  }

  /** Runs `change` on one conversation's list, one write at a time; `change` returns the new list, or null to write nothing. */
  private edit<T>(peer: string, change: (list: ChatMessage[]) => { list: ChatMessage[] | null; result: T }): Promise<T> {
    const run = this.queue.catch(() => undefined).then(async () => {
      const { list, result } = change([...(await this.load(peer))]);
      if (list) {
        const kept = list.sort((a, b) => a.at - b.at).slice(-MAX_MESSAGES_PER_PEER);
        this.cache.set(peer, kept);
        await this.store.set(KEY(peer), kept);
      }
      return result;
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Adds `msg` unless its conversation has a message with its ID already (a
   * text heard live and again from the store, or fetched twice); resolves
   * true when it was added. Tells onChange listeners.
   */
  async putIfAbsent(msg: ChatMessage): Promise<boolean> {
    const added = await this.edit(msg.peer, (list) => (list.some((m) => m.id === msg.id) ? { list: null, result: false } : { list: [...list, msg], result: true }));
    if (added) this.changes.emit({ peer: msg.peer, incoming: msg.direction === 'in' });
    return added;
  }

  /** Changes fields of message `id` with `peer`, if it is there; resolves true when it was. Tells onChange listeners. */
  async patch(peer: string, id: string, patch: Partial<Pick<ChatMessage, 'status' | 'error' | 'readAt'>>): Promise<boolean> {
    const found = await this.edit(peer, (list) => {
      const i = list.findIndex((m) => m.id === id);
      if (i < 0) return { list: null, result: false };
      list[i] = { ...list[i]!, ...patch };
      return { list, result: true };
    });
    if (found) this.changes.emit({ peer, incoming: false });
    return found;
  }

  /**
   * Marks every unread message from `peer` read at `at` (the person has the
   * conversation on screen); resolves the messages it marked, and tells
   * onRead listeners (a stored text's sender is sent its "read" mark).
   */
  async markRead(peer: string, at: number): Promise<ChatMessage[]> {
    const marked = await this.edit(peer, (list) => {
      const now: ChatMessage[] = [];
      const next = list.map((m) => {
        if (m.direction !== 'in' || m.readAt !== undefined) return m;
        const read = { ...m, readAt: at };
        now.push(read);
        return read;
      });
      return { list: now.length > 0 ? next : null, result: now };
    });
    if (marked.length > 0) {
      this.changes.emit({ peer, incoming: false });
      this.reads.emit({ peer, messages: marked });
    }
    return marked;
  }

  /** Calls `fn` after putIfAbsent, patch or markRead changed a conversation; returns the function that stops it. */
  onChange(fn: (c: ChatChange) => void): () => void {
    return this.changes.add(fn);
  }

  /** Calls `fn` with the messages markRead marked; returns the function that stops it. */
  onRead(fn: (r: { peer: string; messages: ChatMessage[] }) => void): () => void {
    return this.reads.add(fn);
  }
}
