/**
 * The one typed handle through which end-to-end tests, benchmarks and people
 * debugging from the console read a running tab's state and act on it.
 *
 * Why: tests that reach into an untyped object graph break at run time when a
 * private field is renamed. Everything they need is named here instead, typed
 * against the app's own classes, so such a rename fails `tsc` in this file and
 * nowhere else. The handle exists only in development and test builds
 * (app/main.tsx installs it when `import.meta.env.DEV`), the way Excalidraw
 * exposes `window.h`.
 *
 * Where a test must reach a private member (the mail store's seams, the
 * phone's location service), this file uses TypeScript's element access
 * (`obj['field']`), which is type-checked, rather than an untyped cast.
 */
import type { DataConnection, Peer } from 'peerjs';
import type { AppSnapshot, AppServices, ContactsService, DeviceChoice, MailService, OfflineTexts, CallServiceSnapshot, NodeIceSnapshot, RingSnapshot, TabAlertsProbe } from '../peer';
import type { LinkEndCode } from '../transport';
// A type-only import: the node behind the narrow OverlayNode API, for the one test that writes into a replica store.
import type { ChordNode } from '../overlay/sim';
import type { AuditEntry } from '../permissions';
import { toHex } from '../identity';
import type { ErasureCoder, MailItem, MailUser, ResolveUser } from '../mail';
import type { NameDirectory, UserAgent, SipLocation } from '../sip';
import type {
  RouteResult,
  LookupMode,
  LookupOptions,
  LookupResult,
  OverlayCounters,
  PutResult,
  RecordSigner,
  WireRecord,
} from '../overlay';

/** What a tab counts of its overlay traffic (messages and bytes sent, by message type; relays; answers passed back). */
export type OverlayCounterReading = Pick<OverlayCounters, 'sent' | 'sentBytes' | 'relayed' | 'answersPassedBack' | 'tunneled' | 'tunneledIn' | 'storageToUnlinked' | 'routingToUnlinked' | 'lookupFailures'>;

/** How video mail finds a recipient's keys and who it sends as; bent by tests that forge mail. */
export interface MailSenderSeams {
  resolve: ResolveUser;
  user: MailUser;
}

/** Enough of a mailbox entry to play it: its id, the name it claims to be from and its manifest (app/mail's MailItem). */
export type MailListItem = Pick<MailItem, 'id' | 'from' | 'manifest'> & Partial<MailItem>;

/**
 * Readings and actions on one running tab, for tests and benchmarks. Readers
 * return null while the part they read has not started (no identity yet, no
 * overlay before the first signaling connection, no phone before a name is
 * claimed); actions throw `Error('… not running yet')` then.
 */
export interface SoftphoneTestHandle {
  // --- the app shell -------------------------------------------------------
  /** The app's snapshot: phase, node (ID, fingerprint, identity slot), user, signaling state, warnings. */
  app(): AppSnapshot;
  /** This tab's node ID (40 lowercase hex digits), or null before the node identity is loaded. */
  nodeId(): string | null;
  /** The signer of records owned by this tab's person (user key, and certificate when there is one). */
  recordSigner(): Promise<RecordSigner>;

  // --- signaling and links --------------------------------------------------
  /** The PeerJS peer of the current signaling connection, or null when there is none. */
  signalingPeer(): Peer | null;
  /** Offers every incoming PeerJS data connection to `fn` first; `fn` returns true to take it. Returns an unsubscribe. */
  onSignalingConnection(fn: (conn: DataConnection) => boolean): () => void;
  /** The node IDs this tab has live (handshaken) links with. */
  linkedIds(): string[];
  /** Links refused or closed for cause, counted by reason category (e.g. "not allowed"). */
  refusals(): Record<string, number>;
  /** Each live link's peer and how it was made: `server`, `overlay` (signaled as routed messages) or `bootstrap`. */
  linkVias(): { nodeId: string; via: 'server' | 'overlay' | 'bootstrap' }[];
  /** Links that came up since the start: opened by this tab, by how each was signaled, and opened by others. */
  linksOpened(): { server: number; overlay: number; bootstrap: number; inbound: number };
  /** Reads the DHT's bootstrap directory now; resolves whether it named any endpoint (AppSnapshot.bootstraps lists what the tab remembers). */
  readBootstraps(): Promise<boolean>;
  /** Overlay link signaling's counters: offers sent and taken, channels opened, refusals (`attach-replayed`, ...), and server fallbacks. */
  attachCounters(): Record<string, number>;
  /**
   * Which path this tab's next dials try first: `server` (PeerJS, the overlay
   * only when the server cannot be reached; the default) or `overlay` (AppAttach,
   * the server as the fallback). For timing each path on the same tabs.
   */
  dialFirstVia(path: 'overlay' | 'server'): void;
  /** Opens (or reuses) an overlay link to `nodeId`; rejects with the dial's failure. */
  connectLink(nodeId: string): Promise<void>;
  /** Closes the link to `nodeId` for the reason `code` (e.g. 'closed-by-you'), telling the far side the code and `words`. */
  disconnectLink(nodeId: string, code: LinkEndCode, words?: string): void;

