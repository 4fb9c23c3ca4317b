/**
 * One running peer, assembled from its parts: its links (transport, decided
 * by the permission gate), its ring membership and overlay node, and, for a
 * peer that takes calls, the phone, who may call it, and its video mail.
 * A browser tab (app-services.ts) and the service peer (app/service-peer) are thin
 * entries over it: they bring the identity, the stores, the signaling client
 * and the gate, which differ (IndexedDB and Web Locks; a key file and
 * LevelDB), and the Peer wires the rest the same way for both.
 */
import type { IdPuzzleDifficulty, KeyValueStore, UserIdentity } from '../identity';
import type { RecordSigner } from '../overlay';
import type { PermissionGate, PermissionSync } from '../permissions';
import type { LocalEndpoint, SignalingClient } from '../transport';
import { callPolicy, mailBlockedBy } from './call-policy';
import { LinkService } from './link-service';
import type { PeerRole } from './link-policy';
import { OverlayService } from './overlay-service';
import { PeerMail } from './peer-mail';
import { CallService } from './call-service';
import { ContactBook } from './contact-book';
import { ContactsService } from './contacts-service';
import { ReadMarks } from './read-marks';
import { liveRingComponents } from './ring-links';
import { routedAttachPath } from './overlay-signaling';

/** What a peer that takes calls and mail needs besides the rest (a tab: the person's identity and stores). */
export interface PeerContactOptions {
  /** The person's identity: signs the name claim, registrations and mail. */
  user: UserIdentity;
  /** Where the chosen name is remembered (shared by the profile's tabs). */
  settings: KeyValueStore;
  /** Recent calls and chat history. */
  history: KeyValueStore;
  /** The sent list and played marks of video mail. */
  mailStore: KeyValueStore;
  /** Tells the profile's other tabs that the contacts or "who can reach me" changed (broadcastPermissionSync on its own channel). @default this tab only */
  contactsSync?: PermissionSync | undefined;
}

export interface PeerOptions {
  /** A person's tab, or an always-on service peer. */
  role: PeerRole;
  /** What this peer presents on its links: overlay name, node identity and, for a tab, the person's binding. */
  local: LocalEndpoint;
  /** The signaling connection, not started yet: start() starts it. */
  signaling: SignalingClient;
  /** Decides every link (overlay scope) and every call (contact scope). */
  gate: PermissionGate;
  /** Where the overlay node keeps its records. */
  records: KeyValueStore;
  /** Where the ring member remembers peers from earlier visits. */
  ringSettings: KeyValueStore;
  /** Signs routed messages as this node (SIP rides on them); without it the node only relays. */
  nodeSigner?: RecordSigner;
  /** This node's ECDH agreement key pair, kept with its node key; none: one is made for each run. */
  agreementKey?: CryptoKeyPair;
  /** Why this peer's own permission answers keep it out of the ring, in words (RingSnapshot.refusal). @default never */
  ringRefusal?: () => string | null;
  /** Most links at once. @default the LinkManager's */
  maxLinks?: number;
  /** The overlay's node ID puzzle, which every far side must have solved (identity/id-puzzle.ts). @default none */
  idPuzzle?: IdPuzzleDifficulty;
  /** The phone, call policy and mail; absent for a peer that takes no calls (the service peer). */
  contact?: PeerContactOptions;
  /** Where link refusals are written (the service peer's log). */
  log?: (line: string) => void;
  /** A service peer's connection to its own bootstrap endpoint, not started yet: start() starts it. @default none */
  bootstrapEndpoint?: SignalingClient;
}

export interface PeerStartOptions {
  /** How long to wait for the signaling server before joining through remembered peers alone, in ms. */
  onlineWithinMs: number;
  /** The caller checked every stored record's signature already (the service peer's damage scan). */
  storedChecked?: boolean;
}

export class Peer {
  readonly role: PeerRole;
  readonly signaling: SignalingClient;
  /** The service peer's connection to its own bootstrap endpoint; null for a tab. */
  readonly bootstrapEndpoint: SignalingClient | null;
  readonly gate: PermissionGate;
  readonly links: LinkService;
  /** The ring membership and overlay node. */
  readonly overlay: OverlayService;
  /** The phone; null for a peer that takes no calls. */
  readonly calls: CallService | null;
  /** The video mail that follows the phone's name; null for a peer that takes no calls. */
  readonly mail: PeerMail | null;
  /** The person's contacts, their presence and blocks; absent for the service peer. */
  readonly contacts: ContactsService | null;

