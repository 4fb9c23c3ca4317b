/** Record signing and checking with the identity module's WebCrypto ECDSA P-256. */
import { exportSpki, sha256, signBytes, verifyBytes } from '../../identity';
import type { RecordSigner, RecordVerifier } from './record';

export const webCryptoVerifier: RecordVerifier = {
  verify: (spki, payload, signature) => verifyBytes(spki, payload, signature),
  digest: (bytes) => sha256(bytes),
};

/** A signer for the owner of `keys` (a signing key pair from identity). */
export async function webCryptoSigner(keys: CryptoKeyPair): Promise<RecordSigner> {
  const spki = await exportSpki(keys.publicKey);
  return { spki, sign: (payload) => signBytes(keys.privateKey, payload) };
}
