/**
 * How the link manager reaches peers: PeerJS in the browser, memory in tests.
 */
import type { DataConnection } from 'peerjs';
import { peerJsChannel, releaseDataConnection, type Channel, type LinkVia, memoryChannelPair } from './channel';
import { DialError, type DialFailureCode } from './errors';
import { INCOMING_OPEN_TIMEOUT_MS } from './limits';
import type { SignalingClient } from './signaling-client';

/** The PeerJS label of link data connections. */
export const LINK_LABEL = 'p2p-link';
/** The PeerJS server's message type for an offer whose target is not connected (PeerJS's ServerMessageType.Expire). */
const EXPIRE = 'EXPIRE';

export interface Dialer {
  /** Opens a channel to `nodeId`; rejects with a DialError (a code, and plain words) when it cannot. */
  dial(nodeId: string, timeoutMs: number): Promise<Channel>;
  /** Channels other peers open towards us. */
  onIncoming(fn: (channel: Channel) => void): void;
  /** Optional: `fn` runs whenever the dialer can reach peers again (its signaling server is back). */
  onReady?(fn: () => void): void;
  /** Optional: whether a channel from `nodeId` is being set up towards us now (its offer was taken and has not opened or failed yet). */
  isDialedBy?(nodeId: string): boolean;
}

function whenOpen(conn: DataConnection, via: LinkVia, timeoutMs: number, unavailable: Promise<void>, signalingLost: Promise<void>): Promise<Channel> {
  return new Promise<Channel>((resolve, reject) => {
    let settled = false;
    const fail = (code: DialFailureCode, why: string): void => {
      // Once open, the connection belongs to its channel (and link), which hears a late error and
      // closes it; a second reason to fail changes nothing either.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      releaseDataConnection(conn);
      reject(new DialError(code, why));
    };
    const timer = setTimeout(() => fail('no-answer', 'the peer did not answer in time'), timeoutMs);
    void unavailable.then(() => fail('not-online', 'the peer is not online'));
    // An offer sent through a signaling connection that has since dropped (this tab hung long
    // enough for the server to forget it) may never be answered: fail now, not after the timeout.
    void signalingLost.then(() => fail('signaling-lost', 'the signaling server went away during the dial'));
    conn.on('open', () => {
      clearTimeout(timer);
      if (settled) return releaseDataConnection(conn); // opened after the dial gave up
      settled = true;
      resolve(peerJsChannel(conn, via));
    });
    conn.on('error', (e) => fail('connection-error', e.message));
  });
}

/**
 * Dials through the tab's PeerJS peer, raw binary frames on a reliable data
 * channel. Its channels are marked `bootstrap` when the server they went
 * through is a bootstrap endpoint (SignalingServerConfig.bootstrap), or
 * when `via` says so for every channel (a service peer's own endpoint).
 */
export class PeerJsDialer implements Dialer {
  private readonly unavailable = new Map<string, () => void>();

  constructor(
    private readonly signaling: SignalingClient,
    private readonly via: LinkVia = 'server',
  ) {}

  /** How a channel made through the current server is marked. */
  private currentVia(): LinkVia {
    return this.signaling.server?.bootstrap ? 'bootstrap' : this.via;
  }

  /**
   * Routes the signaling server's EXPIRE messages (an offer to a peer it does
   * not know; PeerJS turns each into a "peer-unavailable" error that names the
   * peer only in its text) to the dial waiting for that peer, by the message's
   * `src` field.
   */
  watch(): void {
    let watched: unknown = null;
    const attach = (): void => {
      const peer = this.signaling.peer;
      if (!peer || peer === watched) return;
      watched = peer;
      peer.socket.on('message', (msg: { type?: unknown; src?: unknown } | null) => {
        if (msg?.type !== EXPIRE || typeof msg.src !== 'string') return;
        this.unavailable.get(msg.src)?.();
      });
    };
    attach();
    this.signaling.onState(attach);
  }

  async dial(nodeId: string, timeoutMs: number): Promise<Channel> {
    const peer = this.signaling.peer;
    if (!peer || peer.destroyed || peer.disconnected || !peer.open) {
      throw new DialError('no-signaling', 'this tab is not connected to a signaling server');
    }
    let fire!: () => void;
    const unavailable = new Promise<void>((r) => (fire = r));
    this.unavailable.set(nodeId, fire);
    let stopWatching: () => void = () => undefined;
    const signalingLost = new Promise<void>((r) => {
      stopWatching = this.signaling.onState((s) => {
        if (s.kind !== 'online') r();
      });
    });
    try {
      return await whenOpen(peer.connect(nodeId, { reliable: true, serialization: 'raw', label: LINK_LABEL }), this.currentVia(), timeoutMs, unavailable, signalingLost);
    } finally {
      stopWatching();
      this.unavailable.delete(nodeId);
    }
  }

  onReady(fn: () => void): void {
    let online = this.signaling.state.kind === 'online';
    this.signaling.onState((s) => {
      const was = online;
      online = s.kind === 'online';
      if (online && !was) fn();
    });
  }

  onIncoming(fn: (channel: Channel) => void): void {
    this.signaling.onConnection((conn) => {
      // Other data connections (a test's) belong to other listeners; the signaling client closes those nobody takes.
      if (conn.label !== LINK_LABEL) return false;
      if (conn.serialization !== 'raw') {
        releaseDataConnection(conn);
        return true;
      }
      // An offer whose dialer gave up may never open; its RTCPeerConnection must not wait for ever.
      const timer = setTimeout(() => releaseDataConnection(conn), INCOMING_OPEN_TIMEOUT_MS);
      conn.on('close', () => clearTimeout(timer));
      const via = this.currentVia();
      conn.on('open', () => {
        clearTimeout(timer);
        fn(peerJsChannel(conn, via));
      });
      return true;
    });
  }
}

/** An in-memory switchboard: dialers registered on it reach each other. */
export class MemoryNetwork {
  private readonly nodes = new Map<string, (c: Channel) => void>();
  /** Node IDs that do not answer (crashed or partitioned). */
  readonly down = new Set<string>();
  /** "from>to": dials from one node to another that fail, as behind a NAT only one side can open. */
  readonly blocked = new Set<string>();
  private readonly readyFns = new Map<string, (() => void)[]>();

  /** Tells `nodeId`'s dialer it can reach peers again, as a signaling server coming back does. */
  ready(nodeId: string): void {
    for (const fn of this.readyFns.get(nodeId) ?? []) fn();
  }

  dialer(nodeId: string): Dialer {
    return {
      dial: (target) => {
        const accept = this.nodes.get(target);
        if (!accept || this.down.has(target) || this.down.has(nodeId)) return Promise.reject(new DialError('not-online', 'the peer is not online'));
        if (this.blocked.has(`${nodeId}>${target}`)) return Promise.reject(new DialError('no-answer', 'the peer did not answer in time'));
        const [mine, theirs] = memoryChannelPair(nodeId, target);
        queueMicrotask(() => accept(theirs));
        return Promise.resolve(mine);
      },
      onIncoming: (fn) => {
        this.nodes.set(nodeId, fn);
      },
      onReady: (fn) => {
        this.readyFns.set(nodeId, [...(this.readyFns.get(nodeId) ?? []), fn]);
      },
    };
  }
}
