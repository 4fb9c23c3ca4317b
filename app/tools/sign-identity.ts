/**
 * `npm run sign-identity`: the operator's tool for a closed deployment. It
 * makes a root key pair, and signs a user's public signing key and name into
 * a certificate that peers trusting the root accept without asking.
 *
 *   npm run sign-identity -- --new-root root.json
 *   npm run sign-identity -- --root-key root.json --user-key <key or file> --name alice [--days 365] [--overlay p2p.local] [--out cert.json]
 *
 * The root's private key sits in a JSON file as a JWK: fine for an operator
 * tool, and the file is written readable by its owner only.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  certificateNameProblem,
  exportSpki,
  fromBase64,
  generateSigningKeyPair,
  importVerifyKey,
  issueCertificate,
  keyFingerprint,
  serializeCertificate,
  toBase64Url,
  type IdentityCertificate,
} from '../identity';
import { parsePublicKeyText } from '../permissions';

export const ROOT_KEY_FORMAT = 'p2p-softphone/root-key';
export const ROOT_PUBLIC_FORMAT = 'p2p-softphone/root-public-key';
const DAY_MS = 86_400_000;
const MAX_DAYS = 36_500;

const USAGE = `Usage:
  npm run sign-identity -- --new-root root.json [--force]
      Makes a root key pair: root.json (private, keep it safe) and
      root.public.json (give it to the people who should trust this root).
  npm run sign-identity -- --root-key root.json --user-key <key or file> --name alice
                           [--days 365] [--overlay p2p.local] [--out cert.json]
      Signs a user's public signing key (base64, hex, PEM or a file holding
      one) and name into a certificate, written to --out or printed.`;

/** A mistake in how the command was called or in what it was given. */
export class SignIdentityError extends Error {
  override name = 'SignIdentityError';
}

export interface NewRoot {
  /** Contents of the private key file. */
  readonly privateFile: string;
  /** Contents of the public key file. */
  readonly publicFile: string;
  readonly fingerprint: string;
}

/** Makes a root key pair and the two files that hold it. */
export async function createRootKey(now: number): Promise<NewRoot> {
  const pair = await generateSigningKeyPair(true);
  const spki = await exportSpki(pair.publicKey);
  const jwk = await globalThis.crypto.subtle.exportKey('jwk', pair.privateKey);
  const fingerprint = await keyFingerprint(spki);
  const publicKey = toBase64Url(spki);
  const created = new Date(now).toISOString();
  const json = (o: object): string => JSON.stringify(o, null, 2) + '\n';
  return {
    privateFile: json({ format: ROOT_KEY_FORMAT, version: 1, created, fingerprint, publicKey, privateKeyJwk: jwk }),
    publicFile: json({ format: ROOT_PUBLIC_FORMAT, version: 1, created, fingerprint, publicKey }),
    fingerprint,
  };
}

/** Reads a root key file: its private key for signing and its public SPKI. */
export async function readRootKey(text: string): Promise<{ privateKey: CryptoKey; spki: Uint8Array }> {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new SignIdentityError('the root key file is not JSON');
  }
  if (typeof o !== 'object' || o === null || o['format'] !== ROOT_KEY_FORMAT) {
    throw new SignIdentityError(`the root key file is not a "${ROOT_KEY_FORMAT}" file (make one with --new-root)`);
  }
  const jwk = o['privateKeyJwk'] as JsonWebKey | undefined;
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new SignIdentityError('the root key file has no EC P-256 private key ("privateKeyJwk")');
  }
  let privateKey: CryptoKey;
  try {
    privateKey = await globalThis.crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  } catch {
    throw new SignIdentityError('the private key in the root key file does not parse');
  }
  let spki: Uint8Array;
  try {
    spki = fromBase64(String(o['publicKey']));
    await importVerifyKey(spki);
  } catch {
    throw new SignIdentityError('the "publicKey" in the root key file does not parse');
  }
  // Sign and verify a probe, so a file whose halves do not belong together is caught here, not by every peer.
  const probe = new Uint8Array([1, 2, 3]);
  const sig = await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, probe);
  const ok = await globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, await importVerifyKey(spki), sig, probe);
  if (!ok) throw new SignIdentityError('the private and public keys in the root key file do not belong together');
  return { privateKey, spki };
}

export interface SignIdentityOptions {
  /** Contents of the root key file. */
  rootKeyText: string;
  /** The user's public signing key: base64, hex, PEM or JSON. */
  userKeyText: string;
  name: string;
  /** @default 365 */
  days?: number;
  overlay?: string;
  now: number;
}

