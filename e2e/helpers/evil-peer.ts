/**
 * A misbehaving test peer: a real PeerJS client in Node (WebRTC from wrtc)
 * that connects to a tab and breaks the link protocol in one chosen way.
 * Run as a child process by the end-to-end suite, inside its loopback-only
 * namespace:  tsx e2e/helpers/evil-peer.ts <signaling-url> <target-node-id> <mode>
 * It prints one JSON line: what happened to its connection, whether the tab's
 * close released its RTCPeerConnection, and how many text (not binary)
 * messages arrived (a tab sends none; PeerJS's flushing close sent one).
 */
import { installWebRtcGlobals } from '../../app/service-peer/webrtc-env.ts';
import { canonicalDecode, canonicalEncode, DEFAULT_ID_PUZZLE, exportSpki, generatePuzzleKeyPair, generateSigningKeyPair, nodeIdFromSpki, signBytes, solveDynamicPuzzle } from '../../app/identity/index.ts';

type Mode = 'garbage' | 'oversized' | 'wrong-key' | 'data-before-handshake' | 'ping-flood' | 'no-puzzle' | 'wrong-puzzle';

async function main(): Promise<void> {
  const [url, target, mode] = process.argv.slice(2) as [string, string, Mode];
  installWebRtcGlobals();
  const { Peer } = await import('peerjs');
  const { parseServerUrl, proveKeyTo } = await import('../../app/transport/index.ts');
  // The puzzle modes need a key that meets the overlay's static puzzle, so that they are refused for
  // the dynamic puzzle alone; the others send no hello with their own key, and skip that work.
  const keys = mode === 'no-puzzle' || mode === 'wrong-puzzle' ? (await generatePuzzleKeyPair(DEFAULT_ID_PUZZLE.staticBits)).keys : await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const myId = await nodeIdFromSpki(spki);
  const other = await exportSpki((await generateSigningKeyPair()).publicKey);
  const s = parseServerUrl(url);
  // The signaling server lets an ID be held only with proof of its key; the evil peer proves its own.
  const token = (await proveKeyTo(s, myId, { spki, sign: (p) => signBytes(keys.privateKey, p) }, fetch)) ?? undefined;
  const peer = new Peer(myId, { host: s.host, port: s.port, path: s.path, secure: s.secure, key: 'peerjs', debug: 0, config: { iceServers: [] }, ...(token ? { token } : {}) });
  await new Promise<void>((resolve, reject) => {
    peer.on('open', () => resolve());
    peer.on('error', (e) => reject(new Error(e.message)));
  });
  const conn = peer.connect(target, { reliable: true, serialization: 'raw', label: 'p2p-link' });
  const frames: unknown[] = [];
  const closed = new Promise<string>((resolve) => {
    conn.on('close', () => resolve('closed'));
    conn.on('error', () => resolve('error'));
  });
  let textFrames = 0;
  conn.on('data', (d) => (typeof d === 'string' ? textFrames++ : frames.push(d)));
  await new Promise<void>((resolve) => conn.on('open', () => resolve()));
  const pc = conn.peerConnection;
  const send = (b: Uint8Array): void => void conn.send(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const hello = (nodeId: string, key: Uint8Array) =>
    canonicalEncode({ t: 'hello', protocol: 'p2p-link/1', overlay: 'p2p.local', nodeId, spki: key, nonce: crypto.getRandomValues(new Uint8Array(32)) });
  switch (mode) {
    case 'garbage':
      send(crypto.getRandomValues(new Uint8Array(300)));
      break;
    case 'oversized':
      send(new Uint8Array(200 * 1024));
      break;
    case 'wrong-key':
      // Claims its own ID but presents someone else's key.
      send(hello(myId, other));
      break;
    case 'data-before-handshake':
      send(canonicalEncode({ t: 'chunk', data: new Uint8Array(10), more: false }));
      break;
    case 'ping-flood':
      for (let i = 0; i < 5000; i++) send(canonicalEncode({ t: 'ping', n: i }));
      break;
    case 'no-puzzle':
      // An honest hello (its own key and ID) that skips the overlay's node ID puzzle.
      send(hello(myId, spki));
      break;
    case 'wrong-puzzle': {
      // A solution, but for another key: work cannot be reused across IDs.
      const { x } = await solveDynamicPuzzle(other, DEFAULT_ID_PUZZLE.dynamicBits);
      send(canonicalEncode({ t: 'hello', protocol: 'p2p-link/1', overlay: 'p2p.local', nodeId: myId, spki, nonce: crypto.getRandomValues(new Uint8Array(32)), puzzle: x }));
      break;
    }
  }
  // The tab says goodbye with its reason, then closes the connection.
  const bye = new Promise<string>((resolve) => {
    const check = setInterval(() => {
      for (const f of frames) {
        try {
          const v = canonicalDecode(new Uint8Array(f as ArrayBuffer)) as { t?: string; reason?: string };
          if (v.t === 'bye') {
            clearInterval(check);
            resolve(`closed: ${v.reason ?? ''}`);
          }
        } catch {
          // not a frame we understand
        }
      }
    }, 50);
  });
  const outcome = await Promise.race([bye, closed, new Promise<string>((r) => setTimeout(() => r('still open'), 8000))]);
  // The tab's close resets the data channel, and this side's PeerJS then closes its RTCPeerConnection.
  const started = Date.now();
  while (outcome !== 'still open' && pc.signalingState !== 'closed' && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50));
  const released = pc.signalingState === 'closed';
  console.log(JSON.stringify({ mode, outcome, framesReceived: frames.length, textFrames, released }));
  peer.destroy();
  process.exit(0);
}

main().catch((e: unknown) => {
  console.log(JSON.stringify({ error: (e as Error).message }));
  process.exit(1);
});
