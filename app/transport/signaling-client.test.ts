import { describe, expect, it, vi } from 'vitest';
import type { Peer, PeerOptions } from 'peerjs';
import { SignalingClient, type SignalingState } from './signaling-client';
import { parseServerUrl } from './server-list';
import { ManualClock } from '../common/testing';
import { FakeDataConnection } from './testing/fake-data-connection';
import { exportSpki, generateSigningKeyPair, signBytes, toBase64Url } from '../identity';
import type { FetchLike } from './key-proof-client';

/** Just enough of a PeerJS Peer for the client: events, disconnect, reconnect, destroy. */
class FakePeer {
  destroyed = false;
  disconnected = false;
  reconnects = 0;
  private handlers = new Map<string, ((arg?: unknown) => void)[]>();
  constructor(
    readonly id: string,
    readonly options: PeerOptions,
  ) {}
  on(ev: string, fn: (arg?: unknown) => void): this {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), fn]);
    return this;
  }
  emit(ev: string, arg?: unknown): void {
    for (const fn of this.handlers.get(ev) ?? []) fn(arg);
  }
  /** The server accepted us. */
  open(): void {
    this.disconnected = false;
    this.emit('open', this.id);
  }
  /** The socket failed: PeerJS reports an error, then a disconnect. */
  fail(): void {
    this.emit('error', { type: 'network' });
    this.disconnected = true;
    this.emit('disconnected', this.id);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  reconnect(): void {
    this.reconnects++;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** A draw of 0.5 is no jitter, so the back-off steps below are exact. */
function setup(urls: string[], random = { next: () => 0.5 }) {
  const clock = new ManualClock(0);
  const peers: FakePeer[] = [];
  const states: SignalingState[] = [];
  const client = new SignalingClient({
    nodeId: 'a'.repeat(40),
    servers: urls.map((u) => parseServerUrl(u)),
    clock,
    random,
    createPeer: (id, options) => {
      const p = new FakePeer(id, options);
      peers.push(p);
      return p as unknown as Peer;
    },
  });
  client.onState((s) => states.push(s));
  return { clock, peers, states, client };
}

describe('SignalingClient', () => {
  it('fails over to the next server at once and uses no ICE servers by default', () => {
    const { peers, client } = setup(['http://a:1/peerjs', 'http://b:2/peerjs']);
    client.start();
    expect(peers[0]!.options).toMatchObject({ host: 'a', port: 1, path: '/peerjs', config: { iceServers: [] } });
    peers[0]!.fail();
    expect(peers).toHaveLength(2);
    expect(peers[1]!.options.host).toBe('b');
    peers[1]!.open();
    expect(client.state).toMatchObject({ kind: 'online', server: 'http://b:2/peerjs' });
  });

  it('backs off 0.5 s, 1 s, 2 s … when every server fails, and starts from the most preferred', () => {
    const { clock, peers, states, client } = setup(['http://a:1/peerjs', 'http://b:2/peerjs']);
    client.start();
    const waits: number[] = [];
    for (let round = 0; round < 5; round++) {
      peers.at(-1)!.fail(); // a
      peers.at(-1)!.fail(); // b
      const s = client.state;
      expect(s.kind).toBe('offline');
      if (s.kind === 'offline') waits.push(s.retryInMs);
      clock.advance(waits.at(-1)! - 1);
      expect(client.state.kind).toBe('offline');
      clock.advance(1);
      expect(client.state).toMatchObject({ kind: 'connecting', server: 'http://a:1/peerjs' });
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(states.some((s) => s.kind === 'online')).toBe(false);
    peers.at(-1)!.open();
    expect(client.state.kind).toBe('online');
  });

  it('tries the fallbacks (bootstrap endpoints) after the servers, best first, and backs off with jitter only when every one failed', () => {
    const draws = [0, 1];
    const { clock, peers, client } = setup(['http://a:1/peerjs'], { next: () => draws.shift() ?? 0.5 });
    client.setFallbacks([
      { ...parseServerUrl('http://boot1:9/peerjs'), bootstrap: true },
      { ...parseServerUrl('http://a:1/peerjs'), bootstrap: true }, // already a server: tried once
      { ...parseServerUrl('http://boot2:9/peerjs'), bootstrap: true },
    ]);
    expect(client.tryList.map((s) => s.host)).toEqual(['a', 'boot1', 'boot2']);
    client.start();
    peers.at(-1)!.fail(); // a
    peers.at(-1)!.fail(); // boot1
    peers.at(-1)!.fail(); // boot2
    // A draw of 0 is the most shortening: 0.5 s − 25 %.
    expect(client.state).toMatchObject({ kind: 'offline', retryInMs: 375 });
    clock.advance(375);
    peers.at(-1)!.fail(); // a
    expect(client.state).toMatchObject({ kind: 'connecting', server: 'http://boot1:9/peerjs' });
    peers.at(-1)!.open();
    expect(client.state).toMatchObject({ kind: 'online', server: 'http://boot1:9/peerjs' });
    expect(client.server?.bootstrap).toBe(true);
    // Changing the fallbacks while online on one reconnects nothing.
    const made = peers.length;
    client.setFallbacks([]);
    expect(peers).toHaveLength(made);
    expect(client.state.kind).toBe('online');
  });

  it('goes back from a fallback to the most preferred server once it answers a challenge again', async () => {
    const clock = new ManualClock(0);
    const peers: FakePeer[] = [];
    const up = new Set(['boot']);
    const fetch: FetchLike = (url) =>
      up.has(new URL(url).hostname)
        ? Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve({ nonce: toBase64Url(new Uint8Array(32)) }) })
        : Promise.reject(new Error('connection refused'));
    const keys = await generateSigningKeyPair();
    const client = new SignalingClient({
      nodeId: 'a'.repeat(40),
      servers: [parseServerUrl('http://main:1/peerjs')],
      clock,
      random: { next: () => 0.5 },
      fetch,
      keyProof: { spki: await exportSpki(keys.publicKey), sign: (p) => signBytes(keys.privateKey, p) },
      createPeer: (id, options) => {
        const p = new FakePeer(id, options);
        peers.push(p);
        return p as unknown as Peer;
      },
    });
    const settle = () => new Promise((r) => setTimeout(r, 50));
    client.setFallbacks([{ ...parseServerUrl('http://boot:2/peerjs'), bootstrap: true }]);
    client.start();
    // Proving the key signs with WebCrypto, in real time: wait for the client to reach the endpoint.
    await vi.waitFor(() => expect(peers.at(-1)?.options.host).toBe('boot'), { timeout: 10_000 });
    peers.at(-1)!.open();
    expect(client.state).toMatchObject({ kind: 'online', server: 'http://boot:2/peerjs' });
    // PeerJS says 'disconnected' at once when told to disconnect.
    const boot = peers[0]!;
    boot.disconnect = () => {
      boot.disconnected = true;
      boot.emit('disconnected', boot.id);
    };
    // The server is still down at the first check: the client stays where it is.
    clock.advance(60_000);
    await settle();
    expect(client.state).toMatchObject({ kind: 'online', server: 'http://boot:2/peerjs' });
    expect(peers).toHaveLength(1);
    up.add('main');
    clock.advance(60_000);
    await vi.waitFor(() => expect(peers.at(-1)?.options.host).toBe('main'), { timeout: 10_000 });
    expect(peers[0]!.disconnected).toBe(true); // retired, its data connections kept
    peers.at(-1)!.open();
    expect(client.state).toMatchObject({ kind: 'online', server: 'http://main:1/peerjs' });
    // Online through a server of the list: no more checks.
    clock.advance(600_000);
    await settle();
    expect(peers).toHaveLength(2);
  });

  it('keeps the peer (and its data connections) when the server goes away, and reconnects under the same ID', () => {
    const { clock, peers, client } = setup(['http://a:1/peerjs']);
    client.start();
    peers[0]!.open();
    peers[0]!.disconnected = true;
    peers[0]!.emit('disconnected');
    expect(client.state).toMatchObject({ kind: 'offline', retryInMs: 500 });
    clock.advance(500);
    expect(peers).toHaveLength(1);
    expect(peers[0]!.reconnects).toBe(1);
    expect(peers[0]!.destroyed).toBe(false);
    peers[0]!.open();
    expect(client.state.kind).toBe('online');
    // The back-off starts over after a success.
    peers[0]!.disconnected = true;
    peers[0]!.emit('disconnected');
    expect(client.state).toMatchObject({ kind: 'offline', retryInMs: 500 });
  });

  it('gives up on a server that never answers after the attempt timeout', () => {
    const { clock, peers, client } = setup(['http://a:1/peerjs', 'http://b:2/peerjs']);
    client.start();
    clock.advance(7999);
    expect(peers).toHaveLength(1);
    clock.advance(1);
    expect(peers).toHaveLength(2);
    expect(client.state).toMatchObject({ kind: 'connecting', server: 'http://b:2/peerjs' });
  });

  it('ignores errors about single data connections', () => {
    const { peers, client } = setup(['http://a:1/peerjs']);
    client.start();
    peers[0]!.open();
    peers[0]!.emit('error', { type: 'peer-unavailable' });
    expect(client.state.kind).toBe('online');
  });

  it('switches to a new preferred server without destroying the old peer', () => {
    const { peers, client } = setup(['http://a:1/peerjs']);
    client.start();
    peers[0]!.open();
    client.setServers([parseServerUrl('http://b:2/peerjs')]);
    expect(peers).toHaveLength(2);
    expect(peers[0]!.destroyed).toBe(false);
    expect(peers[0]!.disconnected).toBe(true);
    peers[1]!.open();
    expect(client.state).toMatchObject({ kind: 'online', server: 'http://b:2/peerjs' });
    client.stop();
    expect(peers.every((p) => p.destroyed)).toBe(true);
  });

  it('closes a data connection that no listener takes, so no peer keeps an unwanted WebRTC connection to the tab', () => {
    const { peers, client } = setup(['http://a:1/peerjs']);
    client.start();
    peers[0]!.open();
    client.onConnection((conn) => conn.label === 'echo');
    // PeerJS announces an offered connection before it opens.
    const offered = (label: string): FakeDataConnection => {
      const c = Object.assign(new FakeDataConnection(), { label, open: false });
      c.dataChannel = null;
      return c;
    };
    const foreign = offered('not-a-link');
    peers[0]!.emit('connection', foreign);
    expect(foreign.pc.signalingState).toBe('closed');
    const wanted = offered('echo');
    peers[0]!.emit('connection', wanted);
    expect(wanted.pc.signalingState).not.toBe('closed');
  });

  it('hands new ICE servers to the current and the retired peers, for the links they make next', () => {
    const { peers, client } = setup(['http://a:1/peerjs']);
    client.start();
    peers[0]!.open();
    client.setServers([parseServerUrl('http://b:2/peerjs')]);
    const turn = { urls: 'turn:203.0.113.10:3478', username: '1:x', credential: 'y' };
    client.setIceServers([turn]);
    expect(peers.map((p) => (p.options.config as RTCConfiguration).iceServers)).toEqual([[turn], [turn]]);
    expect(client.iceServerList).toEqual([turn]);
    client.setServers([parseServerUrl('http://c:3/peerjs')]);
    expect((peers[2]!.options.config as RTCConfiguration).iceServers).toEqual([turn]);
  });
});

describe('SignalingClient: back-off jitter', () => {
  it('spreads each wait by up to ±25 %, so tabs that lost the server together do not retry together', () => {
    const draws = [0, 0.999999, 0.25];
    const { peers, states, client, clock } = setup(['http://a:1/peerjs'], { next: () => draws.shift() ?? 0.5 });
    client.start();
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      peers.at(-1)!.fail();
      const s = states.at(-1)!;
      if (s.kind !== 'offline') throw new Error(`expected offline, got ${s.kind}`);
      waits.push(s.retryInMs);
      clock.advance(s.retryInMs);
    }
    // 0.5 s −25 %, 1 s +25 %, 2 s −12.5 %
    expect(waits).toEqual([375, 1250, 1750]);
  });

  it('jittered(): stays within ±share and is not constant over many tabs', async () => {
    const { jittered } = await import('./signaling-client');
    const { SeededRandom } = await import('../common');
    const rng = new SeededRandom(7);
    const waits = Array.from({ length: 200 }, () => jittered(27_000, 0.25, rng));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(20_250);
    expect(Math.max(...waits)).toBeLessThanOrEqual(33_750);
    expect(Math.max(...waits) - Math.min(...waits)).toBeGreaterThan(10_000);
  });
});

