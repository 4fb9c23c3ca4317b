/**
 * A browser tab's entry into the peer layer, and the one module that owns
 * app state (STYLE.md, practice 9): it brings what is a tab's own (the
 * identities in IndexedDB held with Web Locks, the permission gate shared
 * across tabs, the signaling servers from the page's location and settings,
 * the person's certificate), hands them to one Peer (peer.ts) that
 * assembles the rest, and publishes an immutable snapshot that components
 * read through a hook.
 */
import {
  IdentityUnavailableError,
  MemoryKeyValueStore,
  MemoryLockManager,
  acquireNodeIdentity,
  DEFAULT_ID_PUZZLE,
  fingerprint,
  loadUserIdentity,
  equalBytes,
  parseCertificate,
  serializeCertificate,
  toBase64Url,
  verifyCertificate,
  signBytes,
  type KeyValueStore,
  type LockManagerLike,
  type NodeIdentity,
  type UserIdentity,
} from '../identity';
import type { RecordSigner } from '../overlay';
import { PermissionGate } from '../permissions';
import { whyNotInRing } from './ring-refusal';
import {
  SignalingClient,
  parseServerList,
  userBindingPayload,
  type LocalEndpoint,
  sameOriginServer,
  type SignalingServerConfig,
  type SignalingState,
} from '../transport';
import { broadcastPermissionSync } from './permission-sync';
import { loadServerSetting, loadSlotHint, saveServerSetting, saveSlotHint } from './settings';
import { Snapshots, systemClock } from '../common';
import { NodeIceConfig, type NodeIceSnapshot } from './node-ice-config';
import { mergeIceServers } from './ice-answer';
import { browserRelayProbe } from './relay-probe';
import type { LinkService } from './link-service';
import type { OverlayService } from './overlay-service';
import { Peer } from './peer';
import type { PeerMail } from './peer-mail';
import type { CallService } from './call-service';
import { browserAlerts, type TabAlerts } from './tab-alerts';
import { browserDeviceChoice, type DeviceChoice } from './media-devices';
import { TabBootstraps } from './tab-bootstraps';
import type { KnownBootstrap } from './bootstrap-book';

/** The overlay's name; also the SIP domain. */
export const OVERLAY_NAME = 'p2p.local';
/**
 * The overlay's node ID puzzle (identity/id-puzzle.ts): every peer of
 * OVERLAY_NAME solves it for its key and refuses links from peers that did
 * not. The service peer's default (--id-puzzle-bits, --id-key-bits) is the same.
 */
export const OVERLAY_ID_PUZZLE = DEFAULT_ID_PUZZLE;
const CERTIFICATE_KEY = 'user-certificate';

export interface AppSnapshot {
  phase: 'starting' | 'ready' | 'failed';
  node: { nodeId: string; fingerprint: string; slot: number } | null;
  /** The person's identity; publicKey is the signing key's SPKI in base64url, for an operator to certify. */
  user: { userId: string; fingerprint: string; publicKey: string } | null;
  /** Things the person should know, in plain words. */
  warnings: string[];
  /** Why the app cannot work in this tab, when it cannot. */
  fatal: string | null;
  signaling: SignalingState;
  servers: string[];
  /** True when the list in use is the page's own server, not a saved list. */
  serversAreDefault: boolean;
  /** The certificate this person presents, when a root signed their key. */
  certificate: { name: string; text: string } | null;
  /** While the node ID puzzle is being solved at start: tries so far and the expected number. */
  puzzle: { tries: number; expected: number } | null;
  /** The STUN/TURN servers the node names, and what is wrong with them or their relay, in words. */
  ice: NodeIceSnapshot;
  /** The service peers' bootstrap endpoints this tab remembers, best first (tab-bootstraps.ts). */
  bootstraps: readonly KnownBootstrap[];
}

/** Where the node that served the app answers with its ICE servers (app/signaling-server/ice-endpoint.ts). */
export const ICE_SERVERS_PATH = '/ice-servers';
/** How long the start waits for the node's ICE servers before making links without them. */
const ICE_WAIT_MS = 3000;

/** The browser's fetch of the node's list, never cached, given up after 10 s. */
function fetchNodeIceServers(): Promise<Response> {
  return fetch(new URL(ICE_SERVERS_PATH, location.href), { headers: { Accept: 'application/json' }, cache: 'no-store', signal: AbortSignal.timeout(10_000) });
}

/** What the browser entry (main.tsx) gives the tab's assembly. */
export interface AppServicesOptions {
  /** Opens the profile's persistent key-value store called `name` (IndexedDB in the browser). */
  openStore: (name: string) => KeyValueStore;
}

