/**
 * The bootstrap directory's entries as other peers may write them: a good
 * entry reads back; malformed, oversized, expired, unsigned, forged and
 * misattributed entries are refused, each with its reason, and never hide
 * the good entries beside them.
 */
import { describe, expect, it } from 'vitest';
import { canonicalEncode, generateSigningKeyPair, nodeIdFromSpki } from '../identity';
import { createRecord, webCryptoSigner, webCryptoVerifier, type RecordSigner, type WireRecord } from '../overlay';
import {
  BOOTSTRAP_REFUSAL_WORDS,
  BOOTSTRAP_TTL_MS,
  MAX_BOOTSTRAP_VALUE_BYTES,
  bootstrapKey,
  checkBootstrapEntries,
  checkBootstrapEntry,
  makeBootstrapEntry,
  type BootstrapRefusal,
} from './bootstrap-record';

const NOW = Date.UTC(2026, 0, 1);
const OVERLAY = 'p2p.local';

async function signer(): Promise<RecordSigner & { id: string }> {
  const s = await webCryptoSigner(await generateSigningKeyPair());
  return { ...s, id: await nodeIdFromSpki(s.spki) };
}

/** An entry with any fields, signed by `by`. */
async function entry(by: RecordSigner, f: Partial<{ sub: string; kind: 'dict' | 'single'; value: Uint8Array; expires: number; version: number }>): Promise<WireRecord> {
  const kind = f.kind ?? 'dict';
  return createRecord(by, {
    key: await bootstrapKey(OVERLAY),
    kind,
    sub: kind === 'dict' ? (f.sub ?? (await nodeIdFromSpki(by.spki))) : '',
    value: f.value ?? canonicalEncode({ urls: ['http://127.0.0.1:9443/peerjs'] }),
    version: f.version ?? NOW,
    expires: f.expires ?? NOW + BOOTSTRAP_TTL_MS,
  });
}

async function refusal(r: WireRecord): Promise<BootstrapRefusal | null> {
  const c = await checkBootstrapEntry(r, NOW, webCryptoVerifier);
  return 'refused' in c ? c.refused : null;
}

describe('bootstrap directory entries', () => {
  it('a service peer’s own entry reads back: its node ID, its URLs marked as bootstrap endpoints, its times', async () => {
    const sp = await signer();
    const r = await makeBootstrapEntry(sp, OVERLAY, ['http://127.0.0.1:9443/peerjs/', 'https://sp.example'], NOW);
    expect(r.sub).toBe(sp.id);
    expect(r.expires - r.version).toBe(BOOTSTRAP_TTL_MS);
    const c = await checkBootstrapEntry(r, NOW, webCryptoVerifier);
    expect(c).toEqual({
      nodeId: sp.id,
      servers: [
        { url: 'http://127.0.0.1:9443/peerjs', host: '127.0.0.1', port: 9443, path: '/peerjs', secure: false, bootstrap: true },
        { url: 'https://sp.example/peerjs', host: 'sp.example', port: 443, path: '/peerjs', secure: true, bootstrap: true },
      ],
      writtenAt: NOW,
      expires: NOW + BOOTSTRAP_TTL_MS,
    });
  });

  it('the writer refuses to publish no URL, too many, or one that is not a web address', async () => {
    const sp = await signer();
    await expect(makeBootstrapEntry(sp, OVERLAY, [], NOW)).rejects.toThrow(/1 to 4/);
    await expect(makeBootstrapEntry(sp, OVERLAY, ['http://a', 'http://b', 'http://c', 'http://d', 'http://e'], NOW)).rejects.toThrow(/1 to 4/);
    await expect(makeBootstrapEntry(sp, OVERLAY, ['ftp://a'], NOW)).rejects.toThrow(/http/);
  });

  it('refuses bad entries from peers, each with its reason', async () => {
    const sp = await signer();
    const mallory = await signer();
    const good = await entry(sp, {});
    const cases: [string, Promise<WireRecord>, BootstrapRefusal][] = [
      ['a single value, not an entry', entry(sp, { kind: 'single' }), 'wrong-kind'],
      ['a sub-key that is no node ID', entry(sp, { sub: 'not-a-node' }), 'not-a-node-id'],
      ['an upper-case node ID', entry(sp, { sub: sp.id.toUpperCase() }), 'not-a-node-id'],
      ['an oversized value', entry(sp, { value: canonicalEncode({ urls: ['http://x/' + 'a'.repeat(MAX_BOOTSTRAP_VALUE_BYTES)] }) }), 'too-large'],
      ['no signature', Promise.resolve({ ...good, sig: new Uint8Array(0) }), 'unsigned'],
      ['no owner key', Promise.resolve({ ...good, owner: new Uint8Array(0) }), 'malformed'],
      ['a value changed after signing', Promise.resolve({ ...good, value: canonicalEncode({ urls: ['http://evil.example/peerjs'] }) }), 'bad-signature'],
      ['signed by someone else under the service peer’s ID', entry(mallory, { sub: sp.id }), 'not-signed-by-its-node'],
      ['expired (beyond the clock skew)', entry(sp, { version: NOW - 3 * BOOTSTRAP_TTL_MS, expires: NOW - BOOTSTRAP_TTL_MS }), 'expired'],
      ['an expiry a day ahead', entry(sp, { expires: NOW + 24 * 3600_000 }), 'bad-expiry'],
      ['a value that is not canonical bytes', entry(sp, { value: new Uint8Array([0xff, 0x00, 0x13]) }), 'malformed-value'],
      ['urls that is not a list', entry(sp, { value: canonicalEncode({ urls: 'http://x/peerjs' }) }), 'malformed-value'],
      ['an empty list', entry(sp, { value: canonicalEncode({ urls: [] }) }), 'malformed-value'],
      ['five URLs', entry(sp, { value: canonicalEncode({ urls: ['http://a', 'http://b', 'http://c', 'http://d', 'http://e'] }) }), 'malformed-value'],
      ['a number among the URLs', entry(sp, { value: canonicalEncode({ urls: ['http://a', 7] }) }), 'malformed-value'],
      ['a list, not a map', entry(sp, { value: canonicalEncode(['http://a']) }), 'malformed-value'],
      ['a javascript: URL', entry(sp, { value: canonicalEncode({ urls: ['javascript:alert(1)'] }) }), 'bad-url'],
      ['a URL with a query', entry(sp, { value: canonicalEncode({ urls: ['http://a/peerjs?x=1'] }) }), 'bad-url'],
      ['a URL of 300 characters', entry(sp, { value: canonicalEncode({ urls: ['http://a/' + 'p'.repeat(291)] }) }), 'bad-url'],
    ];
    for (const [what, made, reason] of cases) {
      expect([what, await refusal(await made)]).toEqual([what, reason]);
      expect(BOOTSTRAP_REFUSAL_WORDS[reason]).toMatch(/\w/);
    }
  });

  it('a read keeps every good entry beside the refused ones, and names each refused sub-key', async () => {
    const [a, b, mallory] = [await signer(), await signer(), await signer()];
    const records = [await entry(mallory, { sub: a.id }), await entry(a, {}), await entry(mallory, { value: new Uint8Array(MAX_BOOTSTRAP_VALUE_BYTES + 1) }), await entry(b, {})];
    const read = await checkBootstrapEntries(records, NOW, webCryptoVerifier);
    expect(read.entries.map((e) => e.nodeId).sort()).toEqual([a.id, b.id].sort());
    expect(read.refused).toEqual([
      { sub: a.id, reason: 'not-signed-by-its-node' },
      { sub: mallory.id, reason: 'too-large' },
    ]);
  });
});
