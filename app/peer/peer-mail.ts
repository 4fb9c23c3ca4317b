/**
 * The video mail of a peer that takes calls: one MailService for the name
 * the phone holds, opened when the phone is ready with a name and closed
 * when the name goes (another claim, forgotten, refused later) or the peer
 * leaves. Mail is the peer's, not the phone's; it only follows the name.
 * So do the texts kept for people who are offline (offline-texts.ts), which
 * also hook into the phone's chat.
 */
import { signBytes, type KeyValueStore, type UserIdentity } from '../identity';
import { overlayIo, type IsBlocked } from '../mail';
import type { OverlayNode } from '../overlay';
import { MailService, type MailServiceOptions } from './mail-service';
import type { CallService } from './call-service';
import { Snapshots } from '../common';
import { OfflineTexts } from './offline-texts';

export interface PeerMailOptions {
  /** The overlay client mail reads and writes through. */
  node: OverlayNode;
  user: UserIdentity;
  /** The phone whose name the mailbox follows; names are resolved through it. */
  phone: CallService;
  /** Where the sent list and the played marks live. */
  store: KeyValueStore;
  /** Whose mail is refused (MailServiceOptions.isBlocked). @default nobody's */
  isBlocked?: IsBlocked;
  /** Opens a MailService. @default new MailService(options) */
  open?: (options: MailServiceOptions) => MailService;
  /** How often stored texts and their marks are read, ms. @default OfflineTexts' (15 s) */
  textPollMs?: number;
}

export class PeerMail {
  private readonly snaps = new Snapshots<{ mail: MailService | null; texts: OfflineTexts | null }>({ mail: null, texts: null });
  private readonly off: () => void;
  private closed = false;
  /** The name the open MailService is for. */
  private name: string | null = null;
  /** Whether the phone was in the ring at the last look: joining it reads the stored texts at once. */
  private inRing = false;

  constructor(private readonly o: PeerMailOptions) {
    this.off = o.phone.subscribe(() => this.follow());
    this.follow();
  }

  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;

  /** The open mail, or null while the phone has no name. */
  get current(): MailService | null {
    return this.snaps.value.mail;
  }

  /** The texts kept for people offline, or null while the phone has no name. */
  get texts(): OfflineTexts | null {
    return this.snaps.value.texts;
  }

  /** Closes the mail and stops following the phone. */
  close(): void {
    this.closed = true;
    this.off();
    this.drop();
  }

  private follow(): void {
    if (this.closed) return;
    const s = this.o.phone.getSnapshot();
    const name = s.status === 'ready' ? s.name : null;
    const joined = s.inRing && !this.inRing;
    this.inRing = s.inRing;
    if (name === this.name) {
      if (joined) void this.texts?.refresh();
      return;
    }
    this.drop();
    if (name === null) return;
    const phone = this.o.phone;
    const options: MailServiceOptions = {
      node: this.o.node,
      user: this.o.user,
      name,
      store: this.o.store,
      ...(this.o.isBlocked ? { isBlocked: this.o.isBlocked } : {}),
      resolve: async (who) => {
        const c = await phone.resolve(who);
        return c && { name: who, signSpki: c.signingSpki, ecdhPublicKey: c.ecdhSpki };
      },
    };
    const mail = this.o.open ? this.o.open(options) : new MailService(options);
    const ua = phone.ua;
    const u = this.o.user;
    const texts = ua
      ? new OfflineTexts({
          io: overlayIo(this.o.node),
          user: { name, signSpki: u.signingSpki, signingPrivateKey: u.signingPrivateKey, ecdhSpki: u.ecdhSpki, ecdhPrivateKey: u.ecdhPrivateKey, signer: { spki: u.signingSpki, sign: (p) => signBytes(u.signingPrivateKey, p) } },
          resolve: options.resolve,
          phone: ua,
          store: this.o.store,
          ...(this.o.isBlocked ? { isBlocked: this.o.isBlocked } : {}),
          ...(this.o.textPollMs !== undefined ? { pollMs: this.o.textPollMs } : {}),
        })
      : null;
    this.name = name;
    this.snaps.update({ mail, texts });
    void mail.start().catch((e: unknown) => console.warn('[mail] could not start', e));
    void texts?.start().catch((e: unknown) => console.warn('[texts] could not start', e));
  }

  private drop(): void {
    this.snaps.value.mail?.close();
    this.snaps.value.texts?.close();
    this.name = null;
    if (this.snaps.value.mail || this.snaps.value.texts) this.snaps.update({ mail: null, texts: null });
  }
}
