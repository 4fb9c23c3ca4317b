/**
 * The signaling server behind HTTPS, where browsers fetch over HTTP/2: the
 * challenge and the peer listing are answered, anything else under the
 * mount gets a 404, and the server stays up. Before, Express took `url`
 * away from an HTTP/2 request and the dev server threw and ended at the
 * first fetch of a challenge. A real HTTP/2 server on loopback with a
 * self-signed certificate, a real HTTP/2 client.
 */
import { connect, createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCertificate } from '../node-server/tls-certificate';
import { attachSignalingServer } from './signaling-server';

const dir = mkdtempSync(join(tmpdir(), 'signaling-h2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GETs `path` over one HTTP/2 session; resolves with the status and body, rejects when no answer came within 5 s. */
function get(origin: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(origin, { rejectUnauthorized: false });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`no answer to ${path} within 5 s`));
    }, 5000);
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let body = '';
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      clearTimeout(timer);
      session.close();
      resolve({ status, body });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('signaling over HTTP/2 (HTTPS)', () => {
  it('answers the challenge and the peer listing, refuses other routes, and stays up', { timeout: 30_000 }, async () => {
    const tls = await loadCertificate({ TLS_DIR: dir }, ['localhost'], dir);
    const thrown: unknown[] = [];
    let server: Http2SecureServer | null = null;
    const s = createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true }, (req, res) => {
      try {
        signaling.middleware(req as never, res as never, () => ((res.statusCode = 404), res.end()));
      } catch (e) {
        thrown.push(e);
        res.stream?.close();
      }
    });
    server = s;
    const signaling = attachSignalingServer(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const origin = `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      const challenge = await get(origin, '/peerjs/challenge');
      expect(challenge.status).toBe(200);
      expect(JSON.parse(challenge.body)).toMatchObject({ nonce: expect.any(String), ttlMs: expect.any(Number) });
      const peers = await get(origin, '/peerjs/peerjs/peers');
      expect(peers.status).toBe(200);
      expect(JSON.parse(peers.body)).toEqual([]);
      expect((await get(origin, '/peerjs/peerjs/id')).status).toBe(404);
      expect((await get(origin, '/peerjs/challenge?x=1')).status).toBe(200);
      expect(thrown).toEqual([]);
    } finally {
      signaling.close();
      await new Promise<void>((r) => server!.close(() => r()));
    }
  });
});
