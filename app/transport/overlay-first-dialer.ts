/**
 * The dialer a peer runs, over two paths: the overlay (attach.ts, RELOAD
 * AppAttach) when a route to the node exists, and the signaling server.
 * `prefer: 'overlay'` tries the overlay first and the server as the
 * fallback (no route, or the overlay attempt fails or times out);
 * `prefer: 'server'` (the default for now) tries the server first and the
 * overlay when the server cannot be reached, so a tab whose server is down
 * still makes new links while the overlay path proves itself in the
 * browser suites. Channels the far side opens come from either path.
 */
import type { OverlayAttach } from './attach';
import type { Channel } from './channel';
import type { Dialer } from './dialer';
import { DialError } from './errors';

export interface OverlayFirstDialerOptions {
  /** The signaling server's dialer (PeerJS). */
  server: Dialer;
  attach: OverlayAttach;
  /** Longest an overlay attempt may take before the server is tried, in ms. @default 6000 */
  overlayTimeoutMs?: number;
  /** Which path is tried first. @default 'server' */
  prefer?: 'overlay' | 'server';
  /**
   * Dialers whose incoming channels are taken too, but which this peer
   * never dials through: a service peer's own bootstrap endpoint, where
   * tabs that reach no signaling server find it. @default none
   */
  alsoIncoming?: readonly Dialer[];
}

/** The server's failures that mean it cannot be reached (not that the far side refused). */
const SERVER_UNREACHABLE = new Set(['no-signaling', 'signaling-lost']);

export class OverlayFirstDialer implements Dialer {
  /** Dials that went to the signaling server after an overlay attempt failed. */
  fallbacks = 0;
  /** Which path the next dials try first; starts as the option's, and a benchmark may switch it to time each path on the same tabs. */
  prefer: 'overlay' | 'server';

  constructor(private readonly o: OverlayFirstDialerOptions) {
    this.prefer = o.prefer ?? 'server';
  }

  async dial(nodeId: string, timeoutMs: number): Promise<Channel> {
    if (this.prefer === 'server') return this.serverFirst(nodeId, timeoutMs);
    const start = Date.now();
    let overlayFailure: DialError | null = null;
    if (this.o.attach.canRoute(nodeId)) {
      try {
        return await this.o.attach.dial(nodeId, Math.min(timeoutMs, this.o.overlayTimeoutMs ?? 6000));
      } catch (e) {
        overlayFailure = e instanceof DialError ? e : new DialError('connection-error', String(e));
        this.fallbacks++;
      }
    }
    const left = Math.max(1, timeoutMs - (Date.now() - start));
    try {
      return await this.o.server.dial(nodeId, left);
    } catch (e) {
      // The server cannot help (it is down): the overlay's reason is the one that says what happened.
      if (overlayFailure && e instanceof DialError && SERVER_UNREACHABLE.has(e.code)) throw overlayFailure;
      throw e;
    }
  }

  private async serverFirst(nodeId: string, timeoutMs: number): Promise<Channel> {
    const start = Date.now();
    try {
      return await this.o.server.dial(nodeId, timeoutMs);
    } catch (e) {
      if (!(e instanceof DialError) || !SERVER_UNREACHABLE.has(e.code) || !this.o.attach.canRoute(nodeId)) throw e;
      const left = timeoutMs - (Date.now() - start);
      if (left <= 0) throw e;
      this.fallbacks++;
      return await this.o.attach.dial(nodeId, Math.min(left, this.o.overlayTimeoutMs ?? 6000));
    }
  }

  onIncoming(fn: (channel: Channel) => void): void {
    this.o.server.onIncoming(fn);
    this.o.attach.onIncoming(fn);
    for (const d of this.o.alsoIncoming ?? []) d.onIncoming(fn);
  }

  onReady(fn: () => void): void {
    this.o.server.onReady?.(fn);
  }

  isDialedBy(nodeId: string): boolean {
    return this.o.attach.isDialedBy(nodeId) || (this.o.server.isDialedBy?.(nodeId) ?? false);
  }
}
