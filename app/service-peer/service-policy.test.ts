import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportSpki, generateSigningKeyPair, issueCertificate, nodeIdFromSpki, serializeCertificate, toBase64Url } from '../identity';
import { decideLink } from '../peer';
import type { Scope } from '../permissions';
import type { LinkDecision, LinkDirection, LinkPeer } from '../transport';
import { makeServicePolicy, PolicyConfigError, type ServicePolicy } from './service-policy';

const dir = mkdtempSync(join(tmpdir(), 'policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A link decision as the service peer's links take it: the peer layer's mapping, role 'service', over the configured gate. */
async function decide(p: ServicePolicy, peer: LinkPeer, direction: LinkDirection, scope: Scope): Promise<LinkDecision> {
  return (await decideLink(p.gate, 'p2p.local', peer, direction, scope, 'service')).link;
}

async function peer(): Promise<{ peer: LinkPeer; userSpki: Uint8Array }> {
  const node = await generateSigningKeyPair();
  const spki = await exportSpki(node.publicKey);
  const user = await generateSigningKeyPair();
  const userSpki = await exportSpki(user.publicKey);
  return { peer: { nodeId: await nodeIdFromSpki(spki), spki, user: { signingSpki: userSpki, binding: new Uint8Array(64) } }, userSpki };
}

describe('service peer link policy', () => {
  it('open mode lets any peer of the overlay in, for the overlay scope only: calls are refused', async () => {
    const p = await makeServicePolicy('p2p.local', null);
    const { peer: a } = await peer();
    expect(await decide(p, a, 'inbound', 'overlay')).toMatchObject({ allow: true });
    expect(await decide(p, a, 'inbound', 'contact')).toEqual({ allow: false, reason: 'a service peer takes no calls' });
    p.gate.close();
  });

  it('with a trusted root, lets in only peers whose certificate it signed', async () => {
    const root = await generateSigningKeyPair();
    const rootSpki = await exportSpki(root.publicKey);
    const file = join(dir, 'root.txt');
    writeFileSync(file, toBase64Url(rootSpki));
    const p = await makeServicePolicy('p2p.local', file);
    const { peer: signed, userSpki } = await peer();
    const cert = await issueCertificate({ rootPrivateKey: root.privateKey, rootSpki, subjectSpki: userSpki, name: 'alice', issued: Date.now() - 1000, expires: Date.now() + 3_600_000 });
    const withCert: LinkPeer = { ...signed, user: { ...signed.user!, name: 'alice', certificate: serializeCertificate(cert) } };
    const { peer: stranger } = await peer();
    expect(await decide(p, withCert, 'inbound', 'overlay')).toMatchObject({ allow: true });
    const refused = await decide(p, stranger, 'outbound', 'overlay');
    expect(refused.allow).toBe(false);
    // A certificate made for someone else's key is refused too.
    const borrowed: LinkPeer = { ...stranger, user: { ...stranger.user!, certificate: serializeCertificate(cert) } };
    expect((await decide(p, borrowed, 'inbound', 'overlay')).allow).toBe(false);
    expect((await decide(p, withCert, 'inbound', 'contact')).allow).toBe(false);
    p.gate.close();
  });

  it('refuses a missing, unreadable or wrong trusted-root file with a sentence', async () => {
    await expect(makeServicePolicy('p2p.local', join(dir, 'missing.json'))).rejects.toThrow(/--trusted-root .*missing.json cannot be read \(ENOENT\)/);
    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'not a key at all');
    await expect(makeServicePolicy('p2p.local', garbage)).rejects.toThrow(PolicyConfigError);
    const priv = join(dir, 'private.json');
    const k = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    writeFileSync(priv, JSON.stringify(await crypto.subtle.exportKey('jwk', k.privateKey)));
    await expect(makeServicePolicy('p2p.local', priv)).rejects.toThrow(/not a usable public key: .*private key/);
  });
});
