/**
 * The certificate a node serves HTTPS with: the operator's own (TLS_CERT and
 * TLS_KEY, PEM files), or a self-signed one made on first run by the
 * `selfsigned` package and kept (in TLS_DIR, default `.tls`), so browsers
 * that accepted it once keep accepting it. A kept certificate is made again
 * only when it is about to expire or no longer names one of this machine's
 * names and addresses (a browser would refuse it anyway).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import selfsigned from 'selfsigned';

/** The certificate and key in PEM, and where they came from. */
export interface TlsCertificate {
  cert: string;
  key: string;
  /** `given`: TLS_CERT/TLS_KEY; `kept`: the self-signed one from an earlier run; `made`: made just now. */
  source: 'given' | 'kept' | 'made';
  /** The certificate's file, for processes that must trust it (NODE_EXTRA_CA_CERTS). */
  certPath: string;
  /** SHA-256 fingerprint, as browsers show it, so a person can check the warning they click through. */
  fingerprint256: string;
  /** When it expires. */
  validTo: Date;
}

/** A TLS setting that cannot be used; the message says which and why. */
export class TlsSettingsError extends Error {
  override name = 'TlsSettingsError';
}

const CERT_FILE = 'self-signed-cert.pem';
const KEY_FILE = 'self-signed-key.pem';
/** A kept certificate with less left than this is made again. */
const RENEW_BEFORE_MS = 7 * 24 * 3600_000;
const VALID_DAYS = 365;

/** True when the certificate names every one of `names` (host names and IP addresses). */
export function certificateNames(cert: X509Certificate, names: readonly string[]): boolean {
  return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
}

function describe(cert: X509Certificate, key: string, source: TlsCertificate['source'], certPath: string): TlsCertificate {
  return { cert: cert.toString(), key, source, certPath, fingerprint256: cert.fingerprint256, validTo: new Date(cert.validTo) };
}

function readGiven(certPath: string, keyPath: string): TlsCertificate {
  let certText: string;
  let keyText: string;
  try {
    certText = readFileSync(certPath, 'utf8');
    keyText = readFileSync(keyPath, 'utf8');
  } catch (e) {
    throw new TlsSettingsError(`TLS_CERT/TLS_KEY cannot be read: ${(e as Error).message}`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch {
    throw new TlsSettingsError(`TLS_CERT (${certPath}) is not a PEM certificate`);
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyText))) throw new TlsSettingsError(`TLS_KEY (${keyPath}) is not the key of TLS_CERT (${certPath})`);
  } catch (e) {
    if (e instanceof TlsSettingsError) throw e;
    throw new TlsSettingsError(`TLS_KEY (${keyPath}) is not a PEM private key`);
  }
  if (new Date(cert.validTo).getTime() < Date.now()) throw new TlsSettingsError(`TLS_CERT (${certPath}) expired on ${cert.validTo}`);
  // A chain (leaf then intermediates) is served as given.
  return { ...describe(cert, keyText, 'given', certPath), cert: certText };
}

function readKept(dir: string, names: readonly string[], now: number): TlsCertificate | null {
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (!existsSync(certPath) || !existsSync(keyPath)) return null;
  try {
    const cert = new X509Certificate(readFileSync(certPath, 'utf8'));
    const key = readFileSync(keyPath, 'utf8');
    if (!cert.checkPrivateKey(createPrivateKey(key))) return null;
    if (new Date(cert.validTo).getTime() - now < RENEW_BEFORE_MS) return null;
    if (!certificateNames(cert, names)) return null;
    return describe(cert, key, 'kept', certPath);
  } catch {
    // A damaged file is made again: nothing but this node uses it.
    return null;
  }
}

/**
 * The certificate to serve with.
 * @param env TLS_CERT and TLS_KEY (both or neither), TLS_DIR
 * @param names host names and IP addresses a self-signed certificate must name
 * @param root where a relative TLS_DIR is
 * @throws TlsSettingsError when TLS_CERT/TLS_KEY are set but unusable
 */
export async function loadCertificate(env: Record<string, string | undefined>, names: readonly string[], root = process.cwd(), now = Date.now()): Promise<TlsCertificate> {
  const certPath = env['TLS_CERT'];
  const keyPath = env['TLS_KEY'];
  if (certPath || keyPath) {
    if (!certPath || !keyPath) throw new TlsSettingsError('set both TLS_CERT and TLS_KEY (PEM files), or neither for a self-signed certificate');
    return readGiven(resolve(root, certPath), resolve(root, keyPath));
  }
  const dir = resolve(root, env['TLS_DIR'] || '.tls');
  const kept = readKept(dir, names, now);
  if (kept) return kept;
  const hostNames = names.filter((n) => !isIP(n));
  const pems = await selfsigned.generate([{ name: 'commonName', value: hostNames[0] ?? 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3600_000),
    notAfterDate: new Date(now + VALID_DAYS * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })) },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, KEY_FILE), pems.private, { mode: 0o600 });
  writeFileSync(join(dir, CERT_FILE), pems.cert);
  return describe(new X509Certificate(pems.cert), pems.private, 'made', join(dir, CERT_FILE));
}
