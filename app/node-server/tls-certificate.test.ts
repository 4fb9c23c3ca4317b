import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCertificate, TlsSettingsError } from './tls-certificate';
import { addressLines, serveSettings } from './serve-settings';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tls-test-'));
  dirs.push(d);
  return d;
}
const NAMES = ['my-laptop', 'my-laptop.local', 'localhost', '127.0.0.1', '192.0.2.7', '::1'];

describe('the node certificate', () => {
  it('is made on first run naming the machine’s names and addresses, then kept', async () => {
    const root = tempDir();
    const made = await loadCertificate({}, NAMES, root);
    expect(made.source).toBe('made');
    const cert = new X509Certificate(made.cert);
    for (const n of ['my-laptop', 'my-laptop.local', 'localhost']) expect(cert.checkHost(n)).toBe(n);
    for (const ip of ['127.0.0.1', '192.0.2.7', '::1']) expect(cert.checkIP(ip)).toBeDefined();
    expect(cert.checkHost('other-host')).toBeUndefined();
    const again = await loadCertificate({}, NAMES, root);
    expect(again.source).toBe('kept');
    expect(again.fingerprint256).toBe(made.fingerprint256);
    expect(readFileSync(join(root, '.tls', 'self-signed-key.pem'), 'utf8')).toBe(made.key);
  }, 30_000);

  it('is made again when the machine has a new address, or when it is about to expire, or damaged', async () => {
    const root = tempDir();
    const first = await loadCertificate({}, NAMES, root);
    const moved = await loadCertificate({}, [...NAMES, '198.51.100.9'], root);
    expect(moved.source).toBe('made');
    expect(new X509Certificate(moved.cert).checkIP('198.51.100.9')).toBeDefined();
    const later = await loadCertificate({}, [...NAMES, '198.51.100.9'], root, Date.now() + 360 * 24 * 3600_000);
    expect(later.source).toBe('made');
    writeFileSync(join(root, '.tls', 'self-signed-cert.pem'), 'garbage');
    expect((await loadCertificate({}, NAMES, root)).source).toBe('made');
    expect(first.fingerprint256).not.toBe(moved.fingerprint256);
  }, 30_000);

  it('uses TLS_CERT/TLS_KEY as given, and refuses unusable ones in words', async () => {
    const root = tempDir();
    const a = await loadCertificate({ TLS_DIR: 'a' }, NAMES, root);
    const b = await loadCertificate({ TLS_DIR: 'b' }, NAMES, root);
    const given = await loadCertificate({ TLS_CERT: 'a/self-signed-cert.pem', TLS_KEY: 'a/self-signed-key.pem' }, NAMES, root);
    expect(given.source).toBe('given');
    expect(given.fingerprint256).toBe(a.fingerprint256);
    await expect(loadCertificate({ TLS_CERT: 'a/self-signed-cert.pem' }, NAMES, root)).rejects.toThrow(/set both TLS_CERT and TLS_KEY/);
    await expect(loadCertificate({ TLS_CERT: 'a/self-signed-cert.pem', TLS_KEY: 'b/self-signed-key.pem' }, NAMES, root)).rejects.toThrow(/TLS_KEY .* is not the key of TLS_CERT/);
    await expect(loadCertificate({ TLS_CERT: 'a/self-signed-key.pem', TLS_KEY: 'a/self-signed-key.pem' }, NAMES, root)).rejects.toThrow(/is not a PEM certificate/);
    await expect(loadCertificate({ TLS_CERT: 'nope.pem', TLS_KEY: 'nope.key' }, NAMES, root)).rejects.toThrow(TlsSettingsError);
    expect(b.source).toBe('made');
  }, 30_000);
});

describe('serve settings', () => {
  it('plain HTTP stays on localhost and answers this machine’s names and ALLOWED_HOSTS; HTTPS listens everywhere and allows any name', async () => {
    const root = tempDir();
    const plain = await serveSettings({ ALLOWED_HOSTS: 'My-Laptop.test' }, root);
    expect(plain).toMatchObject({ tls: null, host: 'localhost' });
    expect(plain.allowedHosts).toContain('my-laptop.test');
    expect(plain.allowedHosts).toContain('localhost');
    const https = await serveSettings({ HTTPS: '1', TLS_NAMES: 'node.example.org' }, root);
    expect(https.host).toBe(true);
    expect(https.allowedHosts).toBe(true);
    expect(new X509Certificate(https.tls!.cert).checkHost('node.example.org')).toBe('node.example.org');
    const lines = addressLines(https, 5173);
    expect(lines[0]).toMatch(/^Open the app from other machines at: https:\/\/node\.example\.org:5173\//);
    expect(lines[1]).toMatch(/self-signed .* SHA-256 fingerprint is ([0-9A-F]{2}:){31}[0-9A-F]{2}\.$/);
    expect(addressLines(https, 5173, '127.0.0.1')[0]).toBe('Open the app from other machines at: https://127.0.0.1:5173/');
  }, 30_000);
});
