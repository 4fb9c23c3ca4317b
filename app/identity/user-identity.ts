/**
 * The user identity belongs to the person (the browser profile) and is shared
 * by their tabs: an ECDSA signing pair, which signs name claims and SIP
 * registrations, and an ECDH pair, for which video mail is encrypted.
 */
import { IdentityUnavailableError } from './errors';
import { generateEcdhKeyPair, generateSigningKeyPair, nodeIdFromSpki } from './keys';
import type { KeyValueStore } from './kv-store';
import { holdLock, type LockManagerLike } from './locks';
import { checkStoredKeyPair, makeStoredKeyPair } from './node-identity';
import { equalBytes } from './bytes';
import { exportSpki } from './keys';

export interface UserIdentity {
  /** 40 hex digits derived from the signing key, like a node ID. */
  readonly userId: string;
  readonly signingSpki: Uint8Array;
  readonly signingPrivateKey: CryptoKey;
  readonly ecdhSpki: Uint8Array;
  readonly ecdhPublicKey: CryptoKey;
  readonly ecdhPrivateKey: CryptoKey;
}

interface StoredUser {
  version: 1;
  signing: unknown;
  ecdh: { privateKey: CryptoKey; publicKey: CryptoKey; spki: Uint8Array };
}

export const USER_KEY = 'user-identity';
export const USER_LOCK = 'p2p-softphone-user-identity';

async function checkEcdh(raw: unknown): Promise<StoredUser['ecdh'] | null> {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Partial<StoredUser['ecdh']>;
  if (e.privateKey?.type !== 'private' || e.publicKey?.type !== 'public' || !(e.spki instanceof Uint8Array)) return null;
  try {
    if (!equalBytes(await exportSpki(e.publicKey), e.spki)) return null;
  } catch {
    return null;
  }
  return e as StoredUser['ecdh'];
}

export interface LoadedUserIdentity {
  identity: UserIdentity;
  warnings: string[];
}

/**
 * Loads the profile's user identity, creating it on first use. A lock keeps
 * two tabs opening at once from making two different identities.
 */
export async function loadUserIdentity(store: KeyValueStore, locks: LockManagerLike): Promise<LoadedUserIdentity> {
  const lock = await holdLock(locks, USER_LOCK, {});
  if (!lock) throw new IdentityUnavailableError('Could not take the user identity lock.');
  const warnings: string[] = [];
  try {
    let raw: unknown;
    try {
      raw = await store.get(USER_KEY);
    } catch {
      warnings.push('Your stored user key could not be read, so a new one was made.');
    }
    const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<StoredUser>;
    const signing = raw === undefined ? null : await checkStoredKeyPair(r.signing, nodeIdFromSpki);
    const ecdh = raw === undefined ? null : await checkEcdh(r.ecdh);
    let user: { signing: NonNullable<typeof signing>; ecdh: NonNullable<typeof ecdh> };
    if (signing && ecdh && r.version === 1) {
      user = { signing, ecdh };
    } else {
      if (raw !== undefined) {
        warnings.push(
          'Your stored user key was damaged and could not be used, so a new one was made. Names claimed with the old key cannot be used from this browser.',
        );
      }
      const pair = await generateEcdhKeyPair(false);
      user = {
        signing: await makeStoredKeyPair(await generateSigningKeyPair(false), nodeIdFromSpki),
        ecdh: { privateKey: pair.privateKey, publicKey: pair.publicKey, spki: await exportSpki(pair.publicKey) },
      };
      const toStore: StoredUser = { version: 1, signing: user.signing, ecdh: user.ecdh };
      await store.set(USER_KEY, toStore);
    }
    return {
      identity: {
        userId: user.signing.id,
        signingSpki: user.signing.spki,
        signingPrivateKey: user.signing.privateKey,
        ecdhSpki: user.ecdh.spki,
        ecdhPublicKey: user.ecdh.publicKey,
        ecdhPrivateKey: user.ecdh.privateKey,
      },
      warnings,
    };
  } finally {
    lock.release();
  }
}
