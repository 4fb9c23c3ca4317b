/**
 * Video mail for the app: one object that the mail components share. It
 * polls the user's mailbox (and on start), keeps health per message, plays
 * (fetch + rebuild + decrypt) with progress, deletes, sends with progress and
 * keeps the sent list (in the profile's key-value store) with "seen" from
 * read receipts. Names are resolved by an injected resolver.
 */
import { fromHex, signBytes, toHex, type KeyValueStore, type UserIdentity } from '../identity';
import {
  DEFAULT_FRAGMENT_BYTES,
  DEFAULT_K,
  DEFAULT_M,
  DEFAULT_TTL_MS,
  InlineCoder,
  MailError,
  RsStripeCoder,
  WorkerCoder,
  deleteMessage,
  fetchMessage,
  listMailbox,
  messageHealth,
  overlayIo,
  readReceipts,
  receiptSecret,
  RECEIPT_SECRET_BYTES,
  sendMessage,
  sendReceipt,
  type ErasureCoder,
  type FetchProgress,
  type IsBlocked,
  type Health,
  type MailItem,
  type MailOverlay,
  type MailSettings,
  type MailUser,
  type Recording,
  type ResolveUser,
  type SendProgress,
  type SentMessage,
} from '../mail';
import { RetryLoop, type OverlayNode } from '../overlay';
import { systemClock, type Clock, Snapshots } from '../common';

export interface MailServiceOptions {
  /** The overlay client: this tab's node (OverlayService.node). */
  node: OverlayNode;
  user: UserIdentity;
  /** The name this person claimed. */
  name: string;
  resolve: ResolveUser;
  /** Where the sent list and the played marks live (the profile's IndexedDB store). */
  store: KeyValueStore;
  settings?: Partial<MailSettings>;
  /** @default 15000 */
  pollMs?: number;
  /** What polling and its retries wait on. @default systemClock */
  clock?: Clock;
  /** How mail reaches the overlay. @default overlayIo(node) */
  io?: MailOverlay;
  /** @default a Web Worker when the browser has them */
  coder?: ErasureCoder;
  /**
   * Whether this person blocked a sender (asked with the sender's verified
   * name and user key, after the sealed entry is opened). Mail from a
   * blocked sender is never shown or fetched; it is deleted (its message key
   * is in the entry), so the holders drop its fragments too. @default nobody is blocked
   */
  isBlocked?: IsBlocked;
}

export interface SentView {
  id: string;
  to: string;
  sent: number;
  durationMs: number;
  stored: number;
  fragments: number;
  seenAt: number | null;
}

export interface MailState {
  items: MailItem[];
  problems: string[];
  health: Record<string, Health>;
  unread: number;
  sent: SentView[];
  refreshing: boolean;
  /** Why the last read of the mailbox failed, in words; null when it worked. */
  error: string | null;
  /** When the mailbox is read again after a failure (ms since the epoch); null when it is not failing. */
  retryAt: number | null;
}

const SENT_KEY = 'mail-sent:';
const PLAYED_KEY = 'mail-played:';
/** A read receipt not stored yet: sent again with every read of the mailbox until it is. */
const RECEIPT_DUE_KEY = 'mail-receipt-due:';

/** What a read receipt needs of its message: kept until the receipt is stored or the message has expired. `secret`: hex of its receipt secret. */
type ReceiptDue = { id: string; from: string; expires: number; secret: string };

/** A due receipt kept by an older version has no secret: it cannot be sealed, so it is dropped. */
function isReceiptDue(v: unknown): v is ReceiptDue {
  const r = v as ReceiptDue | null;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.from === 'string' && typeof r.expires === 'number' && typeof r.secret === 'string' && r.secret.length === 2 * RECEIPT_SECRET_BYTES && /^[0-9a-f]+$/.test(r.secret);
}
/** After a failed read: 2 s, doubling to a minute (then every minute), so a failure is tried again soon and a long outage costs little. */
const POLL_BACKOFF = { initialMs: 2000, maxMs: 60_000 };
const HEALTH_EVERY_MS = 60_000;

function words(e: unknown): string {
  return e instanceof MailError ? e.message : e instanceof Error ? e.message : String(e);
}