export class AppServices {
  constructor(private readonly options: AppServicesOptions) {}

  private readonly snaps = new Snapshots<AppSnapshot>({
    phase: 'starting',
    node: null,
    user: null,
    warnings: [],
    fatal: null,
    signaling: { kind: 'stopped', reason: 'starting' },
    servers: [],
    serversAreDefault: true,
    certificate: null,
    ice: { servers: [], expiresAt: null, fetchedAt: null, answers: 0, problem: null, relay: 'none', relayProblem: null },
    puzzle: null,
    bootstraps: [],
  });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;
  nodeIdentity: NodeIdentity | null = null;
  userIdentity: UserIdentity | null = null;
  signaling: SignalingClient | null = null;
  gate: PermissionGate | null = null;
  links: LinkService | null = null;
  overlay: OverlayService | null = null;
  calls: CallService | null = null;
  /** The video mail, which follows the phone's name. */
  mail: PeerMail | null = null;
  /** The person's camera, microphone and speaker (issue 19). */
  devices: DeviceChoice | null = null;
  /** The bootstrap endpoints this tab remembers and tries when the signaling servers fail. */
  bootstraps: TabBootstraps | null = null;
  /** The assembled peer; the fields above are its parts. */
  peer: Peer | null = null;
  /** The node's STUN/TURN servers, kept fresh. */
  iceConfig: NodeIceConfig | null = null;
  /** Ring tone, title, favicon and system notifications for calls and messages (issue 18). */
  alerts: TabAlerts | null = null;
  private identityStore: KeyValueStore | null = null;
  /** What this tab presents on new links; the certificate in it can change. */
  private local: LocalEndpoint | null = null;

  private get snap(): AppSnapshot {
    return this.snaps.value;
  }

  private update(patch: Partial<AppSnapshot>): void {
    this.snaps.update(patch);
  }

  private warn(message: string): void {
    if (!this.snap.warnings.includes(message)) this.update({ warnings: [...this.snap.warnings, message] });
  }

  dismissWarning(message: string): void {
    this.update({ warnings: this.snap.warnings.filter((w) => w !== message) });
  }

  async start(): Promise<void> {
    try {
      await this.boot();
    } catch (e) {
      const message =
        e instanceof IdentityUnavailableError
          ? e.message
          : `The app could not start in this tab: ${e instanceof Error ? e.message : String(e)}`;
      console.error(e);
      this.update({ phase: 'failed', fatal: message });
    }
  }

  private storesAndLocks(): { store: KeyValueStore; locks: LockManagerLike } {
    let store: KeyValueStore;
    if (typeof indexedDB === 'undefined') {
      this.warn('This browser does not let the app keep keys, so this tab’s identity lasts only until it closes.');
      store = new MemoryKeyValueStore();
    } else {
      store = this.options.openStore('p2p-softphone-identity');
    }
    let locks: LockManagerLike;
    if (typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks) {
      locks = navigator.locks as unknown as LockManagerLike;
    } else {
      this.warn('This browser cannot tell tabs apart safely; open the app in one tab only.');
      locks = new MemoryLockManager();
    }
    return { store, locks };
  }

