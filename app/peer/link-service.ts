/**
 * The tab's links, as the app uses them: a LinkManager whose every link is
 * decided by the permission gate (overlay scope), peer discovery through the
 * signaling server, and a snapshot of link states for the Network page.
 * Revoking what let a link in closes it.
 */
import type { PermissionDecision, PermissionGate } from '../permissions';
import {
  LinkManager,
  PeerJsDialer,
  realClock,
  type LinkPeer,
  type LinkDecision,
  type LinkDirection,
  type LocalEndpoint,
  type SignalingClient,
} from '../transport';

export interface PeerState {
  nodeId: string;
  /** linked: a live link; connecting: dialing or in the handshake; refused/failed: the last attempt, with why. */
  state: 'online' | 'connecting' | 'linked' | 'refused' | 'failed';
  detail?: string;
  name?: string;
  /** The peer said it is an always-on service peer. */
  service?: boolean;
  rttMs?: number | null;
  direction?: LinkDirection;
}

type Listener = () => void;

export class LinkService {
  readonly manager: LinkManager;
  private readonly decisions = new Map<string, PermissionDecision>();
  private readonly forget = new Map<string, () => void>();
  private readonly states = new Map<string, PeerState>();
  private online: string[] = [];
  private snapshot: readonly PeerState[] = [];
  private readonly listeners = new Set<Listener>();
  private discoveryTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly signaling: SignalingClient,
    private readonly gate: PermissionGate,
    private readonly local: LocalEndpoint,
  ) {
    const dialer = new PeerJsDialer(signaling);
    dialer.watch();
    this.manager = new LinkManager({ dialer, local, clock: realClock, policy: (peer, dir) => this.decide(peer, dir) });
    this.manager.onLinkUp((info) => {
      const decision = this.decisions.get(info.nodeId);
      if (decision?.allow) this.forget.set(info.nodeId, this.gate.registerLink(info.nodeId, decision));
      this.set(info.nodeId, {
        state: 'linked',
        direction: info.direction,
        rttMs: info.rttMs,
        ...(info.peer.user?.name ? { name: info.peer.user.name } : {}),
        ...(info.peer.role === 'service' ? { service: true } : {}),
      });
    });
    this.manager.onLinkDown((nodeId, reason) => {
      this.forget.get(nodeId)?.();
      this.forget.delete(nodeId);
      this.set(nodeId, { state: /not allowed/.test(reason) ? 'refused' : 'failed', detail: reason });
    });
    this.manager.onDialFailed((nodeId, why) => {
      if (!this.manager.isLinked(nodeId)) this.set(nodeId, { state: /not allowed/.test(why) ? 'refused' : 'failed', detail: why });
    });
    gate.onCloseLinks(({ linkIds, reason }) => {
      for (const id of linkIds) this.manager.disconnect(id, reason);
    });
  }

  readonly subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly getSnapshot = (): readonly PeerState[] => this.snapshot;

  /** Node IDs the signaling server listed as online at the last look. */
  onlineIds(): string[] {
    return [...this.online];
  }

  /** Lists online peers every `everyMs` (PeerJS discovery), starting now. */
  startDiscovery(everyMs = 5000): void {
    void this.discover();
    this.discoveryTimer = setInterval(() => void this.discover(), everyMs);
  }

  stop(): void {
    if (this.discoveryTimer) clearInterval(this.discoveryTimer);
    this.manager.close('this tab is closing');
  }

  /** Opens a link to `nodeId`; resolves with a sentence for the person. */
  async connect(nodeId: string): Promise<string> {
    this.set(nodeId, { state: 'connecting' });
    try {
      await this.manager.connect(nodeId);
      return 'linked';
    } catch (e) {
      const why = (e as Error).message;
      const refused = /not allowed/.test(why);
      this.set(nodeId, { state: refused ? 'refused' : 'failed', detail: why });
      return why;
    }
  }

  disconnect(nodeId: string): void {
    this.manager.disconnect(nodeId, 'closed by you');
  }

  /** Asks the signaling server who is online; errors leave the last list in place. */
  async discover(): Promise<void> {
    const server = this.signaling.serverList[0];
    const peer = this.signaling.peer;
    if (!server || !peer?.open) return;
    try {
      const url = `${server.secure ? 'https' : 'http'}://${server.host}:${server.port}${server.path}/peerjs/peers`;
      const r = await fetch(url);
      if (!r.ok) return;
      const list: unknown = await r.json();
      if (!Array.isArray(list)) return;
      this.online = list.filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{40}$/.test(x) && x !== this.local.nodeId).slice(0, 500);
      this.publish();
    } catch {
      // The server may be away; the signaling panel already says so.
    }
  }

  private async decide(peer: LinkPeer, direction: LinkDirection): Promise<LinkDecision> {
    this.set(peer.nodeId, { state: 'connecting', detail: 'waiting for permission' });
    const d = await this.gate.decide({
      peerNodeId: peer.nodeId,
      peerNodeSpki: peer.spki,
      ...(peer.user
        ? { user: { signingSpki: peer.user.signingSpki, ...(peer.user.name ? { name: peer.user.name } : {}) } }
        : {}),
      ...(peer.user?.certificate ? { certificate: peer.user.certificate } : {}),
      scope: 'overlay',
      direction,
      overlay: this.local.overlay,
    });
    this.decisions.set(peer.nodeId, d);
    return { allow: d.allow, reason: d.detail };
  }

  private set(nodeId: string, s: Omit<PeerState, 'nodeId'>): void {
    // A service peer stays marked as one while its link is re-made.
    const service = this.states.get(nodeId)?.service ? { service: true } : {};
    this.states.set(nodeId, { nodeId, ...service, ...s });
    this.publish();
  }

  private publish(): void {
    const all = new Map<string, PeerState>();
    for (const id of this.online) all.set(id, { nodeId: id, state: 'online' });
    for (const [id, s] of this.states) all.set(id, s);
    for (const info of this.manager.links()) {
      const s = all.get(info.nodeId);
      if (s) all.set(info.nodeId, { ...s, rttMs: info.rttMs });
    }
    this.snapshot = [...all.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    for (const fn of [...this.listeners]) fn();
  }
}
