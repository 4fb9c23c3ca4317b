/**
 * Identity certificates: a root key vouches that a user signing key carries a
 * name (DESIGN.md, Identity: enrolled mode). The root signs the canonical
 * encoding of {root, subject, name, issued, expires, overlay?}; the root's own
 * SPKI is inside the signed body, so a certificate cannot be re-labelled as
 * coming from another root. Files and pastes carry it as JSON, bytes in
 * base64url (hex is accepted on input).
 */
import { fromHex, toHex } from './bytes';
import { fitsUtf8 } from './utf8-length';
import { canonicalEncode, type CanonicalValue } from './canonical';
import { hasSurelyExpired, isSurelyAhead } from './clock-skew';
import { InvalidKeyError } from './errors';
import { importVerifyKey, keyFingerprint, MAX_SPKI_BYTES, SIGNATURE_BYTES, signBytes, verifyBytes } from './keys';

/** The `type` field of a certificate file; also signed, so a signature over another kind of record never passes as one. */
export const CERTIFICATE_TYPE = 'p2p-softphone/identity-certificate';
/** Largest certificate text accepted from a peer or a file, in bytes of UTF-8 (as a link frame carries it). */
export const MAX_CERTIFICATE_BYTES = 8192;
/** Longest name a certificate may carry, in bytes of UTF-8: 128 ASCII letters, 64 accented ones, 32 emoji. */
export const MAX_CERTIFICATE_NAME = 128;

/** A parsed certificate. Times are milliseconds since the epoch. */
export interface IdentityCertificate {
  readonly version: 1;
  /** SPKI of the root key that signed it. */
  readonly rootSpki: Uint8Array;
  /** SPKI of the user signing key (or, for a service peer without a user, its node key) it vouches for. */
  readonly subjectSpki: Uint8Array;
  readonly name: string;
  readonly issued: number;
  readonly expires: number;
  /** When present, the certificate holds only in this overlay. */
  readonly overlay?: string;
  readonly signature: Uint8Array;
}

/** What a certificate is checked against. */
export interface VerifyCertificateOptions {
  /** SPKIs of the roots the user trusts. */
  trustedRoots: readonly Uint8Array[];
  /** The time to check expiry at, in ms. */
  now: number;
  /** The key the peer proved; the certificate must be for it. */
  subjectSpki?: Uint8Array;
  /** The name the peer presented; the certificate must carry it. */
  name?: string;
  /** The overlay of the link; a certificate bound to another overlay does not hold. */
  overlay?: string;
}

/** Why a certificate does not hold, as a code for programs and words for people. */
export type CertificateProblem = 'malformed' | 'untrusted-root' | 'changed' | 'expired' | 'not-yet-valid' | 'wrong-key' | 'wrong-name' | 'wrong-overlay';

export type CertificateCheck =
  | { ok: true; certificate: IdentityCertificate; rootFingerprint: string }
  | { ok: false; problem: CertificateProblem; reason: string; rootFingerprint?: string };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += B64[(n >> (18 - 6 * j)) & 63]!;
  }
  return out;
}