  private async boot(): Promise<void> {
    const { store, locks } = this.storesAndLocks();
    const probe = await this.checkStore(store);
    const usable = probe ? store : new MemoryKeyValueStore();
    const node = await acquireNodeIdentity({
      store: usable,
      locks,
      preferredSlot: loadSlotHint(),
      idPuzzle: OVERLAY_ID_PUZZLE,
      onPuzzleProgress: (tries, expected) => this.update({ puzzle: { tries, expected } }),
    });
    this.update({ puzzle: null });
    saveSlotHint(node.identity.slot);
    node.warnings.forEach((w) => this.warn(w));
    void node.lock.lost.then(() => this.identityLost());
    const user = await loadUserIdentity(usable, locks);
    user.warnings.forEach((w) => this.warn(w));
    this.nodeIdentity = node.identity;
    this.userIdentity = user.identity;
    this.identityStore = usable;
    window.addEventListener('pagehide', () => node.lock.release());

    const storeOf = (name: string): KeyValueStore => (probe ? this.options.openStore(name) : new MemoryKeyValueStore());
    const gate = await PermissionGate.open({
      store: storeOf('p2p-softphone-permissions'),
      sync: probe ? broadcastPermissionSync() : undefined,
    });
    gate.warnings.forEach((w) => this.warn(w));
    this.gate = gate;
    const certificate = await this.loadCertificate(usable);

    const { servers, isDefault } = this.initialServers();
    const bootstraps = await TabBootstraps.open(storeOf('p2p-softphone-settings'), location.search, (w) => this.warn(w));
    this.bootstraps = bootstraps;
    const { Peer: PeerJs } = await import('peerjs');
    const client = new SignalingClient({
      nodeId: node.identity.nodeId,
      // A bootstrap address the page's link gave is what the person was told to join through: first.
      servers: [...bootstraps.given, ...servers],
      createPeer: (id, options) => new PeerJs(id, options),
      keyProof: { spki: node.identity.spki, sign: (payload) => signBytes(node.identity.privateKey, payload) },
    });
    this.signaling = client;
    client.onState((s) => this.update({ signaling: s }));
    bootstraps.follow(client);
    bootstraps.book.onChange(() => this.update({ bootstraps: [...bootstraps.known()] }));
    const local: LocalEndpoint = {
      overlay: OVERLAY_NAME,
      nodeId: node.identity.nodeId,
      spki: node.identity.spki,
      privateKey: node.identity.privateKey,
      ...(node.identity.puzzle ? { puzzle: node.identity.puzzle } : {}),
      user: {
        signingSpki: user.identity.signingSpki,
        binding: await signBytes(user.identity.signingPrivateKey, userBindingPayload(OVERLAY_NAME, node.identity.nodeId)),
        ...(certificate ? { name: certificate.name, certificate: certificate.text } : {}),
      },
    };
    this.local = local;
    const peer = new Peer({
      role: 'tab',
      local,
      signaling: client,
      gate,
      records: storeOf('p2p-softphone-records'),
      idPuzzle: OVERLAY_ID_PUZZLE,
      ringSettings: storeOf('p2p-softphone-settings'),
      nodeSigner: { spki: node.identity.spki, sign: (payload) => signBytes(node.identity.privateKey, payload) },
      agreementKey: node.identity.agreementKey,
      ringRefusal: () => whyNotInRing(gate, OVERLAY_NAME),
      contact: {
        user: user.identity,
        settings: storeOf('p2p-softphone-settings'),
        history: storeOf('p2p-softphone-history'),
        mailStore: storeOf('p2p-softphone-mail'),
        contactsSync: probe ? broadcastPermissionSync('p2p-softphone-contacts') : undefined,
      },
    });
    this.peer = peer;
    const ice = this.startIce(client, peer);
    this.links = peer.links;
    this.overlay = peer.overlay;
    this.calls = peer.calls;
    this.mail = peer.mail;
    if (peer.calls) {
      const alerts = browserAlerts(peer.calls);
      this.alerts = alerts;
      window.addEventListener('pagehide', () => alerts.close());
    }
    this.devices = browserDeviceChoice(storeOf('p2p-softphone-settings'));
    peer.calls?.useDevices(this.devices);

    this.update({
      phase: 'ready',
      node: { nodeId: node.identity.nodeId, fingerprint: fingerprint(node.identity.nodeId), slot: node.identity.slot },
      user: { userId: user.identity.userId, fingerprint: fingerprint(user.identity.userId), publicKey: toBase64Url(user.identity.signingSpki) },
      servers: servers.map((s) => s.url),
      serversAreDefault: isDefault,
      certificate,
      bootstraps: [...bootstraps.known()],
    });
    bootstraps.readFrom(peer.overlay.node, OVERLAY_NAME);
    window.addEventListener('pagehide', () => {
      // Unregister, hand records over and say goodbye before the links close.
      peer.leave();
      peer.close('this tab is closing');
    });
    // Links made before the node's list arrives could not use its relay: wait for it, a little.
    await Promise.race([ice, new Promise((r) => setTimeout(r, ICE_WAIT_MS))]);
    void peer.start({ onlineWithinMs: 5000 });
  }

  /**
   * Fetches the node's ICE servers and keeps links and calls on one list:
   * the node's, then the person's own (the phone's STUN/TURN setting).
   * Resolves after the first answer (or failure).
   */
  private startIce(client: SignalingClient, peer: Peer): Promise<void> {
    const ice = new NodeIceConfig({ clock: systemClock, fetch: fetchNodeIceServers, probe: browserRelayProbe() });
    this.iceConfig = ice;
    const apply = (): void => {
      const fromNode = ice.getSnapshot().servers;
      peer.calls?.setNodeIceServers(fromNode);
      client.setIceServers(mergeIceServers(fromNode, peer.calls?.ownIceServers ?? []));
      if (this.snap.ice !== ice.getSnapshot()) this.update({ ice: ice.getSnapshot() });
    };
    ice.subscribe(apply);
    peer.calls?.subscribe(apply);
    window.addEventListener('pagehide', () => ice.stop());
    return ice.start();
  }

