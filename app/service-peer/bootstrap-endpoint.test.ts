/**
 * The bootstrap endpoint on loopback: a signaling server on a port of the
 * service peer's own, with the same proof of key (nobody holds an ID there
 * without its key), published under the URL it was told or the one it bound.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { exportSpki, fromBase64, generateSigningKeyPair, makeKeyProof, nodeIdFromSpki, signBytes } from '../identity';
import { startBootstrapEndpoint, type BootstrapEndpoint } from './bootstrap-endpoint';

let endpoint: BootstrapEndpoint | null = null;
afterEach(async () => {
  await endpoint?.close();
  endpoint = null;
});

/** Opens a PeerJS socket on the endpoint for `id` with `token`; resolves with the first message's type and code. */
function firstMessage(url: string, id: string, token: string): Promise<{ type: string; msg?: string }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/peerjs?key=peerjs&id=${id}&token=${token}&version=1.5.5`);
  return new Promise((resolve, reject) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; payload?: { msg?: string } };
      ws.terminate();
      resolve({ type: m.type, ...(m.payload?.msg ? { msg: m.payload.msg } : {}) });
    });
    ws.on('error', reject);
  });
}

describe('bootstrap endpoint', () => {
  it('listens on a free port, advertises http://HOST:PORT/peerjs, and gives an ID only to the holder of its key', async () => {
    const lines: string[] = [];
    endpoint = await startBootstrapEndpoint({ port: 0, host: '127.0.0.1', urls: [] }, (l) => lines.push(l));
    expect(endpoint.urls).toEqual([`http://127.0.0.1:${endpoint.port}/peerjs`]);
    expect(endpoint.localUrl).toBe(endpoint.urls[0]);
    const owner = await generateSigningKeyPair();
    const mallory = await generateSigningKeyPair();
    const ownerSpki = await exportSpki(owner.publicKey);
    const ownerId = await nodeIdFromSpki(ownerSpki);
    const nonce = async () => fromBase64(((await (await fetch(`${endpoint!.localUrl}/challenge`)).json()) as { nonce: string }).nonce);
    // Mallory signs a fresh challenge for the owner's ID with her key: refused, and counted.
    const forged = await makeKeyProof(await nonce(), ownerId, ownerSpki, (p) => signBytes(mallory.privateKey, p));
    expect(await firstMessage(endpoint.localUrl, ownerId, forged)).toEqual({ type: 'ERROR', msg: 'key-proof-refused:bad-signature' });
    expect(await firstMessage(endpoint.localUrl, ownerId, 'no-proof')).toEqual({ type: 'ERROR', msg: 'key-proof-refused:malformed' });
    expect(endpoint.signaling.counters().refusedProofs).toBe(2);
    const proof = await makeKeyProof(await nonce(), ownerId, ownerSpki, (p) => signBytes(owner.privateKey, p));
    expect(await firstMessage(endpoint.localUrl, ownerId, proof)).toEqual({ type: 'OPEN' });
    expect(lines.some((l) => l.startsWith('bootstrap endpoint: refused'))).toBe(true);
  });

  it('publishes the URLs it was given, and registers itself over loopback when it listens on every address', async () => {
    endpoint = await startBootstrapEndpoint({ port: 0, host: '0.0.0.0', urls: ['https://sp.example/peerjs'] }, () => undefined);
    expect(endpoint.urls).toEqual(['https://sp.example/peerjs']);
    expect(endpoint.localUrl).toBe(`http://127.0.0.1:${endpoint.port}/peerjs`);
    expect((await fetch(`${endpoint.localUrl}/challenge`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${endpoint.port}/other`)).status).toBe(404);
  });

  it('says why it cannot listen', async () => {
    endpoint = await startBootstrapEndpoint({ port: 0, host: '127.0.0.1', urls: [] }, () => undefined);
    await expect(startBootstrapEndpoint({ port: endpoint.port, host: '127.0.0.1', urls: [] }, () => undefined)).rejects.toThrow(/EADDRINUSE/);
  });
});
