/**
 * Peer discovery, the same for a tab and the service peer: every few
 * seconds, ask the signaling server who is online (the PeerJS server's
 * `allow_discovery` listing, GET `<path>/peerjs/peers`). A joining member
 * contacts several of them (DESIGN.md, Overlay: Joining), and the ring
 * unifier checks its successor against the same list on every member.
 */
import { isHexId } from '../overlay';
import type { Clock } from '../common';
import type { SignalingClient, SignalingServerConfig } from '../transport';

/** Most listed peers kept: a bound on what a server's answer can make this peer hold. */
const MAX_LISTED = 500;

/** What discovery reads of the signaling client. */
export type DiscoverySignaling = Pick<SignalingClient, 'serverList' | 'tryList' | 'state'>;

/** A peer's collaborators. */
export interface PeerDiscoveryComponents {
  signaling: DiscoverySignaling;
  /** This peer's node ID, left out of the list. */
  selfId: string;
  clock: Clock;
  /** @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

export interface PeerDiscoveryInit {
  /** How often to ask, in ms. @default 5000 */
  everyMs?: number;
  /** How long one answer may take before it is given up, in ms. @default 4000 */
  timeoutMs?: number;
}

/** The discovery URL of a PeerJS server. */
export function discoveryUrl(server: SignalingServerConfig): string {
  return `${server.secure ? 'https' : 'http'}://${server.host}:${server.port}${server.path}/peerjs/peers`;
}

/** The node IDs of the signaling server's list of online peers, as it last answered. */
export class PeerDiscovery {
  private online: readonly string[] = [];
  private readonly listeners = new Set<() => void>();
  private timer: unknown = null;
  private readonly everyMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly components: PeerDiscoveryComponents,
    init: PeerDiscoveryInit = {},
  ) {
    this.everyMs = init.everyMs ?? 5000;
    this.timeoutMs = init.timeoutMs ?? 4000;
  }

  /** The peers listed at the last answer, in the server's order (the order they came), without this peer. */
  onlineIds(): string[] {
    return [...this.online];
  }

  /** Calls `fn` after each answer that was read; returns its remover. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Asks every `everyMs` from now until `stop`, the first time `everyMs` from now (`discover` asks at once). */
  start(): void {
    if (this.timer !== null) return;
    const arm = (): void => {
      this.timer = this.components.clock.setTimeout(() => {
        void this.discover();
        arm();
      }, this.everyMs);
    };
    arm();
  }

  stop(): void {
    if (this.timer !== null) this.components.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Asks the signaling server once. Does nothing while it is not online;
   * an error or a malformed answer keeps the last list (the signaling state
   * already says when the server is away).
   */
  async discover(): Promise<void> {
    const { signaling, selfId } = this.components;
    // The server it is online with: a later one of the list, or a bootstrap endpoint, when the first is down.
    const state = signaling.state;
    if (state.kind !== 'online') return;
    const server = signaling.tryList.find((s) => s.url === state.server) ?? signaling.serverList[0];
    if (!server) return;
    const fetch = this.components.fetch ?? globalThis.fetch;
    try {
      const r = await fetch(discoveryUrl(server), { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!r.ok) return;
      const list: unknown = await r.json();
      if (!Array.isArray(list)) return;
      this.online = list.filter((x): x is string => typeof x === 'string' && isHexId(x) && x !== selfId).slice(0, MAX_LISTED);
    } catch {
      return;
    }
    for (const fn of [...this.listeners]) fn();
  }
}
