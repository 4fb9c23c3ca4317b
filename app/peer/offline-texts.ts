/**
 * Chat that waits for people who are offline (issue 18), for one name. A
 * MESSAGE that gets 480 (nobody under the name is online) is stored in the
 * network for its recipient (app/mail stored-text.ts: sealed for their key,
 * replicated, expiring like video mail) and marked "stored". The textbox is
 * read when the name is ready, when the tab joins the ring, and every
 * pollMs: each text goes into the chat once (by the MESSAGE's own id, so a
 * text heard live and from the store, or fetched twice, shows once), its
 * entry is deleted, and its sender gets a sealed "delivered" mark, then
 * "read" once the conversation was on screen. The same poll reads the marks
 * of the texts this person stored and moves their chat status on:
 * stored → delivered → read. A blocked sender's text (the rule that refuses
 * their calls and mail, `isBlocked`) is deleted unseen.
 */
import { fromHex, toHex, type KeyValueStore } from '../identity';
import { DEFAULT_TTL_MS, dropText, listTexts, MailError, readTextMarks, sendTextMark, storeText, type IsBlocked, type MailOverlay, type MailUser, type OpenKeys, type ResolveUser, type TextItem } from '../mail';
import { RetryLoop } from '../overlay';
import type { ChatMessage, UserAgent } from '../sip';
import { Snapshots, systemClock, type Clock } from '../common';

export interface OfflineTextsOptions {
  /** How the texts reach the overlay (overlayIo of the tab's node). */
  io: MailOverlay;
  /** Who this person is: name and user keys. */
  user: MailUser & OpenKeys;
  resolve: ResolveUser;
  /** The phone whose chat the texts join. */
  phone: Pick<UserAgent, 'chat' | 'setUndelivered'>;
  /** Where the texts' marks are followed across reloads (the profile's mail store). */
  store: KeyValueStore;
  /** Whose texts are refused (mailBlockedBy). @default nobody's */
  isBlocked?: IsBlocked;
  /** @default systemClock */
  clock?: Clock;
  /** How often the textbox and the marks are read. @default 15000 */
  pollMs?: number;
  /** How long a stored text waits for its recipient, ms. @default DEFAULT_TTL_MS (30 days, as video mail) */
  ttlMs?: number;
}

export interface OfflineTextsSnapshot {
  /** Why the last read of the textbox failed, in words; null when it worked. */
  error: string | null;
  /** Texts in the textbox that were refused, with the reason in words. */
  problems: string[];
}

/** A text this person stored, followed until it is read or expires. `ck`: hex of its receipt seed. */
type Outgoing = { id: string; cid: string; to: string; expires: number; ck: string; mark: 'stored' | 'delivered' | 'read' };
/** A text that came from the store, until its "delivered" and "read" marks are stored. `ck`: hex of its receipt seed. */
type Incoming = { id: string; cid: string; from: string; expires: number; ck: string; delivered: boolean; readAt: number | null; readSent: boolean };

const OUT_KEY = 'text-out:';
const IN_KEY = 'text-in:';
const POLL_BACKOFF = { initialMs: 2000, maxMs: 60_000 };

