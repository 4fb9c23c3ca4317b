/**
 * Chat messages per conversation, kept through a KeyValueStore (IndexedDB in
 * the browser), bounded per conversation. A message heard twice (it was
 * delivered to this tab and stored by another tab of the same person) is
 * kept once, by its ID.
 */
import { fitsUtf8, utf8Length, type KeyValueStore } from '../identity';

export interface ChatMessage {
  /** Unique: the SIP Call-ID of the MESSAGE. */
  id: string;
  /** The other person's name. */
  peer: string;
  direction: 'in' | 'out';
  text: string;
  at: number;
  status: 'sending' | 'sent' | 'failed' | 'received';
  error?: string;
}

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
}