describe('SignalingClient: proof of key', () => {
  async function proving() {
    const { exportSpki, generateSigningKeyPair, nodeIdFromSpki, signBytes, checkKeyProof, toBase64Url } = await import('../identity');
    const keys = await generateSigningKeyPair();
    const spki = await exportSpki(keys.publicKey);
    const nodeId = await nodeIdFromSpki(spki);
    const nonce = crypto.getRandomValues(new Uint8Array(32));
    const asked: string[] = [];
    const clock = new ManualClock(0);
    const peers: FakePeer[] = [];
    const states: SignalingState[] = [];
    const client = new SignalingClient({
      nodeId,
      servers: [parseServerUrl('http://a:1/peerjs')],
      clock,
      createPeer: (id, options) => {
        const p = new FakePeer(id, options);
        peers.push(p);
        return p as unknown as Peer;
      },
      keyProof: { spki, sign: (p) => signBytes(keys.privateKey, p) },
      fetch: (url) => {
        asked.push(url);
        return Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve({ nonce: toBase64Url(nonce) }) });
      },
    });
    client.onState((s) => states.push(s));
    let taken = false;
    const takeOnce = (n: Uint8Array): boolean => !taken && (taken = true) && n.every((b, i) => b === nonce[i]);
    return { client, peers, states, asked, nodeId, check: (token: unknown) => checkKeyProof(token, nodeId, takeOnce) };
  }
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    await new Promise((r) => setTimeout(r, 20));
  };

  it("signs the server's challenge and hands PeerJS the proof as its token", async () => {
    const { client, peers, asked, check } = await proving();
    client.start();
    expect(peers).toHaveLength(0); // nothing connects before the proof is made
    await settle();
    expect(asked).toEqual(['http://a:1/peerjs/challenge']);
    expect(peers).toHaveLength(1);
    expect(await check(peers[0]!.options.token)).toBeNull();
  });

  it('stops (keeping its data connections) when a newer proven connection took the ID, instead of taking it back', async () => {
    const { client, peers, states } = await proving();
    client.start();
    await settle();
    peers[0]!.open();
    peers[0]!.emit('error', { type: 'server-error', message: 'id-replaced' });
    peers[0]!.disconnected = true;
    peers[0]!.emit('disconnected');
    expect(client.state.kind).toBe('stopped');
    expect(states.at(-1)).toMatchObject({ kind: 'stopped', reason: expect.stringMatching(/another tab or device proved this node's key/) });
    expect(peers[0]!.destroyed).toBe(false);
  });

  it('says the server refused its proof, not that the ID is taken by another tab', async () => {
    const { client, peers } = await proving();
    client.start();
    await settle();
    peers[0]!.emit('error', { type: 'server-error', message: 'key-proof-refused:wrong-key' });
    expect(client.state).toMatchObject({ kind: 'offline', reason: expect.stringMatching(/refused this tab's proof of its node key/) });
  });
});