/** Parses base64 or base64url, padded or not, ignoring whitespace; throws TypeError otherwise. */
export function fromBase64(text: string): Uint8Array {
  const s = text.replace(/\s+/g, '').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new TypeError('not base64');
  const out = new Uint8Array(Math.floor((s.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const c of s) {
    acc = (acc << 6) | B64.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

/** Hex when the text is all hex digits of even length, else base64/base64url. */
function decodeBytes(text: string): Uint8Array {
  return /^([0-9a-fA-F]{2})+$/.test(text) ? fromHex(text) : fromBase64(text);
}

function signedBody(c: Omit<IdentityCertificate, 'signature'>): CanonicalValue {
  return {
    type: CERTIFICATE_TYPE,
    v: c.version,
    root: c.rootSpki,
    subject: c.subjectSpki,
    name: c.name,
    issued: c.issued,
    expires: c.expires,
    overlay: c.overlay,
  };
}

/** Why a name cannot go into a certificate, or null when it can. */
export function certificateNameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (!fitsUtf8(name, MAX_CERTIFICATE_NAME)) return `the name is longer than ${MAX_CERTIFICATE_NAME} bytes (a letter with an accent takes 2, an emoji 4)`;
  // Control and text-direction characters could hide or reorder part of a name for the person reading it.
  if (/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(name)) return 'the name contains control or text-direction characters';
  return null;
}

export interface IssueCertificateOptions {
  rootPrivateKey: CryptoKey;
  rootSpki: Uint8Array;
  subjectSpki: Uint8Array;
  name: string;
  issued: number;
  expires: number;
  overlay?: string;
}

/** Signs a certificate with the root key. Throws InvalidKeyError on a key or name that cannot be certified. */
export async function issueCertificate(o: IssueCertificateOptions): Promise<IdentityCertificate> {
  await importVerifyKey(o.subjectSpki);
  await importVerifyKey(o.rootSpki);
  const problem = certificateNameProblem(o.name);
  if (problem) throw new InvalidKeyError(problem);
  if (!Number.isSafeInteger(o.issued) || !Number.isSafeInteger(o.expires) || o.expires <= o.issued) {
    throw new InvalidKeyError('the certificate must expire after it is issued');
  }
  const body = {
    version: 1 as const,
    rootSpki: o.rootSpki,
    subjectSpki: o.subjectSpki,
    name: o.name,
    issued: o.issued,
    expires: o.expires,
    ...(o.overlay !== undefined ? { overlay: o.overlay } : {}),
  };
  const signature = await signBytes(o.rootPrivateKey, canonicalEncode(signedBody(body)));
  return { ...body, signature };
}

/** The JSON object form of a certificate (what files and pastes hold). */
export function certificateToJson(c: IdentityCertificate): Record<string, string | number> {
  return {
    type: CERTIFICATE_TYPE,
    version: c.version,
    root: toBase64Url(c.rootSpki),
    subject: toBase64Url(c.subjectSpki),
    name: c.name,
    issued: new Date(c.issued).toISOString(),
    expires: new Date(c.expires).toISOString(),
    ...(c.overlay !== undefined ? { overlay: c.overlay } : {}),
    signature: toBase64Url(c.signature),
  };
}

/** The certificate as pretty JSON text, for a file. */
export function serializeCertificate(c: IdentityCertificate): string {
  return JSON.stringify(certificateToJson(c), null, 2) + '\n';
}

function malformed(what: string): InvalidKeyError {
  return new InvalidKeyError(`malformed: ${what}`);
}

function field(o: Record<string, unknown>, name: string): string {
  const v = o[name];
  if (typeof v !== 'string') throw malformed(`"${name}" is missing or not text`);
  return v;
}

function bytesField(o: Record<string, unknown>, name: string, max: number): Uint8Array {
  let b: Uint8Array;
  try {
    b = decodeBytes(field(o, name));
  } catch (e) {
    if (e instanceof InvalidKeyError) throw e;
    throw malformed(`"${name}" is neither base64 nor hex`);
  }
  if (b.length === 0 || b.length > max) throw malformed(`"${name}" has the wrong length`);
  return b;
}

function timeField(o: Record<string, unknown>, name: string): number {
  const v = o[name];
  const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isSafeInteger(t)) throw malformed(`"${name}" is not a date`);
  return t;
}

/**
 * Parses a certificate from JSON text or its parsed object. Checks the shape
 * only, not the signature: use verifyCertificate for that. Throws
 * InvalidKeyError whose message starts with "malformed:".
 */
export function parseCertificate(input: unknown): IdentityCertificate {
  let raw = input;
  if (typeof input === 'string') {
    if (!fitsUtf8(input, MAX_CERTIFICATE_BYTES)) throw malformed(`longer than ${MAX_CERTIFICATE_BYTES} bytes`);
    try {
      raw = JSON.parse(input);
    } catch {
      throw malformed('not JSON');
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed('not a JSON object');
  const o = raw as Record<string, unknown>;
  if (o['type'] !== CERTIFICATE_TYPE) throw malformed(`"type" is not "${CERTIFICATE_TYPE}"`);
  if (o['version'] !== 1) throw malformed('unknown version');
  const name = field(o, 'name');
  const nameProblem = certificateNameProblem(name);
  if (nameProblem) throw malformed(nameProblem);
  const overlay = o['overlay'];
  if (overlay !== undefined && (typeof overlay !== 'string' || overlay.length === 0 || overlay.length > 253)) {
    throw malformed('"overlay" is not an overlay name');
  }
  const signature = bytesField(o, 'signature', SIGNATURE_BYTES);
  if (signature.length !== SIGNATURE_BYTES) throw malformed('"signature" has the wrong length');
  return {
    version: 1,
    rootSpki: bytesField(o, 'root', MAX_SPKI_BYTES),
    subjectSpki: bytesField(o, 'subject', MAX_SPKI_BYTES),
    name,
    issued: timeField(o, 'issued'),
    expires: timeField(o, 'expires'),
    ...(overlay !== undefined ? { overlay: overlay as string } : {}),
    signature,
  };
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Checks a certificate (object, JSON text or parsed) against the trusted
 * roots, its signature, the presented key and name, the overlay and the
 * time. Never throws: every failure comes back with a reason for people.
 */
export async function verifyCertificate(input: unknown, o: VerifyCertificateOptions): Promise<CertificateCheck> {
  let c: IdentityCertificate;
  try {
    // An object from a peer goes through the same checks as text does.
    c = parseCertificate(isCertificate(input) ? certificateToJson(input) : input);
  } catch (e) {
    const message = e instanceof InvalidKeyError ? e.message : 'malformed: fields of the wrong type';
    return { ok: false, problem: 'malformed', reason: message };
  }
  const rootFp = await keyFingerprint(c.rootSpki);
  const rootHex = toHex(c.rootSpki);
  if (!o.trustedRoots.some((r) => toHex(r) === rootHex)) {
    return { ok: false, problem: 'untrusted-root', reason: `signed by a root you do not trust (${rootFp})`, rootFingerprint: rootFp };
  }
  let bodyBytes: Uint8Array;
  try {
    bodyBytes = canonicalEncode(signedBody(c));
  } catch {
    return { ok: false, problem: 'malformed', reason: 'malformed: cannot be encoded', rootFingerprint: rootFp };
  }
  if (!(await verifyBytes(c.rootSpki, bodyBytes, c.signature))) {
    // The signature covers every field, so which one was edited cannot be told.
    return {
      ok: false,
      problem: 'changed',
      reason: 'the certificate was changed after signing: its name, key, dates or overlay do not match the root signature',
      rootFingerprint: rootFp,
    };
  }
  if (o.subjectSpki && toHex(o.subjectSpki) !== toHex(c.subjectSpki)) {
    return { ok: false, problem: 'wrong-key', reason: 'the certificate was issued for another key than the one this peer proved', rootFingerprint: rootFp };
  }
  if (o.name !== undefined && o.name !== c.name) {
    return { ok: false, problem: 'wrong-name', reason: `the certificate names "${c.name}", not "${o.name}"`, rootFingerprint: rootFp };
  }
  if (c.overlay !== undefined && o.overlay !== undefined && c.overlay !== o.overlay) {
    return { ok: false, problem: 'wrong-overlay', reason: `the certificate holds only in overlay ${c.overlay}`, rootFingerprint: rootFp };
  }
  // The root's clock and ours may disagree by the tolerated skew either way.
  if (hasSurelyExpired(c.expires, o.now)) return { ok: false, problem: 'expired', reason: `expired on ${day(c.expires)}`, rootFingerprint: rootFp };
  if (isSurelyAhead(c.issued, o.now)) return { ok: false, problem: 'not-yet-valid', reason: `not valid before ${day(c.issued)}`, rootFingerprint: rootFp };
  return { ok: true, certificate: c, rootFingerprint: rootFp };
}

function isCertificate(v: unknown): v is IdentityCertificate {
  return typeof v === 'object' && v !== null && (v as Partial<IdentityCertificate>).signature instanceof Uint8Array;
}