  private async loadCertificate(store: KeyValueStore): Promise<{ name: string; text: string } | null> {
    try {
      const text = await store.get(CERTIFICATE_KEY);
      if (text === undefined) return null;
      const cert = parseCertificate(text);
      return { name: cert.name, text: serializeCertificate(cert) };
    } catch {
      this.warn('Your saved certificate was damaged and is no longer presented to peers; import it again.');
      return null;
    }
  }

  /**
   * Saves the certificate a root issued for this person. It must be for this
   * person's user key. Returns an error in words, or null. Links made from
   * now on present it.
   */
  async setCertificate(text: string): Promise<string | null> {
    let cert;
    try {
      cert = parseCertificate(text);
    } catch (e) {
      return `That is not a certificate: ${(e as Error).message}`;
    }
    const me = this.userIdentity;
    if (!me || !equalBytes(cert.subjectSpki, me.signingSpki)) {
      return 'That certificate was made for someone else’s key, not yours.';
    }
    // Checked against the root it names: a certificate edited after signing would only get you refused.
    const check = await verifyCertificate(cert, { trustedRoots: [cert.rootSpki], now: Date.now(), subjectSpki: me.signingSpki, name: cert.name });
    if (!check.ok) return `That certificate cannot be used: ${check.reason}.`;
    const normal = serializeCertificate(cert);
    await this.identityStore?.set(CERTIFICATE_KEY, normal);
    if (this.local?.user) this.local.user = { ...this.local.user, name: cert.name, certificate: normal };
    this.update({ certificate: { name: cert.name, text: normal } });
    return null;
  }

  /** Signs overlay records as this person (their user key). */
  async recordSigner(): Promise<RecordSigner> {
    const u = this.userIdentity;
    if (!u) throw new Error('the user identity is not loaded');
    return { spki: u.signingSpki, sign: (payload) => signBytes(u.signingPrivateKey, payload) };
  }

  async removeCertificate(): Promise<void> {
    await this.identityStore?.del(CERTIFICATE_KEY);
    if (this.local?.user) {
      const { signingSpki, binding } = this.local.user;
      this.local.user = { signingSpki, binding };
    }
    this.update({ certificate: null });
  }

  /** IndexedDB can fail outright (private modes, a full disk); say so instead of failing later. */
  private async checkStore(store: KeyValueStore): Promise<boolean> {
    try {
      await store.get('probe');
      return true;
    } catch {
      this.warn('The browser’s storage (IndexedDB) cannot be used, so this tab’s identity lasts only until it closes.');
      return false;
    }
  }

  private initialServers(): { servers: SignalingServerConfig[]; isDefault: boolean } {
    const fromQuery = new URLSearchParams(location.search).get('signaling');
    const saved = loadServerSetting();
    if (saved.error) this.warn(saved.error);
    const text = fromQuery ?? saved.text;
    if (text) {
      const { servers, errors } = parseServerList(text, location.href);
      errors.forEach((e) => this.warn(`${e} That server is skipped.`));
      if (servers.length > 0) return { servers, isDefault: false };
      this.warn('None of the configured signaling servers is usable, so the app’s own server is used.');
    }
    return { servers: [sameOriginServer(location)], isDefault: true };
  }

  /**
   * Saves a new list of signaling servers (one per line). Returns the
   * problems found; nothing is changed when no address in it is usable.
   */
  setServers(text: string): string[] {
    const { servers, errors } = parseServerList(text, location.href);
    if (servers.length === 0) return errors.length > 0 ? errors : ['Give at least one signaling server address.'];
    saveServerSetting(servers.map((s) => s.url));
    this.signaling?.setServers(servers);
    this.update({ servers: servers.map((s) => s.url), serversAreDefault: false });
    return errors;
  }

  /** Goes back to the app's own signaling server. */
  resetServers(): void {
    saveServerSetting(null);
    const server = sameOriginServer(location);
    this.signaling?.setServers([server]);
    this.update({ servers: [server.url], serversAreDefault: true });
  }

  /**
   * The person asked to join the network now: the next overlay link may ask
   * them again even right after a "Deny", and the tab tries to join at once.
   */
  joinNetwork(): void {
    this.gate?.askAgain(OVERLAY_NAME);
    void this.overlay?.join();
  }

  retrySignalingNow(): void {
    this.signaling?.retryNow();
  }

  private identityLost(): void {
    this.signaling?.stop('identity taken over');
    this.update({
      phase: 'failed',
      fatal:
        'Another tab or window took over this tab’s node identity, so this tab has gone offline to avoid two peers with one ID. Reload this tab to get an identity of its own.',
    });
  }
}