const isHex = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]+$/.test(v);
function isOutgoing(v: unknown): v is Outgoing {
  const o = v as Outgoing | null;
  return typeof o === 'object' && o !== null && isHex(o.id) && typeof o.cid === 'string' && typeof o.to === 'string' && typeof o.expires === 'number' && isHex(o.ck) && ['stored', 'delivered', 'read'].includes(o.mark);
}
function isIncoming(v: unknown): v is Incoming {
  const o = v as Incoming | null;
  return typeof o === 'object' && o !== null && isHex(o.id) && typeof o.cid === 'string' && typeof o.from === 'string' && typeof o.expires === 'number' && isHex(o.ck) && typeof o.delivered === 'boolean' && typeof o.readSent === 'boolean';
}
const words = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class OfflineTexts {
  private readonly poll: RetryLoop;
  private readonly outgoing = new Map<string, Outgoing>();
  /** The pass of sendMarks running or last run; the next one starts after it. */
  private marking: Promise<void> = Promise.resolve();
  /** By chat id (the MESSAGE's Call-ID), which is what the chat's read marks name. */
  private readonly incoming = new Map<string, Incoming>();
  private loaded = false;
  private readonly offRead: () => void;
  private readonly snaps = new Snapshots<OfflineTextsSnapshot>({ error: null, problems: [] });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;

  constructor(private readonly o: OfflineTextsOptions) {
    this.poll = new RetryLoop({ clock: o.clock ?? systemClock, everyMs: o.pollMs ?? 15_000, backoff: POLL_BACKOFF, attempt: () => this.check(), describe: words });
    this.poll.onState((st) => {
      if (st.kind === 'waiting') this.snaps.update({ error: `Stored messages could not be checked: ${st.reason}` });
      else if (st.kind === 'up') this.snaps.update({ error: null });
    });
    o.phone.setUndelivered((msg) => this.keep(msg));
    this.offRead = o.phone.chat.onRead(({ peer, messages }) => this.read(peer, messages));
  }

  /** Reads the textbox and the marks now, then every pollMs; resolves after the first read, worked or not. */
  start(): Promise<void> {
    return this.poll.runNow();
  }

  /** Reads now (the tab joined the ring; a test). */
  refresh(): Promise<void> {
    return this.poll.runNow();
  }

  close(): void {
    this.poll.stop();
    this.offRead();
    this.o.phone.setUndelivered(null);
  }

  /** The UserAgent's undelivered handler: stores the text for its recipient; its chat status becomes "stored". */
  private async keep(msg: ChatMessage): Promise<Partial<ChatMessage>> {
    const s = await storeText({ overlay: this.o.io, from: this.o.user, to: msg.peer, resolve: this.o.resolve, text: msg.text, cid: msg.id, ttlMs: this.o.ttlMs ?? DEFAULT_TTL_MS });
    const out: Outgoing = { id: s.id, cid: s.cid, to: s.to, expires: s.expires, ck: toHex(s.ck), mark: 'stored' };
    this.outgoing.set(s.id, out);
    // Kept only in memory when the store fails: the marks then stop at a reload, the text itself is stored.
    await this.o.store.set(OUT_KEY + s.id, out).catch(() => undefined);
    return { status: 'stored' };
  }

  /** The chat marked messages read: the stored ones among them owe their sender a "read" mark. */
  private read(peer: string, messages: readonly ChatMessage[]): void {
    let due = false;
    for (const m of messages) {
      const t = this.incoming.get(m.id);
      if (!t || t.from !== peer || t.readAt !== null) continue;
      t.readAt = m.readAt ?? this.now();
      due = true;
      void this.save(t);
    }
    if (due) void this.sendMarks().catch(() => undefined);
  }

  private now(): number {
    return this.o.io.now();
  }

  private async save(t: Incoming): Promise<void> {
    await this.o.store.set(IN_KEY + t.cid, t).catch(() => undefined);
  }

  private async load(): Promise<void> {
    for (const key of await this.o.store.keys()) {
      if (!key.startsWith(OUT_KEY) && !key.startsWith(IN_KEY)) continue;
      const v = await this.o.store.get(key);
      if (isOutgoing(v)) this.outgoing.set(v.id, v);
      else if (isIncoming(v)) this.incoming.set(v.cid, v);
    }
    this.loaded = true;
  }

  /** One poll: the textbox, then the marks owed, then the marks of the texts this person stored. Throws when the textbox cannot be read. */
  private async check(): Promise<void> {
    if (!this.loaded) await this.load().catch((e: unknown) => console.warn('[texts] the marks could not be read; trying again with the next check', e));
    const listing = await listTexts(this.o.io, this.o.user, this.o.resolve, this.o.isBlocked);
    this.snaps.update({ problems: listing.problems.map((p) => p.message) });
    for (const b of listing.blocked) await dropText(this.o.io, this.o.user, b).catch(() => undefined);
    for (const item of listing.items) await this.deliver(item);
    await this.sendMarks();
    await this.followOutgoing();
  }

  /** Puts a stored text in the chat (once), remembers what its marks need, and deletes its entry from the network. */
  private async deliver(item: TextItem): Promise<void> {
    const n = item.note;
    await this.o.phone.chat.putIfAbsent({ id: n.cid, peer: n.from, direction: 'in', text: n.text, at: n.sent, status: 'received' });
    if (!this.incoming.has(n.cid)) {
      const t: Incoming = { id: n.id, cid: n.cid, from: n.from, expires: n.expires, ck: toHex(n.ck), delivered: false, readAt: null, readSent: false };
      this.incoming.set(n.cid, t);
      await this.save(t);
    }
    // A failed delete is tried with the next poll; the chat's id keeps the text from showing twice meanwhile.
    await dropText(this.o.io, this.o.user, item).catch((e: unknown) => console.warn('[texts] a delivered text could not be removed yet', e instanceof MailError ? e.message : e));
  }

  /**
   * Stores the "delivered" and "read" marks owed, one pass at a time: a pass
   * asked for while one runs (the chat marked a text read during a poll)
   * runs after it. Two passes at once would each store the same mark under
   * its own one-off key, and the replicas refuse the second owner.
   */
  private sendMarks(): Promise<void> {
    const pass = this.marking.then(() => this.sendMarksOnce());
    this.marking = pass.catch(() => undefined);
    return pass;
  }

  /** One pass of sendMarks; each mark stays owed until stored or until its text expires. */
  private async sendMarksOnce(): Promise<void> {
    for (const t of [...this.incoming.values()]) {
      const expired = t.expires <= this.now();
      const mark = { id: t.id, from: t.from, expires: t.expires, ck: fromHex(t.ck) };
      if (!expired && !t.delivered) t.delivered = await sendTextMark(this.o.io, mark, 'delivered').catch(() => false);
      if (!expired && t.delivered && t.readAt !== null && !t.readSent) t.readSent = await sendTextMark(this.o.io, mark, 'read').catch(() => false);
      if (expired || (t.delivered && t.readSent)) {
        // The chat's id, not this record, keeps a re-fetched text from showing twice.
        this.incoming.delete(t.cid);
        await this.o.store.del(IN_KEY + t.cid).catch(() => undefined);
      } else await this.save(t);
    }
  }

  /** Reads the marks of the texts this person stored and moves their chat status on. */
  private async followOutgoing(): Promise<void> {
    const open = [...this.outgoing.values()];
    if (open.length === 0) return;
    const marks = await readTextMarks(this.o.io, this.o.user.name, open.map((t) => ({ id: t.id, ck: fromHex(t.ck) })));
    for (const t of open) {
      const m = marks.get(t.id);
      const mark = m?.readAt != null ? 'read' : m?.deliveredAt != null ? 'delivered' : t.mark;
      if (mark !== t.mark) {
        t.mark = mark;
        await this.o.phone.chat.patch(t.to, t.cid, { status: mark });
      }
      if (mark === 'read' || t.expires <= this.now()) {
        this.outgoing.delete(t.id);
        await this.o.store.del(OUT_KEY + t.id).catch(() => undefined);
      } else await this.o.store.set(OUT_KEY + t.id, t).catch(() => undefined);
    }
  }
}
