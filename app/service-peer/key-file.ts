/**
 * The service peer's node identity in a key file: an ECDSA P-256 private key
 * as a JWK (mode 0600). Made on first start, read on every restart, so the
 * peer comes back with the same node ID. A damaged file stops the peer with
 * a clear message instead of silently giving it a new place on the ring.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { exportSpki, generateAgreementKeyPair, nodeIdFromSpki, type NodeIdentity } from '../identity';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

interface KeyFile {
  type: 'p2p-softphone/node-key';
  jwk: JsonWebKey;
}

async function fromJwk(jwk: JsonWebKey): Promise<Omit<NodeIdentity, 'slot'>> {
  const { d: _d, ...pub } = jwk;
  const privateKey = await crypto.subtle.importKey('jwk', { ...jwk, key_ops: ['sign'] }, ECDSA, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('jwk', { ...pub, key_ops: ['verify'] }, ECDSA, true, ['verify']);
  const spki = await exportSpki(publicKey);
  // The agreement key is made per run: a service peer is no SIP endpoint, so nothing is sealed for it across restarts.
  return { nodeId: await nodeIdFromSpki(spki), spki, publicKey, privateKey, agreementKey: await generateAgreementKeyPair() };
}

/** Loads the node identity from `path`, creating the file when it does not exist. */
export async function loadOrCreateNodeKey(path: string): Promise<{ identity: NodeIdentity; created: boolean }> {
  if (existsSync(path)) {
    let parsed: KeyFile;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
      if (parsed.type !== 'p2p-softphone/node-key' || typeof parsed.jwk?.d !== 'string') throw new Error('not a node key file');
    } catch (e) {
      throw new KeyFileError(`${path} is not a usable node key file (${(e as Error).message}). Move it away to start with a new node ID.`);
    }
    try {
      return { identity: { ...(await fromJwk(parsed.jwk)), slot: 0 }, created: false };
    } catch {
      throw new KeyFileError(`${path} holds a key that cannot be used. Move it away to start with a new node ID.`);
    }
  }
  const pair = await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const file: KeyFile = { type: 'p2p-softphone/node-key', jwk };
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  return { identity: { ...(await fromJwk(jwk)), slot: 0 }, created: true };
}
