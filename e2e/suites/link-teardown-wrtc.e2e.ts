/**
 * The same teardown on the Node WebRTC stack the service peer runs on
 * (@roamhq/wrtc): closing a link's channel delivers what was sent last (the
 * goodbye frame), never PeerJS's internal close object as the text
 * "[object Object]", and closes both RTCPeerConnections (issue 13, kind 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataConnection, Peer as PeerType } from 'peerjs';
import { installWebRtcGlobals } from '../../app/service-peer/webrtc-env.ts';
import { parseServerUrl, peerJsChannel, proveKeyTo, type Channel } from '../../app/transport/index.ts';
import { exportSpki, generateSigningKeyPair, nodeIdFromSpki, signBytes } from '../../app/identity/index.ts';
import { appURL } from '../helpers/browser.ts';

let peers: PeerType[] = [];

async function openPeer(): Promise<PeerType> {
  const { Peer } = await import('peerjs');
  const s = parseServerUrl(`${appURL().replace(/\/$/, '')}/peerjs`);
  // The signaling server gives a node ID only to whoever proves the key it derives from.
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const id = await nodeIdFromSpki(spki);
  const token = (await proveKeyTo(s, id, { spki, sign: (p) => signBytes(keys.privateKey, p) }, fetch)) ?? undefined;
  const peer = new Peer(id, { host: s.host, port: s.port, path: s.path, secure: s.secure, key: 'peerjs', debug: 0, config: { iceServers: [] }, ...(token ? { token } : {}) });
  await new Promise<void>((resolve, reject) => {
    peer.on('open', () => resolve());
    peer.on('error', (e) => reject(new Error(e.message)));
  });
  peers.push(peer);
  return peer;
}

/** Resolves when `pc` is closed; rejects with its states after `ms`. */
function closedWithin(pc: RTCPeerConnection, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (pc.signalingState === 'closed') resolve();
      else if (Date.now() - started > ms) reject(new Error(`RTCPeerConnection still up after ${ms} ms (signaling ${pc.signalingState}, ice ${pc.iceConnectionState})`));
      else setTimeout(check, 50);
    };
    check();
  });
}

beforeAll(() => installWebRtcGlobals());

afterAll(() => {
  for (const p of peers) p.destroy();
  peers = [];
});

describe('a raw PeerJS link on @roamhq/wrtc', () => {
  it.each(['dialer', 'answerer'] as const)('closed by the %s: the last frame arrives, then both RTCPeerConnections close', async (closer) => {
    const [a, b] = [await openPeer(), await openPeer()];
    const answered = new Promise<DataConnection>((resolve) => b.on('connection', (c) => c.on('open', () => resolve(c))));
    const dialed = a.connect(b.id, { reliable: true, serialization: 'raw', label: 'p2p-link' });
    await new Promise<void>((resolve) => dialed.on('open', () => resolve()));
    const conns = { dialer: dialed, answerer: await answered };
    const pcs = [conns.dialer.peerConnection, conns.answerer.peerConnection];
    const closing = peerJsChannel(conns[closer]);
    const far = conns[closer === 'dialer' ? 'answerer' : 'dialer'];
    const farChannel: Channel = peerJsChannel(far);
    const received: unknown[] = [];
    far.on('data', (d) => received.push(d));
    const farClosed = new Promise<void>((resolve) => farChannel.onClose(resolve));
    closing.send(new TextEncoder().encode('goodbye'));
    closing.close();
    await Promise.all(pcs.map((pc) => closedWithin(pc, 5000)));
    await farClosed;
    expect(received.map((d) => (typeof d === 'string' ? `text: ${d}` : new TextDecoder().decode(d as ArrayBuffer)))).toEqual(['goodbye']);
  });
});
