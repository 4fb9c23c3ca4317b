/**
 * The signaling server's proof of key, over a real HTTP server and real
 * WebSockets on loopback: an ID is held only by whoever signs a fresh
 * challenge with the key it derives from, a proof is good once, and a new
 * proven connection replaces a stale one at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { exportSpki, fromBase64, generateSigningKeyPair, makeKeyProof, nodeIdFromSpki, signBytes } from '../identity';
import { attachSignalingServer, type SignalingServer } from './signaling-server';
import { ChallengeStore } from './challenges';

interface Key {
  id: string;
  spki: Uint8Array;
  privateKey: CryptoKey;
}

async function newKey(): Promise<Key> {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  return { id: await nodeIdFromSpki(spki), spki, privateKey: keys.privateKey };
}

let server: Server | null = null;
let signaling: SignalingServer | null = null;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  signaling?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = signaling = null;
});

async function start(): Promise<string> {
  const s = createServer((req, res) => signaling!.middleware(req, res, () => ((res.statusCode = 404), res.end())));
  server = s;
  signaling = attachSignalingServer(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function challenge(host: string): Promise<Uint8Array> {
  const res = await fetch(`http://${host}/peerjs/challenge`);
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  return fromBase64(((await res.json()) as { nonce: string }).nonce);
}

async function proof(host: string, key: Key, forId = key.id): Promise<string> {
  return makeKeyProof(await challenge(host), forId, key.spki, (p) => signBytes(key.privateKey, p));
}

interface Session {
  ws: WebSocket;
  /** Server messages so far, parsed. */
  messages: { type: string; payload?: { msg?: string } }[];
  closed: Promise<void>;
  /** Resolves with the first message of `type`. */
  next(type: string): Promise<{ type: string; payload?: { msg?: string } }>;
}

function connect(host: string, id: string, token: string): Session {
  const ws = new WebSocket(`ws://${host}/peerjs/peerjs?key=peerjs&id=${id}&token=${token}&version=1.5.5`);
  sockets.push(ws);
  const messages: Session['messages'] = [];
  const waiters: [string, (m: Session['messages'][number]) => void][] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as Session['messages'][number];
    messages.push(m);
    for (const [t, fn] of waiters) if (t === m.type) fn(m);
  });
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  return {
    ws,
    messages,
    closed,
    next: (type) => {
      const seen = messages.find((m) => m.type === type);
      return seen ? Promise.resolve(seen) : new Promise((r) => waiters.push([type, r]));
    },
  };
}

describe('signaling server: proof of key', () => {
  it('gives an ID to the holder of its key, after a signature over a fresh challenge', async () => {
    const host = await start();
    const alice = await newKey();
    const s = connect(host, alice.id, await proof(host, alice));
    expect((await s.next('OPEN')).type).toBe('OPEN');
    expect(signaling!.peerCount()).toBe(1);
  });

  it('refuses a connection without a proof (PeerJS random token), saying why in a code', async () => {
    const host = await start();
    const alice = await newKey();
    const s = connect(host, alice.id, 'randomtoken123');
    const err = await s.next('ERROR');
    expect(err.payload?.msg).toBe('key-proof-refused:malformed');
    await s.closed;
    expect(s.messages.some((m) => m.type === 'OPEN')).toBe(false);
    expect(signaling!.counters().refusedProofs).toBe(1);
  });

  it("refuses someone else's node ID proven with the wrong key, and the owner stays online, undisturbed", async () => {
    const host = await start();
    const owner = await newKey();
    const mallory = await newKey();
    const o = connect(host, owner.id, await proof(host, owner));
    await o.next('OPEN');
    // Mallory signs a real challenge for the owner's ID with her own key …
    const m1 = connect(host, owner.id, await proof(host, mallory, owner.id));
    expect((await m1.next('ERROR')).payload?.msg).toBe('key-proof-refused:wrong-key');
    // … or presents the owner's public key with her signature.
    const nonce = await challenge(host);
    const forged = await makeKeyProof(nonce, owner.id, owner.spki, (p) => signBytes(mallory.privateKey, p));
    const m2 = connect(host, owner.id, forged);
    expect((await m2.next('ERROR')).payload?.msg).toBe('key-proof-refused:bad-signature');
    await Promise.all([m1.closed, m2.closed]);
    expect(o.ws.readyState).toBe(WebSocket.OPEN);
    expect(o.messages.map((m) => m.type)).toEqual(['OPEN']);
    expect(signaling!.peerCount()).toBe(1);
    expect(signaling!.counters()).toEqual({ refusedProofs: 2, replaced: 0 });
  });

  it('refuses a replayed proof and a nonce it never issued', async () => {
    const host = await start();
    const alice = await newKey();
    const token = await proof(host, alice);
    const first = connect(host, alice.id, token);
    await first.next('OPEN');
    first.ws.close();
    await first.closed;
    const replay = connect(host, alice.id, token);
    expect((await replay.next('ERROR')).payload?.msg).toBe('key-proof-refused:unknown-nonce');
    const made = await makeKeyProof(crypto.getRandomValues(new Uint8Array(32)), alice.id, alice.spki, (p) => signBytes(alice.privateKey, p));
    const invented = connect(host, alice.id, made);
    expect((await invented.next('ERROR')).payload?.msg).toBe('key-proof-refused:unknown-nonce');
  });

  it('a new proven connection replaces a stale one at once instead of "ID is taken"', async () => {
    const host = await start();
    const alice = await newKey();
    const bob = await newKey();
    const old = connect(host, alice.id, await proof(host, alice));
    await old.next('OPEN');
    // The old socket stays open on the server's side, as a half-open one would after a network change.
    const fresh = connect(host, alice.id, await proof(host, alice));
    expect((await fresh.next('OPEN')).type).toBe('OPEN');
    expect(fresh.messages.some((m) => m.type === 'ID-TAKEN')).toBe(false);
    expect((await old.next('ERROR')).payload?.msg).toBe('id-replaced');
    await old.closed;
    expect(signaling!.peerCount()).toBe(1);
    expect(signaling!.counters().replaced).toBe(1);
    // Signaling reaches the new connection: bob's offer to alice arrives on it.
    const b = connect(host, bob.id, await proof(host, bob));
    await b.next('OPEN');
    b.ws.send(JSON.stringify({ type: 'OFFER', dst: alice.id, payload: { sdp: 'x' } }));
    const offer = await fresh.next('OFFER');
    expect(offer).toMatchObject({ type: 'OFFER', src: bob.id });
  });
});

describe('ChallengeStore', () => {
  it('takes each nonce once, forgets it after its time, and keeps at most maxOutstanding', () => {
    let now = 0;
    const store = new ChallengeStore({ ttlMs: 1000, maxOutstanding: 3 }, () => now);
    const a = store.issue();
    expect(store.take(a)).toBe(true);
    expect(store.take(a)).toBe(false);
    const b = store.issue();
    now = 1001;
    expect(store.take(b)).toBe(false);
    const many = [store.issue(), store.issue(), store.issue(), store.issue()];
    expect(store.size).toBe(3);
    expect(store.take(many[0]!)).toBe(false);
    expect(store.take(many[3]!)).toBe(true);
  });
});
