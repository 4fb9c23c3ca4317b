/**
 * Real WebRTC for tests that run JsSIP calls in Node: the RTC classes and
 * getUserMedia of @roamhq/wrtc (libwebrtc, with a synthetic microphone and
 * camera) on the globals JsSIP reads (`window.RTCPeerConnection`,
 * `RTCPeerConnection`, `RTCSessionDescription`, `navigator.mediaDevices`).
 * Test-only: it loads a native module, so nothing in the app imports it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Puts wrtc's WebRTC on the globals, leaving any already there. */
export function installNodeWebRtc(): void {
  const g = globalThis as Record<string, unknown>;
  const wrtc = require('@roamhq/wrtc') as Record<string, unknown>;
  for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'MediaStream', 'MediaStreamTrack']) g[name] ??= wrtc[name];
  const nav = (g['navigator'] ?? {}) as Record<string, unknown>;
  if (!nav['mediaDevices']) Object.defineProperty(nav, 'mediaDevices', { value: wrtc['mediaDevices'], configurable: true });
  if (!g['navigator']) g['navigator'] = nav;
  g['window'] ??= { RTCPeerConnection: g['RTCPeerConnection'], navigator: g['navigator'] };
}
