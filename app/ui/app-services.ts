/**
 * The one module that owns app state (STYLE.md, practice 9): it boots the
 * identities and the signaling connection and publishes an immutable
 * snapshot that components read through a hook.
 */
import {
  IdentityUnavailableError,
  MemoryKeyValueStore,
  MemoryLockManager,
  acquireNodeIdentity,
  fingerprint,
  loadUserIdentity,
  type KeyValueStore,
  type LockManagerLike,
  type NodeIdentity,
  type UserIdentity,
} from '../identity';
import {
  SignalingClient,
  parseServerList,
  sameOriginServer,
  type SignalingServerConfig,
  type SignalingState,
} from '../transport';
import { IdbKeyValueStore } from './data/idb-store';
import { loadServerSetting, loadSlotHint, saveServerSetting, saveSlotHint } from './data/settings';

export interface AppSnapshot {
  phase: 'starting' | 'ready' | 'failed';
  node: { nodeId: string; fingerprint: string; slot: number } | null;
  user: { userId: string; fingerprint: string } | null;
  /** Things the person should know, in plain words. */
  warnings: string[];
  /** Why the app cannot work in this tab, when it cannot. */
  fatal: string | null;
  signaling: SignalingState;
  servers: string[];
  /** True when the list in use is the page's own server, not a saved list. */
  serversAreDefault: boolean;
}

type Listener = () => void;

export class AppServices {
  private snap: AppSnapshot = {
    phase: 'starting',
    node: null,
    user: null,
    warnings: [],
    fatal: null,
    signaling: { kind: 'stopped', reason: 'starting' },
    servers: [],
    serversAreDefault: true,
  };
  private readonly listeners = new Set<Listener>();
  nodeIdentity: NodeIdentity | null = null;
  userIdentity: UserIdentity | null = null;
  signaling: SignalingClient | null = null;

  readonly subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly getSnapshot = (): AppSnapshot => this.snap;

  private update(patch: Partial<AppSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const fn of [...this.listeners]) fn();
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
      store = new IdbKeyValueStore('p2p-softphone-identity');
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
    const node = await acquireNodeIdentity({ store: usable, locks, preferredSlot: loadSlotHint() });
    saveSlotHint(node.identity.slot);
    node.warnings.forEach((w) => this.warn(w));
    void node.lock.lost.then(() => this.identityLost());
    const user = await loadUserIdentity(usable, locks);
    user.warnings.forEach((w) => this.warn(w));
    this.nodeIdentity = node.identity;
    this.userIdentity = user.identity;
    window.addEventListener('pagehide', () => node.lock.release());

    const { servers, isDefault } = this.initialServers();
    const { Peer } = await import('peerjs');
    const client = new SignalingClient({
      nodeId: node.identity.nodeId,
      servers,
      createPeer: (id, options) => new Peer(id, options),
    });
    this.signaling = client;
    client.onState((s) => this.update({ signaling: s }));
    this.update({
      phase: 'ready',
      node: { nodeId: node.identity.nodeId, fingerprint: fingerprint(node.identity.nodeId), slot: node.identity.slot },
      user: { userId: user.identity.userId, fingerprint: fingerprint(user.identity.userId) },
      servers: servers.map((s) => s.url),
      serversAreDefault: isDefault,
    });
    client.start();
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
