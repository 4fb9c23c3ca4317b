/**
 * The video mail of a peer that takes calls: one MailService for the name
 * the phone holds, opened when the phone is ready with a name and closed
 * when the name goes (another claim, forgotten, refused later) or the peer
 * leaves. Mail is the peer's, not the phone's; it only follows the name.
 */
import type { KeyValueStore, UserIdentity } from '../identity';
import type { IsBlocked } from '../mail';
import type { OverlayNode } from '../overlay';
import { MailService, type MailServiceOptions } from './mail-service';
import type { CallService } from './call-service';
import { Snapshots } from '../common';

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
}

export class PeerMail {
  private readonly snaps = new Snapshots<{ mail: MailService | null }>({ mail: null });
  private readonly off: () => void;
  private closed = false;
  /** The name the open MailService is for. */
  private name: string | null = null;

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
    if (name === this.name) return;
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
    this.name = name;
    this.snaps.update({ mail });
    void mail.start().catch((e: unknown) => console.warn('[mail] could not start', e));
  }

  private drop(): void {
    this.snaps.value.mail?.close();
    this.name = null;
    if (this.snaps.value.mail) this.snaps.update({ mail: null });
  }
}