export class MailService {
  private readonly io: MailOverlay;
  private readonly coder: ErasureCoder;
  private readonly user: MailUser;
  private readonly settings: MailSettings;
  /** Reads the mailbox every pollMs, and sooner, with back-off, after a failure. */
  private readonly poll: RetryLoop;
  /** Whether the sent list and played marks were read from the store (tried again with each poll until they are). */
  private loaded = false;
  private played = new Set<string>();
  /** Messages played whose read receipt is not stored yet, by id. */
  private readonly receiptsDue = new Map<string, ReceiptDue>();
  /** When each message's health was last asked: probing every fragment on every poll would cost a lookup per fragment. */
  private readonly healthAt = new Map<string, number>();
  private sentFull: SentMessage[] = [];
  /** Messages from blocked senders already deleted, by id. */
  private readonly blockedDropped = new Set<string>();
  private readonly snaps = new Snapshots<MailState>({ items: [], problems: [], health: {}, unread: 0, sent: [], refreshing: false, error: null, retryAt: null });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;

  constructor(private readonly o: MailServiceOptions) {
    this.io = o.io ?? overlayIo(o.node);
    this.coder = o.coder ?? (typeof Worker !== 'undefined' ? new WorkerCoder() : new InlineCoder(new RsStripeCoder()));
    this.settings = { k: DEFAULT_K, m: DEFAULT_M, fragmentBytes: DEFAULT_FRAGMENT_BYTES, ttlMs: DEFAULT_TTL_MS, ...o.settings };
    const u = o.user;
    this.user = {
      name: o.name,
      signSpki: u.signingSpki,
      signingPrivateKey: u.signingPrivateKey,
      ecdhSpki: u.ecdhSpki,
      ecdhPrivateKey: u.ecdhPrivateKey,
      signer: { spki: u.signingSpki, sign: (p) => signBytes(u.signingPrivateKey, p) },
    };
    this.poll = new RetryLoop({
      clock: o.clock ?? systemClock,
      everyMs: o.pollMs ?? 15_000,
      backoff: POLL_BACKOFF,
      attempt: () => this.readMailbox(),
      describe: words,
    });
    this.poll.onState((st) => {
      if (st.kind === 'trying') this.set({ refreshing: true, retryAt: null });
      else if (st.kind === 'waiting') this.set({ refreshing: false, error: `The mailbox could not be read: ${st.reason}`, retryAt: st.retryAt });
      else this.set({ refreshing: false, ...(st.kind === 'up' ? { error: null, retryAt: null } : {}) });
    });
  }

  /**
   * Loads the sent list and played marks, reads the mailbox, and polls it
   * every pollMs; a read that fails is tried again by itself (2 s doubling
   * to a minute). Resolves after the first read, whether it worked or not.
   */
  async start(): Promise<void> {
    await this.poll.runNow();
  }

  /** The sent list, played marks and receipts due, from the store; a failure leaves them for the next poll. */
  private async loadStored(): Promise<void> {
    const sent: SentMessage[] = [];
    for (const key of await this.o.store.keys()) {
      const v = await this.o.store.get(key);
      if (key.startsWith(PLAYED_KEY)) this.played.add(key.slice(PLAYED_KEY.length));
      else if (key.startsWith(RECEIPT_DUE_KEY) && isReceiptDue(v)) this.receiptsDue.set(v.id, v);
      else if (key.startsWith(SENT_KEY) && v && typeof v === 'object') sent.push(v as SentMessage);
    }
    // Messages sent while the store could not be read are kept too.
    const ids = new Set(this.sentFull.map((m) => m.id));
    this.sentFull = [...this.sentFull, ...sent.filter((m) => !ids.has(m.id))].sort((a, b) => b.sent - a.sent);
    this.loaded = true;
  }

  private get state(): MailState {
    return this.snaps.value;
  }

  private set(patch: Partial<MailState>): void {
    const items = patch.items ?? this.state.items;
    this.snaps.update({ ...patch, unread: items.filter((i) => !this.played.has(i.id)).length });
  }

  /** Reads the mailbox now ("Check for new messages", "Try again now"); resolves when done, failed or not (the state says which). */
  refresh(): Promise<void> {
    return this.poll.runNow();
  }