  constructor(o: PeerOptions) {
    this.role = o.role;
    this.signaling = o.signaling;
    this.gate = o.gate;
    const links = new LinkService({
      signaling: o.signaling,
      gate: o.gate,
      local: o.local,
      role: o.role,
      ...(o.maxLinks !== undefined ? { maxLinks: o.maxLinks } : {}),
      ...(o.idPuzzle ? { idPuzzle: o.idPuzzle } : {}),
      ...(o.log ? { log: o.log } : {}),
      ...(o.bootstrapEndpoint ? { bootstrapEndpoint: o.bootstrapEndpoint } : {}),
    });
    this.bootstrapEndpoint = o.bootstrapEndpoint ?? null;
    this.links = links;
    this.overlay = new OverlayService({
      ...liveRingComponents(links.manager),
      records: o.records,
      settings: o.ringSettings,
      onlinePeers: () => links.onlineIds(),
      ...(o.ringRefusal ? { whyNot: o.ringRefusal } : {}),
      ...(o.nodeSigner ? { nodeSigner: o.nodeSigner } : {}),
      ...(o.agreementKey ? { agreementKey: o.agreementKey } : {}),
    });
    // New links are signaled through the ring once this node is in one (RELOAD AppAttach).
    links.attach.use(routedAttachPath(this.overlay.node, links.manager));
    if (o.contact) {
      const node = this.overlay.node;
      // The phone resolves names (and remembers their fingerprints); the call policy asks it.
      let phone: CallService | null = null;
      // The contacts and "who can reach me" live with the name, in the profile's settings.
      const book = new ContactBook({ store: o.contact.settings, sync: o.contact.contactsSync });
      const reach = () => book.getSnapshot().reach;
      const policy = callPolicy({
        gate: o.gate,
        domain: o.local.overlay,
        spkiOf: (nodeId) => node.routed.spkiOf(nodeId),
        resolve: (name) => (phone ? phone.resolve(name) : Promise.resolve(null)),
        reach: { reach, isContact: (name, spki) => book.isContact(name, spki) },
      });
      phone = new CallService({
        overlay: this.overlay,
        user: o.contact.user,
        policy,
        settings: o.contact.settings,
        history: o.contact.history,
        domain: o.local.overlay,
        conversations: o.gate.conversations,
      });
      this.calls = phone;
      this.contacts = new ContactsService({ book, reads: new ReadMarks(o.contact.settings), calls: phone, gate: o.gate });
      const isBlocked = mailBlockedBy(o.gate, { reach, isContactKey: (userId) => book.isContactKey(userId) });
      this.mail = new PeerMail({ node, user: o.contact.user, phone, store: o.contact.mailStore, isBlocked });
    } else {
      this.calls = null;
      this.contacts = null;
      this.mail = null;
    }
  }

  /**
   * Connects to the signaling server, lists who is online (waiting at most
   * `onlineWithinMs` for the server), then joins the ring and starts the
   * phone with the name chosen before. Resolves when the overlay has loaded
   * its records and made its first join attempt.
   */
  async start(opts: PeerStartOptions): Promise<void> {
    void this.contacts?.start();
    this.signaling.start();
    this.bootstrapEndpoint?.start();
    this.links.startDiscovery();
    await this.whenOnline(opts.onlineWithinMs);
    await this.links.discover();
    const joined = this.overlay.start(opts.storedChecked ? { storedChecked: true } : {});
    void this.calls?.start();
    await joined;
  }

  /** Unregisters, closes the mail, hands records over and says goodbye; the links stay open for the goodbyes to leave. */
  leave(): void {
    this.calls?.stop();
    this.contacts?.stop();
    this.mail?.close();
    this.overlay.leave();
  }

  /** Closes every link, saying `reason`, and stops discovery (after leave()). */
  close(reason: string): void {
    this.links.stop(reason);
  }

  /** Resolves when the signaling client is online, or after `ms` (remembered peers may still answer). */
  private whenOnline(ms: number): Promise<void> {
    const client = this.signaling;
    return new Promise((resolve) => {
      if (client.state.kind === 'online') return resolve();
      const timer = setTimeout(done, ms);
      const off = client.onState((s) => {
        if (s.kind === 'online') done();
      });
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
}
