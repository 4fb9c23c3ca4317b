/**
 * A peer's links, as the peer layer runs them: a LinkManager whose every
 * link is decided by the permission gate (overlay scope, link-policy.ts),
 * peer discovery through the signaling server (peer-discovery.ts), and a snapshot
 * of link states for the Network page. Revoking what let a link in closes it.
 */
import type { IdPuzzleDifficulty } from '../identity';
import type { PermissionDecision, PermissionGate } from '../permissions';
import {
  LinkManager,
  OverlayAttach,
  OverlayFirstDialer,
  PeerJsDialer,
  linkFailureOf,
  type LinkPeer,
  type LinkDecision,
  type LinkDirection,
  type LinkFailureCode,
  type LinkVia,
  type LocalEndpoint,
  type PeerConnectionFactory,
  type SignalingClient,
} from '../transport';
import { createLogger, Listeners, systemClock } from '../common';
import { decideLink, type PeerRole } from './link-policy';
import { PeerDiscovery } from './peer-discovery';

export interface LinkServiceOptions {
  signaling: SignalingClient;
  gate: PermissionGate;
  /** What this peer presents on its links. */
  local: LocalEndpoint;
  /** A tab, or a service peer (which refuses contact). */
  role: PeerRole;
  /** Most links at once. @default the LinkManager's */
  maxLinks?: number;
  /** The overlay's node ID puzzle, which every far side must have solved. @default none */
  idPuzzle?: IdPuzzleDifficulty;
  /** Where refusals are written (the service peer's log); none by default. */
  log?: (line: string) => void;
  /** Makes the RTCPeerConnections of overlay-signaled links. @default the platform's */
  createPeerConnection?: PeerConnectionFactory;
  /** A service peer's connection to its own bootstrap endpoint: links tabs open through it are taken (marked `bootstrap`). @default none */
  bootstrapEndpoint?: SignalingClient;
}

export interface PeerState {
  nodeId: string;
  /** linked: a live link; connecting: dialing or in the handshake; refused/failed: the last attempt, with why. */
  state: 'online' | 'connecting' | 'linked' | 'refused' | 'failed';
  detail?: string;
  /** Why the last attempt or link ended, as a code (refused/failed only); `detail` is its words. */
  code?: LinkFailureCode;
  name?: string;
  /** The peer said it is an always-on service peer. */
  service?: boolean;
  rttMs?: number | null;
  direction?: LinkDirection;
  /** How the live link was signaled: through the server, the overlay, or a bootstrap endpoint. */
  via?: LinkVia;
}

type Listener = () => void;

export class LinkService {
  readonly manager: LinkManager;
  /** Link signaling through the overlay (RELOAD AppAttach); the peer points it at its overlay node once that exists. */
  readonly attach: OverlayAttach;
  /** The dialer: overlay first, the signaling server as the fallback. */
  readonly dialer: OverlayFirstDialer;
  private readonly decisions = new Map<string, PermissionDecision>();
  private readonly forget = new Map<string, () => void>();
  private readonly states = new Map<string, PeerState>();
  private readonly discovery: PeerDiscovery;
  private snapshot: readonly PeerState[] = [];
  private readonly listeners = new Listeners<void>(createLogger('links'));

  private readonly gate: PermissionGate;
  private readonly local: LocalEndpoint;

