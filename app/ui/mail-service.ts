/**
 * Video mail for the app: one object that the mail components share. It
 * polls the user's mailbox (and on start), keeps health per message, plays
 * (fetch + rebuild + decrypt) with progress, deletes, sends with progress and
 * keeps the sent list (in the profile's key-value store) with "seen" from
 * read receipts. Names are resolved by an injected resolver.
 */
import { signBytes, type KeyValueStore, type UserIdentity } from '../identity';
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
  sendMessage,
  sendReceipt,
  type ErasureCoder,
  type FetchProgress,
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
import type { OverlayNode } from '../overlay';
import { Snapshots } from './data/snapshots';

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
  /** @default a Web Worker when the browser has them */
  coder?: ErasureCoder;
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
  error: string | null;
}

const SENT_KEY = 'mail-sent:';
const PLAYED_KEY = 'mail-played:';
const HEALTH_EVERY_MS = 60_000;

function words(e: unknown): string {
  return e instanceof MailError ? e.message : e instanceof Error ? e.message : String(e);
}

export class MailService {
  private readonly io: MailOverlay;
  private readonly coder: ErasureCoder;
  private readonly user: MailUser;
  private readonly settings: MailSettings;
  private timer: ReturnType<typeof setInterval> | null = null;
  private played = new Set<string>();
  /** When each message's health was last asked: probing every fragment on every poll would cost a lookup per fragment. */
  private readonly healthAt = new Map<string, number>();
  private sentFull: SentMessage[] = [];
  private readonly snaps = new Snapshots<MailState>({ items: [], problems: [], health: {}, unread: 0, sent: [], refreshing: false, error: null });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;

  constructor(private readonly o: MailServiceOptions) {
    this.io = overlayIo(o.node);
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
  }

  /** Loads the sent list and played marks, reads the mailbox, and polls it. */
  async start(): Promise<void> {
    for (const key of await this.o.store.keys()) {
      const v = await this.o.store.get(key);
      if (key.startsWith(PLAYED_KEY)) this.played.add(key.slice(PLAYED_KEY.length));
      else if (key.startsWith(SENT_KEY) && v && typeof v === 'object') this.sentFull.push(v as SentMessage);
    }
    this.sentFull.sort((a, b) => b.sent - a.sent);
    this.timer = setInterval(() => void this.refresh(), this.o.pollMs ?? 15_000);
    await this.refresh();
  }

  private get state(): MailState {
    return this.snaps.value;
  }

  private set(patch: Partial<MailState>): void {
    const items = patch.items ?? this.state.items;
    this.snaps.update({ ...patch, unread: items.filter((i) => !this.played.has(i.id)).length });
  }

  /** Reads the mailbox, each message's health and the receipts for the sent list. */
  async refresh(): Promise<void> {
    if (this.state.refreshing) return;
    this.set({ refreshing: true });
    try {
      const listing = await listMailbox(this.io, this.user, this.o.resolve);
      this.set({ items: listing.items, problems: listing.problems.map((p) => p.message), error: null });
      const seen = await readReceipts(this.io, this.user.name, this.sentFull).catch(() => new Map<string, number>());
      this.set({ sent: this.sentFull.map((s) => ({ id: s.id, to: s.to, sent: s.sent, durationMs: s.durationMs, stored: s.stored, fragments: s.fragments, seenAt: seen.get(s.id) ?? null })) });
      for (const item of listing.items) {
        if (Date.now() - (this.healthAt.get(item.id) ?? 0) < HEALTH_EVERY_MS) continue;
        this.healthAt.set(item.id, Date.now());
        const h = await messageHealth(this.io, item.manifest).catch(() => null);
        if (h) this.set({ health: { ...this.state.health, [item.id]: h } });
      }
    } catch (e) {
      this.set({ error: `The mailbox could not be read: ${words(e)}` });
    } finally {
      this.set({ refreshing: false });
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
      void sendReceipt(this.io, this.user, item.manifest).catch(() => false);
      this.set({});
    }
    return { video, type: meta.type };
  }

  async remove(id: string): Promise<void> {
    const item = this.state.items.find((i) => i.id === id);
    if (!item) return;
    await deleteMessage(this.io, this.user, item);
    await this.o.store.del(PLAYED_KEY + id);
    this.played.delete(id);
    this.set({ items: this.state.items.filter((i) => i.id !== id) });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.coder.close();
  }
}