  // --- ICE servers (STUN/TURN) --------------------------------------------------
  /**
   * The node's ICE servers as last fetched from `/ice-servers` (with their
   * TURN credentials), when they expire (`expiresAt`, epoch ms), how many
   * answers arrived (a refresh adds one), the problem and relay-check words,
   * and the merged lists new overlay links (`forLinks`) and new calls
   * (`forCalls`, [] before a name is claimed) use.
   */
  iceServers(): NodeIceSnapshot & { forLinks: RTCIceServer[]; forCalls: RTCIceServer[] };
  /** Fetches the node's list now instead of waiting for the refresh timer. */
  refreshIceServers(): Promise<void>;

  // --- permissions ----------------------------------------------------------
  /** The audit log, oldest first (shared by the person's tabs). */
  auditLog(): readonly AuditEntry[];
  /** The id this tab writes into its own audit entries (`AuditEntry.tab`). */
  auditTab(): string;
  /** Remembers "always allow" for overlay links of the overlay `name` (as the Permissions page does). */
  allowOverlay(name: string): Promise<void>;

  // --- the ring and the overlay node ---------------------------------------
  /** The ring membership's snapshot (self, predecessor, successors, fingers, records, joined, status), or null before the overlay starts. */
  ring(): RingSnapshot | null;
  /** Ring-unification probes sent and those that changed a successor (Chord ring merging). */
  unificationStats(): { probes: number; merges: number };
  /** The overlay node's traffic counters (live maps: read them inside the page). */
  overlayCounters(): OverlayCounterReading;
  /** One overlay RPC ping to `nodeId`; resolves true when it answered within `timeoutMs`. */
  ping(nodeId: string, timeoutMs: number): Promise<boolean>;
  /** A lookup of `key` (hex) on the overlay node itself, with per-hop progress events. */
  lookup(key: string, opts: LookupOptions): Promise<LookupResult>;
  /** A lookup the way the Network page's console does it (through the ring membership). */
  consoleLookup(key: string, mode: LookupMode): Promise<LookupResult>;
  /** Stores a short text note under `key` (hex), signed by this person; resolves with the replicas that took it and those that refused. */
  putNote(key: string, text: string): Promise<PutResult>;
  /** Reads the note under `key` (hex) from the ring, or null when there is none. */
  getNote(key: string): Promise<string | null>;
  /** Whether this tab itself holds a copy of the record under `key` (hex). */
  holds(key: string): boolean;
  /** This tab's own copy of the record under `key` (hex) and dictionary sub-key `sub` ('' for single values and blobs). */
  heldRecord(key: string, sub?: string): WireRecord | undefined;
  /** Every record this tab's own replica store holds under `key` (hex), all dictionary sub-keys: what a replica holder sees. */
  heldRecords(key: string): WireRecord[];
  /** Writes `record` into this tab's own replica store as if a peer had sent it (checks and merge rules apply); returns the store's verdict. */
  storeHeldRecord(record: WireRecord): string;
  /**
   * On (the default), storage and routing messages to a node this tab has no
   * link to cross the ring as routed messages (overlay/rpc/tunnel.ts); off, each
   * opens a link to that node first, as before issue 16. For benchmarks that
   * compare the two.
   */
  storageOverLinks(on: boolean): void;
  /** Sends a routed application message of type `type` to node `to` (e.g. raw SIP as 'sip'). */
  sendRouted(to: string, type: string, body: Uint8Array): Promise<RouteResult>;
  /** Listens to routed application messages of type `type`; returns an unsubscribe. */
  onRouted(type: string, fn: (from: string, body: Uint8Array) => void): () => void;
  /**
   * Starts keeping a copy of every overlay message this tab receives from a
   * link, as the bytes arrived (before any check): what a relay sees of the
   * messages it forwards, and everything else. `takeReceived` hands them over.
   */
  recordReceived(): void;
  /** The copies kept since `recordReceived` (hex, oldest first), and stops keeping them. */
  takeReceived(): string[];

