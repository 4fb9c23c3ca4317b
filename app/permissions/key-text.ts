/**
 * Reads a public key from what people paste or import: PEM, base64 or
 * base64url or hex SPKI, a public JWK, or a JSON file with a `publicKey`
 * field (what `npm run sign-identity -- --new-root` writes).
 */
import { concatBytes, fitsUtf8, fromBase64, fromHex, importVerifyKey, InvalidKeyError } from '../identity';
import { KeyParseError } from './errors';

/** Largest text accepted as one key, in bytes of UTF-8 (as the file or paste holds it). */
export const MAX_KEY_TEXT_BYTES = 16_384;

/** DER prefix of a P-256 SPKI, before the 65-byte uncompressed point. */
const P256_SPKI_PREFIX = fromHex('3059301306072a8648ce3d020106082a8648ce3d030107034200');

const PRIVATE =
  'this holds a private key; import only the public key (the .public.json file, or the "publicKey" value), and keep the private key with its operator';

function fromJwk(jwk: Record<string, unknown>): Uint8Array {
  if (jwk['d'] !== undefined) throw new KeyParseError(PRIVATE);
  if (jwk['kty'] !== 'EC' || jwk['crv'] !== 'P-256') throw new KeyParseError('the JWK is not an EC P-256 key');
  try {
    const x = fromBase64(String(jwk['x']));
    const y = fromBase64(String(jwk['y']));
    if (x.length !== 32 || y.length !== 32) throw new TypeError('bad length');
    return concatBytes(P256_SPKI_PREFIX, new Uint8Array([4]), x, y);
  } catch {
    throw new KeyParseError('the JWK coordinates are not 32-byte base64url values');
  }
}

function fromJson(text: string): Uint8Array {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new KeyParseError('the text starts like JSON but is not valid JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new KeyParseError('the JSON is not an object');
  const r = o as Record<string, unknown>;
  if (r['privateKeyJwk'] !== undefined || r['privateKey'] !== undefined) throw new KeyParseError(PRIVATE);
  if (r['kty'] !== undefined) return fromJwk(r);
  if (typeof r['publicKey'] === 'string') return decodeText(r['publicKey']);
  if (typeof r['publicKey'] === 'object' && r['publicKey'] !== null) return fromJwk(r['publicKey'] as Record<string, unknown>);
  throw new KeyParseError('the JSON has no "publicKey" field and is not a JWK');
}

function decodeText(text: string): Uint8Array {
  const t = text.trim();
  if (t.startsWith('{')) return fromJson(t);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(t)) throw new KeyParseError(PRIVATE);
  const pem = /^-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----$/.exec(t);
  if (t.startsWith('-----') && !pem) throw new KeyParseError('the PEM block is not a PUBLIC KEY block');
  const body = pem ? pem[1]!.replace(/\s+/g, '') : t.replace(/\s+/g, '');
  try {
    return /^([0-9a-fA-F]{2})+$/.test(body) ? fromHex(body) : fromBase64(body);
  } catch {
    throw new KeyParseError('the text is not PEM, base64, hex or JSON');
  }
}

/**
 * The SPKI bytes of an ECDSA P-256 public key given as text. Throws
 * KeyParseError with a message that says what was wrong.
 */
export async function parsePublicKeyText(text: string): Promise<Uint8Array> {
  if (!fitsUtf8(text, MAX_KEY_TEXT_BYTES)) throw new KeyParseError(`the text is longer than ${MAX_KEY_TEXT_BYTES} bytes, too long to be a key`);
  if (text.trim() === '') throw new KeyParseError('the key is empty');
  const spki = decodeText(text);
  try {
    await importVerifyKey(spki);
  } catch (e) {
    if (e instanceof InvalidKeyError) throw new KeyParseError(`the key does not parse: ${e.message}`);
    throw e;
  }
  return spki;
}