/** Signs a user's key and name with the root key. */
export async function signIdentity(o: SignIdentityOptions): Promise<IdentityCertificate> {
  const problem = certificateNameProblem(o.name);
  if (problem) throw new SignIdentityError(`--name: ${problem}`);
  const days = o.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new SignIdentityError(`--days must be a whole number from 1 to ${MAX_DAYS}`);
  const root = await readRootKey(o.rootKeyText);
  let subjectSpki: Uint8Array;
  try {
    subjectSpki = await parsePublicKeyText(o.userKeyText);
  } catch (e) {
    throw new SignIdentityError(`--user-key: ${e instanceof Error ? e.message : String(e)}`);
  }
  return issueCertificate({
    rootPrivateKey: root.privateKey,
    rootSpki: root.spki,
    subjectSpki,
    name: o.name,
    issued: o.now,
    expires: o.now + days * DAY_MS,
    ...(o.overlay !== undefined ? { overlay: o.overlay } : {}),
  });
}

/** What the command touches, so tests can run it without a process or real files. */
export interface CliIo {
  readFile(path: string): string;
  writeFile(path: string, text: string, options: { private: boolean }): void;
  exists(path: string): boolean;
  out(text: string): void;
  err(text: string): void;
  now(): number;
}

/** npm runs scripts in the package folder; paths are meant from where the operator typed the command. */
const at = (p: string): string => resolve(process.env['INIT_CWD'] ?? process.cwd(), p);

const nodeIo: CliIo = {
  readFile: (p) => readFileSync(at(p), 'utf8'),
  writeFile: (p, text, o) => writeFileSync(at(p), text, { mode: o.private ? 0o600 : 0o644 }),
  exists: (p) => existsSync(at(p)),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  now: () => Date.now(),
};

function publicPath(path: string): string {
  return path.endsWith('.json') ? `${path.slice(0, -'.json'.length)}.public.json` : `${path}.public.json`;
}

function readArgFile(io: CliIo, path: string, what: string): string {
  try {
    return io.readFile(path);
  } catch {
    throw new SignIdentityError(`${what}: cannot read ${path}`);
  }
}

/** Runs the command; returns the exit code (0 done, 1 failed, 2 bad arguments). */
export async function runCli(argv: readonly string[], io: CliIo = nodeIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'new-root': { type: 'string' },
        'root-key': { type: 'string' },
        'user-key': { type: 'string' },
        name: { type: 'string' },
        days: { type: 'string' },
        overlay: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    io.err(`sign-identity: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values['help']) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  try {
    const newRoot = values['new-root'];
    if (typeof newRoot === 'string') {
      if (values['root-key'] !== undefined || values['user-key'] !== undefined) throw new SignIdentityError('--new-root makes a key; sign with it in a second run');
      const pub = publicPath(newRoot);
      if (!values['force'] && (io.exists(newRoot) || io.exists(pub))) throw new SignIdentityError(`${newRoot} or ${pub} exists already (use --force to replace it)`);
      const root = await createRootKey(io.now());
      io.writeFile(newRoot, root.privateFile, { private: true });
      io.writeFile(pub, root.publicFile, { private: false });
      io.out(`New root key ${root.fingerprint}\n  private: ${newRoot} (keep it safe)\n  public:  ${pub} (give it to the people who should trust this root)\n`);
      return 0;
    }
    const rootKey = values['root-key'];
    const userKey = values['user-key'];
    const name = values['name'];
    if (typeof rootKey !== 'string' || typeof userKey !== 'string' || typeof name !== 'string') {
      throw new SignIdentityError('--root-key, --user-key and --name are all needed to sign (or --new-root to make a root key)');
    }
    const daysText = values['days'];
    const days = typeof daysText === 'string' ? Number(daysText) : undefined;
    if (typeof daysText === 'string' && !/^\d+$/.test(daysText)) throw new SignIdentityError('--days must be a whole number');
    const overlay = values['overlay'];
    const cert = await signIdentity({
      rootKeyText: readArgFile(io, rootKey, '--root-key'),
      // A value that names a file is read; anything else is the key itself.
      userKeyText: io.exists(userKey) ? readArgFile(io, userKey, '--user-key') : userKey,
      name,
      ...(days !== undefined ? { days } : {}),
      ...(typeof overlay === 'string' ? { overlay } : {}),
      now: io.now(),
    });
    const text = serializeCertificate(cert);
    const out = values['out'];
    if (typeof out === 'string') {
      io.writeFile(out, text, { private: false });
      io.out(`Signed "${cert.name}" until ${new Date(cert.expires).toISOString().slice(0, 10)}: ${out}\n`);
    } else {
      io.out(text);
    }
    return 0;
  } catch (e) {
    const usage = e instanceof SignIdentityError;
    io.err(`sign-identity: ${e instanceof Error ? e.message : String(e)}\n${usage ? `\n${USAGE}\n` : ''}`);
    return usage ? 2 : 1;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