  // --- names, calls and chat -------------------------------------------------
  /** The phone service's snapshot (claimed name, registration status, ring state), or null before it starts. */
  phoneStatus(): CallServiceSnapshot | null;
  /**
   * The alerts (issue 18): whether the ring tone plays, its AudioContext's
   * state and the RMS level its graph produces now (AnalyserNode), who is
   * calling, how many missed calls and messages are unseen, and the
   * notification permission; null before the phone service exists.
   */
  alerts(): TabAlertsProbe | null;
  /** Claims `name` for this person and registers it; resolves with null, or the words of the failure. */
  claimName(name: string): Promise<string | null>;
  /** The SIP phone (calls, chat, the PeerConnection of each call), or null before a name is claimed. */
  phone(): UserAgent | null;
  /** The person's camera, microphone and speaker choice (issue 19), or null before the app started. */
  devices(): DeviceChoice | null;
  /** The name directory the phone resolves names through (H("user:" + name) records). */
  nameDirectory(): NameDirectory | null;
  /** The SIP location service the phone looks registrations up with (H("sip:" + aor) dictionaries). */
  sipLocation(): SipLocation | null;
  /** The person's contacts, their presence and blocks (issue 18), or null before the peer starts. */
  contacts(): ContactsService | null;

  /** The texts kept for people offline (issue 18: refresh, problems), or null before a name is claimed. */
  texts(): OfflineTexts | null;

  // --- video mail -------------------------------------------------------------
  /** The mail service (list, send, play, refresh), or null before a name is claimed. */
  mail(): MailService | null;
  /** The erasure coder video mail codes stripes with. */
  mailCoder(): ErasureCoder;
  /** Reads the newest records under `key` from the overlay, as mail does (every replica asked). */
  mailRead(key: Uint8Array): Promise<WireRecord[]>;
  /** Puts `item` into this tab's mail list as if it had been filed in its mailbox; returns a function that restores the list. */
  fileInMailList(item: MailListItem): () => void;
  /**
   * Bends how mail sends, to forge what a bad peer would: `bend` gets the
   * mail service's recipient lookup (`resolve`) and sender (`user`) and returns
   * replacements for either. Returns a function that restores both.
   */
  bendMailSender(bend: (was: MailSenderSeams) => Partial<MailSenderSeams>): () => void;
}

declare global {
  interface Window {
    /** Present only in development and test builds; see app/dev/test-handle.ts. */
    softphoneTest?: SoftphoneTestHandle;
  }
}

function need<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`${what} is not running yet`);
  return value;
}

