import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  certificateToJson,
  exportSpki,
  fromBase64,
  generateSigningKeyPair,
  issueCertificate,
  parseCertificate,
  serializeCertificate,
  toBase64Url,
  verifyCertificate,
  type IdentityCertificate,
} from './index';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
/** The clock skew every check tolerates (identity/clock-skew.ts). */
const SKEW = 10 * 60_000;

async function keyPair(): Promise<{ privateKey: CryptoKey; spki: Uint8Array }> {
  const pair = await generateSigningKeyPair();
  return { privateKey: pair.privateKey, spki: await exportSpki(pair.publicKey) };
}

const root = await keyPair();
const otherRoot = await keyPair();
const user = await keyPair();

async function issue(extra: Partial<{ name: string; overlay: string; expires: number }> = {}): Promise<IdentityCertificate> {
  return issueCertificate({
    rootPrivateKey: root.privateKey,
    rootSpki: root.spki,
    subjectSpki: user.spki,
    name: extra.name ?? 'alice',
    issued: T0,
    expires: extra.expires ?? T0 + 365 * DAY,
    ...(extra.overlay !== undefined ? { overlay: extra.overlay } : {}),
  });
}

describe('base64', () => {
  it('round-trips any bytes, and reads standard base64 with padding too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(fromBase64(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
    expect(fromBase64('+/8=')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(() => fromBase64('a')).toThrow(TypeError);
    expect(() => fromBase64('a$bc')).toThrow(TypeError);
  });
});

describe('certificates', () => {
  const check = { trustedRoots: [root.spki], now: T0 + DAY, subjectSpki: user.spki, name: 'alice', overlay: 'p2p.local' };

  it('a certificate from a trusted root verifies, also after a trip through its JSON text', async () => {
    const cert = await issue();
    expect((await verifyCertificate(cert, check)).ok).toBe(true);
    const text = serializeCertificate(cert);
    const back = parseCertificate(text);
    expect(back).toEqual(cert);
    const r = await verifyCertificate(text, check);
    expect(r.ok).toBe(true);
  });

  it('accepts hex bytes as well as base64url', async () => {
    const json = certificateToJson(await issue());
    const hex = (b: string): string => Array.from(fromBase64(b), (x) => x.toString(16).padStart(2, '0')).join('');
    const asHex = { ...json, root: hex(json['root'] as string), signature: hex(json['signature'] as string) };
    expect((await verifyCertificate(asHex, check)).ok).toBe(true);
  });

  it('refuses one signed by a root the user does not trust', async () => {
    const r = await verifyCertificate(await issue(), { ...check, trustedRoots: [otherRoot.spki] });
    expect(r).toMatchObject({ ok: false, problem: 'untrusted-root' });
    expect(!r.ok && r.reason).toMatch(/signed by a root you do not trust/);
  });

  it('refuses a certificate whose name was edited after signing', async () => {
    const json = { ...certificateToJson(await issue()), name: 'mallory' };
    const r = await verifyCertificate(JSON.stringify(json), { ...check, name: 'mallory' });
    expect(r).toMatchObject({ ok: false, problem: 'changed' });
    expect(!r.ok && r.reason).toMatch(/changed after signing/);
  });

  it('refuses one a peer presents for another key or name or overlay', async () => {
    const cert = await issue({ overlay: 'p2p.local' });
    expect(await verifyCertificate(cert, { ...check, subjectSpki: root.spki })).toMatchObject({ ok: false, problem: 'wrong-key' });
    expect(await verifyCertificate(cert, { ...check, name: 'bob' })).toMatchObject({ ok: false, problem: 'wrong-name' });
    expect(await verifyCertificate(cert, { ...check, overlay: 'other' })).toMatchObject({ ok: false, problem: 'wrong-overlay' });
  });

  it('refuses an expired one, saying when it expired', async () => {
    const cert = await issue({ expires: Date.UTC(2025, 5, 30) });
    const r = await verifyCertificate(cert, { ...check, now: Date.UTC(2025, 6, 1) });
    expect(r).toMatchObject({ ok: false, problem: 'expired', reason: 'expired on 2025-06-30' });
    expect(await verifyCertificate(cert, { ...check, now: T0 - SKEW - 1 })).toMatchObject({ ok: false, problem: 'not-yet-valid' });
  });

  it('tolerates a root whose clock was up to 10 minutes ahead or behind ours', async () => {
    // Issued by a root whose clock ran 6 minutes ahead: here it is 6 minutes before `issued`.
    expect(await verifyCertificate(await issue(), { ...check, now: T0 - 6 * 60_000 })).toMatchObject({ ok: true });
    // A root 6 minutes behind set an expiry that, by our clock, passed 6 minutes ago.
    const ends = T0 + DAY;
    expect(await verifyCertificate(await issue({ expires: ends }), { ...check, now: ends + 6 * 60_000 })).toMatchObject({ ok: true });
    // Past the tolerated skew, either way, it is refused.
    expect(await verifyCertificate(await issue({ expires: ends }), { ...check, now: ends + SKEW })).toMatchObject({ ok: false, problem: 'expired' });
    expect(await verifyCertificate(await issue(), { ...check, now: T0 - SKEW - 60_000 })).toMatchObject({ ok: false, problem: 'not-yet-valid' });
  });

  it('says what is wrong with a malformed one, and never throws', async () => {
    const good = certificateToJson(await issue());
    const cases: [unknown, RegExp][] = [
      ['{not json', /malformed: not JSON/],
      ['[1,2]', /malformed: not a JSON object/],
      [{ ...good, type: 'x' }, /"type"/],
      [{ ...good, name: undefined }, /"name" is missing/],
      [{ ...good, name: 'a\u0000b' }, /control or text-direction characters/],
      [{ ...good, name: 'a\u202eb' }, /text-direction/],
      [{ ...good, subject: '!!!' }, /"subject" is neither base64 nor hex/],
      [{ ...good, signature: 'AAAA' }, /"signature" has the wrong length/],
      [{ ...good, expires: 'soon' }, /"expires" is not a date/],
      ['x'.repeat(10_000), /longer than/],
      // Sizes are bytes of UTF-8: 3000 × € is under 8192 UTF-16 units but 9000 bytes; 40 × 😀 is 80 units but 160 bytes.
      ['€'.repeat(3000), /longer than 8192 bytes/],
      [{ ...good, name: '😀'.repeat(40) }, /name is longer than 128 bytes/],
      [{ version: 1, signature: new Uint8Array(64), rootSpki: 7 }, /malformed/],
    ];
    for (const [input, reason] of cases) {
      const r = await verifyCertificate(input, check);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.problem).toBe('malformed');
      expect(!r.ok && r.reason).toMatch(reason);
    }
  });

  it('will not issue for a key that does not parse or an empty name', async () => {
    await expect(
      issueCertificate({ rootPrivateKey: root.privateKey, rootSpki: root.spki, subjectSpki: new Uint8Array(91), name: 'a', issued: 1, expires: 2 }),
    ).rejects.toThrow(/not an ECDSA P-256 public key/);
    await expect(issue({ name: '' })).rejects.toThrow(/empty/);
  });
});
