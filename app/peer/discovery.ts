/**
 * Peer discovery through the signaling server: the PeerJS server lists the
 * peers connected to it at `<path>/peerjs/peers` when it runs with
 * `allow_discovery` (DESIGN.md, Overlay: joining). Tabs and service peers
 * ask it alike, on a timer, and join through whoever it lists.
 */
import type { SignalingClient } from '../transport';

/** How often the list is fetched again, in ms. */
export const DISCOVERY_EVERY_MS = 5000;
/** How long one fetch of the list may take, in ms. */
export const DISCOVERY_TIMEOUT_MS = 4000;
/** The most node IDs taken from one list (a server could list millions). */
export const MAX_DISCOVERED = 500;

const NODE_ID = /^[0-9a-f]{40}$/;

/** What discovery needs of the signaling connection. */
export type DiscoverySignaling = Pick<SignalingClient, 'state' | 'serverList'>;

export interface PeerDiscoveryOptions {
  signaling: DiscoverySignaling;
  /** This peer's node ID, left out of the list. */
  selfId: string;
  /** @default DISCOVERY_EVERY_MS */
  everyMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * The node IDs the signaling server lists as online, other than this peer's:
 * well-formed IDs only, at most MAX_DISCOVERED. A failed or malformed answer
 * (the server away, not online yet) keeps the last list.
 */
export class PeerDiscovery {
  private list: string[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly o: PeerDiscoveryOptions) {}

  /** The node IDs listed at the last successful look. */
  online(): string[] {
    return [...this.list];
  }

  /** Calls `fn` after every successful look; returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Looks now, then every `everyMs` until stop(). */
  start(): void {
    if (this.timer) return;
    void this.discover();
    this.timer = setInterval(() => void this.discover(), this.o.everyMs ?? DISCOVERY_EVERY_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Asks the first signaling server who is online; never rejects. */
  async discover(): Promise<void> {
    const { signaling, selfId } = this.o;
    const server = signaling.serverList[0];
    if (!server || signaling.state.kind !== 'online') return;
    try {
      const url = `${server.secure ? 'https' : 'http'}://${server.host}:${server.port}${server.path}/peerjs/peers`;
      const r = await (this.o.fetch ?? fetch)(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
      if (!r.ok) return;
      const list: unknown = await r.json();
      if (!Array.isArray(list)) return;
      this.list = list.filter((x): x is string => typeof x === 'string' && NODE_ID.test(x) && x !== selfId).slice(0, MAX_DISCOVERED);
    } catch {
      // The server may be away; the signaling state already says so.
      return;
    }
    for (const fn of [...this.listeners]) {
      try {
        fn();
      } catch (e) {
        console.error('[discovery] a listener threw', e);
      }
    }
  }
}