/** Builds the handle over a running tab's services. Each call reads the services afresh, so the handle can be made before they start. */
export function createTestHandle(s: AppServices): SoftphoneTestHandle {
  const node = () => need(s.overlay, 'the overlay').node;
  const links = () => need(s.links, 'the link service').manager;
  const gate = () => need(s.gate, 'the permission gate');
  const phoneService = () => need(s.calls, 'the phone service');
  const mail = () => need(s.mail?.current, 'video mail');
  let received: { copies: Uint8Array[]; stop: () => void } | null = null;
  return {
    app: () => s.getSnapshot(),
    nodeId: () => s.nodeIdentity?.nodeId ?? null,
    recordSigner: () => s.recordSigner(),

    signalingPeer: () => s.signaling?.peer ?? null,
    onSignalingConnection: (fn) => need(s.signaling, 'signaling').onConnection(fn),
    linkedIds: () => s.links?.manager.links().map((l) => l.nodeId) ?? [],
    refusals: () => Object.fromEntries(s.links?.manager.refusals ?? []),
    linkVias: () => s.links?.manager.links().map((l) => ({ nodeId: l.nodeId, via: l.via })) ?? [],
    linksOpened: () => ({ ...(s.links?.manager.opened ?? { server: 0, overlay: 0, bootstrap: 0, inbound: 0 }) }),
    readBootstraps: () => need(s.bootstraps, 'the bootstrap list').readNow(),
    attachCounters: () => ({ ...Object.fromEntries(s.links?.attach.counters ?? []), fallbacks: s.links?.dialer.fallbacks ?? 0 }),
    dialFirstVia: (path) => {
      need(s.links, 'the link service').dialer.prefer = path;
    },
    connectLink: (nodeId) => links().connect(nodeId),
    disconnectLink: (nodeId, code, words) => links().disconnect(nodeId, code, words),

    iceServers: () => ({
      ...s.getSnapshot().ice,
      forLinks: [...(s.signaling?.iceServerList ?? [])],
      forCalls: [...(s.calls?.ua?.['o'].iceServers ?? [])],
    }),
    refreshIceServers: () => need(s.iceConfig, 'the ICE configuration').refresh(),

    auditLog: () => gate().audit.getSnapshot(),
    auditTab: () => gate().audit.tab,
    allowOverlay: async (name) => {
      await gate().policy.setOverlay(name, 'allow', true);
    },

    ring: () => s.overlay?.getSnapshot() ?? null,
    unificationStats: () => ({ ...need(s.overlay, 'the overlay').unifier.stats }),
    overlayCounters: () => node().counters,
    ping: (nodeId, timeoutMs) => node().ping(nodeId, timeoutMs),
    lookup: (key, opts) => node().lookup(key, opts),
    consoleLookup: (key, mode) => need(s.overlay, 'the overlay').lookup(key, mode),
    putNote: async (key, text) => need(s.overlay, 'the overlay').putNote(key, text, await s.recordSigner()),
    getNote: (key) => need(s.overlay, 'the overlay').getNote(key),
    holds: (key) => s.overlay?.holds(key) ?? false,
    heldRecord: (key, sub = '') => node().localRecord(key, sub),
    heldRecords: (key) => node().localRecords().filter((r) => Array.from(r.k, (b) => b.toString(16).padStart(2, '0')).join('') === key),
    storeHeldRecord: (record) => {
      // No upper layer may write a replica store directly; a test that plants a damaged fragment must, through the node class.
      const n = node() as ChordNode;
      return n.replication.store.apply(record, n.clock.now());
    },
    storageOverLinks: (on) => {
      // The switch sits on the node class's RPC layer, below the narrow OverlayNode API.
      (node() as ChordNode).rpc.tunnelling = on;
    },
    sendRouted: (to, type, body) => node().routed.send(to, type, body),
    onRouted: (type, fn) => node().routed.on(type, fn),
    recordReceived: () => {
      const n = node() as ChordNode;
      if (received) return;
      const original = n.receive;
      const copies: Uint8Array[] = [];
      n.receive = (from, bytes) => {
        copies.push(bytes.slice());
        original.call(n, from, bytes);
      };
      received = {
        copies,
        stop: () => {
          n.receive = original;
        },
      };
    },
    takeReceived: () => {
      const r = received;
      received = null;
      r?.stop();
      return (r?.copies ?? []).map(toHex);
    },

    phoneStatus: () => s.calls?.getSnapshot() ?? null,
    alerts: () => s.alerts?.probe() ?? null,
    claimName: (name) => phoneService().claim(name),
    contacts: () => s.peer?.contacts ?? null,
    phone: () => s.calls?.ua ?? null,
    devices: () => s.devices,
    nameDirectory: () => s.calls?.directory ?? null,
    sipLocation: () => s.calls?.ua?.['o'].location ?? null,

    texts: () => s.mail?.texts ?? null,
    mail: () => s.mail?.current ?? null,
    mailCoder: () => mail()['coder'],
    mailRead: (key) => mail()['io'].get(key),
    fileInMailList: (item) => {
      const snaps = mail()['snaps'];
      const before = snaps.value.items;
      // Playing reads only the id and the manifest; the rest of a listed item is for the list's display.
      snaps.update({ items: [...before, item as MailItem] });
      return () => snaps.update({ items: before });
    },
    bendMailSender: (bend) => {
      const m = mail();
      // The two seams are readonly in MailService; a test of forged mail needs them bent for one send.
      // Read through element access so a rename fails typecheck here; written through a writable view.
      const was: MailSenderSeams = { resolve: m['o'].resolve, user: m['user'] };
      const seams = m as unknown as { user: MailUser; o: { resolve: ResolveUser } };
      const { resolve, user } = bend(was);
      if (resolve) seams.o.resolve = resolve;
      if (user) seams.user = user;
      return () => {
        seams.o.resolve = was.resolve;
        seams.user = was.user;
      };
    },
  };
}