  /** One poll: the mailbox, each message's health, receipts due and the receipts for the sent list. Throws when the mailbox cannot be read. */
  private async readMailbox(): Promise<void> {
    if (!this.loaded) {
      try {
        await this.loadStored();
      } catch (e) {
        console.warn('[mail] the sent list could not be read; trying again with the next check', e);
      }
    }
    const listing = await listMailbox(this.io, this.user, this.o.resolve, this.o.isBlocked);
    this.set({ items: listing.items, problems: listing.problems.map((p) => p.message) });
    await this.dropBlocked(listing.blocked);
    await this.sendReceiptsDue();
    const seen = await readReceipts(this.io, this.user.name, this.sentFull).catch(() => new Map<string, number>());
    this.set({ sent: this.sentFull.map((s) => ({ id: s.id, to: s.to, sent: s.sent, durationMs: s.durationMs, stored: s.stored, fragments: s.fragments, seenAt: seen.get(s.id) ?? null })) });
    for (const item of listing.items) {
      if (Date.now() - (this.healthAt.get(item.id) ?? 0) < HEALTH_EVERY_MS) continue;
      this.healthAt.set(item.id, Date.now());
      const h = await messageHealth(this.io, item.manifest).catch(() => null);
      if (h) this.set({ health: { ...this.state.health, [item.id]: h } });
    }
  }

  /** Deletes mail from blocked senders (entry and fragments, by the message key the entry holds); nothing is fetched. A failed delete is tried with the next poll. */
  private async dropBlocked(items: readonly MailItem[]): Promise<void> {
    for (const item of items) {
      if (this.blockedDropped.has(item.id)) continue;
      const done = await deleteMessage(this.io, this.user, item).then(
        () => true,
        () => false,
      );
      if (done) this.blockedDropped.add(item.id);
    }
  }

  /**
   * Stores the read receipts that could not be stored when their message
   * was played. Each stays due until stored or until its message expires: a
   * read that missed the message (a tab cut off reads an empty mailbox) is
   * no proof that it is gone.
   */
  private async sendReceiptsDue(ids: readonly string[] = [...this.receiptsDue.keys()]): Promise<void> {
    for (const id of ids) {
      const due = this.receiptsDue.get(id);
      if (!due) continue;
      const done = due.expires <= this.io.now() || (await sendReceipt(this.io, { ...due, secret: fromHex(due.secret) }).catch(() => false));
      if (!done) continue;
      this.receiptsDue.delete(id);
      await this.o.store.del(RECEIPT_DUE_KEY + id).catch(() => undefined);
    }
  }

  async send(to: string, recording: Recording, onProgress?: (p: SendProgress) => void): Promise<SentMessage> {
    const sent = await sendMessage({ overlay: this.io, coder: this.coder, from: this.user, to, resolve: this.o.resolve, recording, settings: this.settings, ...(onProgress ? { onProgress } : {}) });
    await this.o.store.set(SENT_KEY + sent.id, sent);
    this.sentFull.unshift(sent);
    this.set({ sent: [{ id: sent.id, to: sent.to, sent: sent.sent, durationMs: sent.durationMs, stored: sent.stored, fragments: sent.fragments, seenAt: null }, ...this.state.sent] });
    return sent;
  }

  /** Fetches and opens a message; the first play sends the read receipt. */
  async play(id: string, onProgress?: (p: FetchProgress) => void): Promise<{ video: Uint8Array; type: string }> {
    const item = this.state.items.find((i) => i.id === id);
    if (!item) throw new MailError('deleted', 'This message is no longer in your mailbox.');
    const { video, meta } = await fetchMessage({ overlay: this.io, coder: this.coder, manifest: item.manifest, keys: this.user, ...(onProgress ? { onProgress } : {}) });
    if (!this.played.has(id)) {
      this.played.add(id);
      await this.o.store.set(PLAYED_KEY + id, Date.now());
      // Due until stored: a receipt the network did not take goes again with the next polls (and after a reload).
      const due: ReceiptDue = { id, from: item.manifest.from, expires: item.manifest.expires, secret: toHex(await receiptSecret(item.secrets.contentKey, id)) };
      this.receiptsDue.set(id, due);
      await this.o.store.set(RECEIPT_DUE_KEY + id, due).catch(() => undefined);
      this.set({});
      void this.sendReceiptsDue([id]);
    }
    return { video, type: meta.type };
  }

  async remove(id: string): Promise<void> {
    const item = this.state.items.find((i) => i.id === id);
    if (!item) return;
    await deleteMessage(this.io, this.user, item);
    await this.o.store.del(PLAYED_KEY + id);
    this.played.delete(id);
    this.receiptsDue.delete(id);
    await this.o.store.del(RECEIPT_DUE_KEY + id).catch(() => undefined);
    this.set({ items: this.state.items.filter((i) => i.id !== id) });
  }

  close(): void {
    this.poll.stop();
    this.coder.close();
  }
}
