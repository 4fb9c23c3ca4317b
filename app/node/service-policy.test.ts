import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportSpki, generateSigningKeyPair, issueCertificate, nodeIdFromSpki, serializeCertificate, toBase64Url } from '../identity';
import type { LinkPeer } from '../transport';
import { makeServicePolicy, PolicyConfigError } from './service-policy';

const dir = mkdtempSync(join(tmpdir(), 'policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = (): void => undefined;

async function peer(): Promise<{ peer: LinkPeer; userSpki: Uint8Array }> {
  const node = await generateSigningKeyPair();
  const spki = await exportSpki(node.publicKey);
  const user = await generateSigningKeyPair();
  const userSpki = await exportSpki(user.publicKey);
  return { peer: { nodeId: await nodeIdFromSpki(spki), spki, user: { signingSpki: userSpki, binding: new Uint8Array(64) } }, userSpki };
}

describe('service peer link policy', () => {
  it('open mode lets any peer of the overlay in, for the overlay scope only: calls are refused', async () => {
    const p = await makeServicePolicy('p2p.local', null, log);
    const { peer: a } = await peer();
    expect(await p.linkPolicy(a, 'inbound')).toMatchObject({ allow: true });
    expect(await p.decide(a, 'inbound', 'contact')).toEqual({ allow: false, reason: 'a service peer takes no calls' });
    p.gate.close();
  });

  it('with a trusted root, lets in only peers whose certificate it signed', async () => {
    const root = await generateSigningKeyPair();
    const rootSpki = await exportSpki(root.publicKey);
    const file = join(dir, 'root.txt');
    writeFileSync(file, toBase64Url(rootSpki));
    const p = await makeServicePolicy('p2p.local', file, log);
    const { peer: signed, userSpki } = await peer();
    const cert = await issueCertificate({ rootPrivateKey: root.privateKey, rootSpki, subjectSpki: userSpki, name: 'alice', issued: Date.now() - 1000, expires: Date.now() + 3_600_000 });
    const withCert: LinkPeer = { ...signed, user: { ...signed.user!, name: 'alice', certificate: serializeCertificate(cert) } };
    const { peer: stranger } = await peer();
    expect(await p.linkPolicy(withCert, 'inbound')).toMatchObject({ allow: true });
    const refused = await p.linkPolicy(stranger, 'outbound');
    expect(refused.allow).toBe(false);
    // A certificate made for someone else's key is refused too.
    const borrowed: LinkPeer = { ...stranger, user: { ...stranger.user!, certificate: serializeCertificate(cert) } };
    expect((await p.linkPolicy(borrowed, 'inbound')).allow).toBe(false);
    expect((await p.decide(withCert, 'inbound', 'contact')).allow).toBe(false);
    p.gate.close();
  });

  it('refuses a missing, unreadable or wrong trusted-root file with a sentence', async () => {
    await expect(makeServicePolicy('p2p.local', join(dir, 'missing.json'), log)).rejects.toThrow(/--trusted-root .*missing.json cannot be read \(ENOENT\)/);
    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'not a key at all');
    await expect(makeServicePolicy('p2p.local', garbage, log)).rejects.toThrow(PolicyConfigError);
    const priv = join(dir, 'private.json');
    const k = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    writeFileSync(priv, JSON.stringify(await crypto.subtle.exportKey('jwk', k.privateKey)));
    await expect(makeServicePolicy('p2p.local', priv, log)).rejects.toThrow(/not a usable public key: .*private key/);
  });
});