  constructor(private readonly o: LinkServiceOptions) {
    const { signaling, gate, local } = o;
    this.gate = gate;
    this.local = local;
    this.discovery = new PeerDiscovery({ signaling, selfId: local.nodeId, clock: systemClock });
    this.discovery.onChange(() => this.publish());
    const server = new PeerJsDialer(signaling);
    server.watch();
    this.attach = new OverlayAttach({
      iceServers: () => signaling.iceServerList,
      ...(o.createPeerConnection ? { createPeerConnection: o.createPeerConnection } : {}),
    });
    const endpoint = o.bootstrapEndpoint ? new PeerJsDialer(o.bootstrapEndpoint, 'bootstrap') : null;
    endpoint?.watch();
    this.dialer = new OverlayFirstDialer({ server, attach: this.attach, ...(endpoint ? { alsoIncoming: [endpoint] } : {}) });
    this.manager = new LinkManager({
      dialer: this.dialer,
      local,
      clock: systemClock,
      policy: (peer, dir) => this.decide(peer, dir),
      ...(o.maxLinks !== undefined ? { maxLinks: o.maxLinks } : {}),
      ...(o.idPuzzle ? { idPuzzle: o.idPuzzle } : {}),
    });
    this.manager.onLinkUp((info) => {
      const decision = this.decisions.get(info.nodeId);
      if (decision?.allow) this.forget.set(info.nodeId, this.gate.registerLink(info.nodeId, decision));
      this.set(info.nodeId, {
        state: 'linked',
        direction: info.direction,
        via: info.via,
        rttMs: info.rttMs,
        ...(info.peer.user?.name ? { name: info.peer.user.name } : {}),
        ...(info.peer.role === 'service' ? { service: true } : {}),
      });
    });
    this.manager.onLinkDown((nodeId, reason, end) => {
      this.forget.get(nodeId)?.();
      this.forget.delete(nodeId);
      this.set(nodeId, { state: end.code === 'refused' ? 'refused' : 'failed', detail: reason, code: end.code });
    });
    this.manager.onDialFailed((nodeId, why, failure) => {
      if (!this.manager.isLinked(nodeId)) this.set(nodeId, { state: failure.code === 'refused' ? 'refused' : 'failed', detail: why, code: failure.code });
    });
    // The gate asks for these closes only when a permission is taken back.
    gate.onCloseLinks(({ linkIds, reason }) => {
      for (const id of linkIds) this.manager.disconnect(id, 'revoked', reason);
    });
  }

  readonly subscribe = (fn: Listener): (() => void) => {
    return this.listeners.add(fn);
  };

  readonly getSnapshot = (): readonly PeerState[] => this.snapshot;

  /** Node IDs the signaling server listed as online at the last look. */
  onlineIds(): string[] {
    return this.discovery.onlineIds();
  }

  /** Lists online peers every 5 s (PeerJS discovery), starting now. */
  startDiscovery(): void {
    void this.discovery.discover();
    this.discovery.start();
  }

  /** Stops discovery and closes every link, saying `reason` to the far sides. */
  stop(reason = 'this tab is closing'): void {
    this.discovery.stop();
    this.attach.close();
    this.manager.close(reason);
  }

  /** Opens a link to `nodeId`; resolves with a sentence for the person. */
  async connect(nodeId: string): Promise<string> {
    this.set(nodeId, { state: 'connecting' });
    try {
      await this.manager.connect(nodeId);
      return 'linked';
    } catch (e) {
      const failure = linkFailureOf(e);
      this.set(nodeId, { state: failure.code === 'refused' ? 'refused' : 'failed', detail: failure.words, code: failure.code });
      return failure.words;
    }
  }

  disconnect(nodeId: string): void {
    this.manager.disconnect(nodeId, 'closed-by-you');
  }

  /** Asks the signaling server who is online; errors leave the last list in place. */
  discover(): Promise<void> {
    return this.discovery.discover();
  }

  private async decide(peer: LinkPeer, direction: LinkDirection): Promise<LinkDecision> {
    this.set(peer.nodeId, { state: 'connecting', detail: 'waiting for permission' });
    const { decision, link } = await decideLink(this.gate, this.local.overlay, peer, direction, 'overlay', this.o.role);
    if (decision) this.decisions.set(peer.nodeId, decision);
    if (!link.allow) this.o.log?.(`refused ${direction} link from ${peer.nodeId.slice(0, 12)}: ${link.reason}`);
    return link;
  }

  private set(nodeId: string, s: Omit<PeerState, 'nodeId'>): void {
    // A service peer stays marked as one while its link is re-made.
    const service = this.states.get(nodeId)?.service ? { service: true } : {};
    this.states.set(nodeId, { nodeId, ...service, ...s });
    this.publish();
  }

  private publish(): void {
    const all = new Map<string, PeerState>();
    for (const id of this.discovery.onlineIds()) all.set(id, { nodeId: id, state: 'online' });
    for (const [id, s] of this.states) all.set(id, s);
    for (const info of this.manager.links()) {
      const s = all.get(info.nodeId);
      if (s) all.set(info.nodeId, { ...s, rttMs: info.rttMs });
    }
    this.snapshot = [...all.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    this.listeners.emit();
  }
}
