/**
 * The dialer a peer runs: through the overlay first (attach.ts) when a route
 * to the node exists, through the signaling server for a tab's first links
 * and as the fallback when there is no route, or the overlay attempt fails
 * or times out. Channels the far side opens come from either path.
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
}

export class OverlayFirstDialer implements Dialer {
  /** Dials that went to the signaling server after an overlay attempt failed. */
  fallbacks = 0;

  constructor(private readonly o: OverlayFirstDialerOptions) {}

  async dial(nodeId: string, timeoutMs: number): Promise<Channel> {
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
      if (overlayFailure && e instanceof DialError && (e.code === 'no-signaling' || e.code === 'signaling-lost')) throw overlayFailure;
      throw e;
    }
  }

  onIncoming(fn: (channel: Channel) => void): void {
    this.o.server.onIncoming(fn);
    this.o.attach.onIncoming(fn);
  }

  onReady(fn: () => void): void {
    this.o.server.onReady?.(fn);
  }
}
