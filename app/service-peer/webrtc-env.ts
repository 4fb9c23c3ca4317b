/**
 * What PeerJS needs to run in Node 20: WebRTC from @roamhq/wrtc (a registry
 * package that ships its native binary), WebSocket from ws, and small
 * window/navigator/location objects. Call once before importing peerjs.
 */
import { createRequire } from 'node:module';
import WebSocket from 'ws';

const require = createRequire(import.meta.url);

/**
 * PeerJS listens for close, not error, on its signaling socket; ws throws an
 * 'error' nobody listens to, which would end the process whenever the
 * signaling server is away. The close that follows is what PeerJS handles.
 */
class NodeWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    this.on('error', () => undefined);
  }
}

export function installWebRtcGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  if (g['RTCPeerConnection']) return;
  const wrtc = require('@roamhq/wrtc') as Record<string, unknown>;
  for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'RTCDataChannel', 'MediaStream', 'MediaStreamTrack']) {
    if (wrtc[name]) g[name] = wrtc[name];
  }
  g['WebSocket'] ??= NodeWebSocket;
  // PeerJS reads the browser from the user agent and checks a few window properties.
  const nav = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', platform: 'Linux x86_64' };
  if (!g['navigator']) g['navigator'] = nav;
  g['location'] ??= { protocol: 'http:', hostname: 'localhost', href: 'http://localhost/' };
  // A small window of its own, not globalThis: webrtc-adapter patches the
  // RTC classes it finds on window, and wrtc's do not take those patches.
  g['window'] ??= { navigator: g['navigator'], location: g['location'] };
}
