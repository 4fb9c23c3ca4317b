/**
 * Overlay link signaling without an overlay: a hub that hands attach
 * messages between registered nodes as the MessageRouter would (origin named
 * and trusted, delivery acknowledged), with a hook to watch or drop them, and
 * real WebRTC from @roamhq/wrtc. Tests only.
 */
import { createRequire } from 'node:module';
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki } from '../../identity';
import { systemClock } from '../../common';
import { OverlayAttach, type AttachPath } from '../attach';
import type { Dialer } from '../dialer';
import { DialError } from '../errors';
import { LinkManager } from '../link-manager';
import type { LinkPolicy } from '../link';
import { OverlayFirstDialer } from '../overlay-first-dialer';
import type { PeerConnectionFactory } from '../rtc-channel';

const require = createRequire(import.meta.url);

/** RTCPeerConnections from @roamhq/wrtc (libwebrtc), for Node. */
export function wrtcPeerConnection(): PeerConnectionFactory {
  const wrtc = require('@roamhq/wrtc') as { RTCPeerConnection: new (c: RTCConfiguration) => RTCPeerConnection };
  return (config) => new wrtc.RTCPeerConnection(config);
}

/** Sees each attach message on its way; returning false drops it. */
export type AttachTap = (from: string, to: string, body: Uint8Array) => boolean;

export class MemoryAttachHub {
  private readonly listeners = new Map<string, (from: string, body: Uint8Array) => void>();
  tap: AttachTap = () => true;

  path(nodeId: string): AttachPath {
    return {
      send: (to, body) => {
        const fn = this.listeners.get(to);
        if (!fn || !this.tap(nodeId, to, body)) return Promise.resolve(false);
        queueMicrotask(() => fn(nodeId, body.slice()));
        return Promise.resolve(true);
      },
      onMessage: (fn) => {
        this.listeners.set(nodeId, fn);
        return () => this.listeners.delete(nodeId);
      },
      canRoute: () => true,
    };
  }

  /** Hands `body` to `to` as if `from` had sent it (a replay, a forgery the router let through). */
  inject(from: string, to: string, body: Uint8Array): void {
    this.listeners.get(to)?.(from, body);
  }
}

/** A dialer for a signaling server that is down. */
export const serverDown: Dialer = {
  dial: () => Promise.reject(new DialError('no-signaling', 'this tab is not connected to a signaling server')),
  onIncoming: () => undefined,
};

/**
 * A link manager with a fresh node key whose only way to dial is the hub;
 * `policy` decides its links (default: allow); its peer connections come
 * from `createPeerConnection` (default: real WebRTC, wrtcPeerConnection;
 * testing/fake-rtc.ts has a deterministic fake).
 */
export async function attachLinks(
  hub: MemoryAttachHub,
  policy: LinkPolicy = async () => ({ allow: true, reason: 'test' }),
  createPeerConnection: PeerConnectionFactory = wrtcPeerConnection(),
): Promise<{ manager: LinkManager; attach: OverlayAttach }> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  const attach = new OverlayAttach({ iceServers: () => [], createPeerConnection, gatherCapMs: 1000 });
  attach.use(hub.path(nodeId));
  const manager = new LinkManager({
    dialer: new OverlayFirstDialer({ server: serverDown, attach }),
    local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey },
    policy,
    clock: systemClock,
  });
  return { manager, attach };
}
