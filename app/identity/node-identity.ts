/**
 * The node identity of one tab: an ECDSA P-256 key pair from a pool kept in
 * the profile's storage. A tab takes the first free slot and holds it with a
 * Web Lock for its lifetime, so two open tabs never share a node ID and a
 * reloaded tab (which asks for its previous slot first) gets its own back.
 */
import { equalBytes } from './bytes';
import { IdentityUnavailableError } from './errors';
import { generatePuzzleKeyPair, idPuzzleProblem, NO_ID_PUZZLE, solveDynamicPuzzle, type IdPuzzleDifficulty, type IdPuzzleProgress } from './id-puzzle';
import { exportSpki, nodeIdFromSpki, signBytes, verifyBytes } from './keys';
import type { KeyValueStore } from './kv-store';
import { deriveSealingKey, generateAgreementKeyPair, openBytes, sealBytes } from './sealing';
import { holdLock, type HeldLock, type LockManagerLike } from './locks';

export interface NodeIdentity {
  readonly nodeId: string;
  readonly spki: Uint8Array;
  readonly publicKey: CryptoKey;
  readonly privateKey: CryptoKey;
  /** The pool slot this tab holds. */
  readonly slot: number;
  /** X of the overlay's node ID puzzle for this key (identity/id-puzzle.ts), presented in the link hello. */
  readonly puzzle?: Uint8Array;
  /**
   * The node's ECDH P-256 agreement key pair: routed messages are encrypted
   * for it (overlay/message-routing.ts). Kept in the same slot, so a reloaded
   * tab opens what senders sealed with the key they learnt before the reload.
   */
  readonly agreementKey: CryptoKeyPair;
}

/** Where a slot's agreement key pair is kept, beside the node key at NODE_SLOT_PREFIX + slot. */
export const NODE_AGREEMENT_PREFIX = 'node-agreement/';

interface StoredAgreementKey {
  version: 1;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * The stored agreement key pair when it is whole and the two halves agree
 * (each derives the same secret with a probe key); null otherwise.
 */
async function checkStoredAgreementKey(raw: unknown): Promise<CryptoKeyPair | null> {
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as Partial<StoredAgreementKey>;
  if (s.version !== 1 || !isCryptoKey(s.privateKey, 'private') || !isCryptoKey(s.publicKey, 'public')) return null;
  try {
    const probe = await generateAgreementKeyPair();
    const mine = await deriveSealingKey(s.privateKey, probe.publicKey, new Uint8Array(0), new Uint8Array(0));
    const theirs = await deriveSealingKey(probe.privateKey, s.publicKey, new Uint8Array(0), new Uint8Array(0));
    const sealed = await sealBytes(mine, new Uint8Array([1, 2, 3]), new Uint8Array(0));
    if (!(await openBytes(theirs, sealed, new Uint8Array(0)))) return null;
  } catch {
    return null;
  }
  return { privateKey: s.privateKey, publicKey: s.publicKey };
}

async function loadOrCreateAgreementKey(store: KeyValueStore, slot: number): Promise<CryptoKeyPair> {
  const key = NODE_AGREEMENT_PREFIX + slot;
  let raw: unknown;
  try {
    raw = await store.get(key);
  } catch {
    raw = undefined;
  }
  const stored = raw === undefined ? null : await checkStoredAgreementKey(raw);
  if (stored) return stored;
  const pair = await generateAgreementKeyPair();
  const record: StoredAgreementKey = { version: 1, privateKey: pair.privateKey, publicKey: pair.publicKey };
  await store.set(key, record);
  return pair;
}

interface StoredKeyPair {
  version: 1;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  spki: Uint8Array;
  id: string;
  createdAt: number;
  /** X of the dynamic ID puzzle; absent in keys made before the puzzle existed (solved on their next start). */
  puzzle?: Uint8Array;
}

export const NODE_SLOT_PREFIX = 'node-identity/';
export const NODE_LOCK_PREFIX = 'p2p-softphone-node-identity-';

function isCryptoKey(v: unknown, type: KeyType): v is CryptoKey {
  if (typeof v !== 'object' || v === null) return false;
  const k = v as Partial<CryptoKey>;
  return k.type === type && typeof k.algorithm === 'object' && Array.isArray(k.usages);
}

/**
 * Checks a stored key pair thoroughly: the shapes, that the SPKI belongs to
 * the public key, that the ID derives from it, and that the private key
 * signs what the public key verifies. Returns null when anything is off.
 */
export async function checkStoredKeyPair(
  raw: unknown,
  deriveId: (spki: Uint8Array) => Promise<string>,
): Promise<StoredKeyPair | null> {
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as Partial<StoredKeyPair>;
  if (s.version !== 1 || !isCryptoKey(s.privateKey, 'private') || !isCryptoKey(s.publicKey, 'public')) return null;
  if (!(s.spki instanceof Uint8Array) || typeof s.id !== 'string') return null;
  try {
    const spki = await exportSpki(s.publicKey);
    if (!equalBytes(spki, s.spki) || (await deriveId(spki)) !== s.id) return null;
    const probe = new Uint8Array([1, 2, 3, 4]);
    if (!(await verifyBytes(spki, probe, await signBytes(s.privateKey, probe)))) return null;
  } catch {
    return null;
  }
  return s as StoredKeyPair;
}

export async function makeStoredKeyPair(
  keys: CryptoKeyPair,
  deriveId: (spki: Uint8Array) => Promise<string>,
): Promise<StoredKeyPair> {
  const spki = await exportSpki(keys.publicKey);
  return { version: 1, privateKey: keys.privateKey, publicKey: keys.publicKey, spki, id: await deriveId(spki), createdAt: Date.now() };
}

export interface AcquireNodeIdentityOptions {
  store: KeyValueStore;
  locks: LockManagerLike;
  /** The slot this tab held before a reload; tried first. */
  preferredSlot?: number | undefined;
  /** How long to wait for the preferred slot while the old page lets go. @default 2000 */
  preferredWaitMs?: number;
  /** @default 64 */
  maxSlots?: number;
  /** The overlay's node ID puzzle, solved once per key and kept with it. @default none */
  idPuzzle?: IdPuzzleDifficulty;
  /** Hears the progress of a puzzle search (tries so far, expected tries), to show a long one. */
  onPuzzleProgress?: IdPuzzleProgress;
}

export interface AcquiredNodeIdentity {
  identity: NodeIdentity;
  lock: HeldLock;
  /** Things the person should be told, in plain words (a damaged key replaced, …). */
  warnings: string[];
}

/**
 * Makes the stored key meet `difficulty`: a key that fails the static puzzle
 * cannot be mended (the puzzle is over the key), so the caller makes a new
 * one; a missing or stale X is solved and saved, and the node ID stays.
 * Returns null when the key must be replaced.
 */
async function withPuzzle(
  stored: StoredKeyPair,
  difficulty: IdPuzzleDifficulty,
  onProgress: IdPuzzleProgress | undefined,
): Promise<{ stored: StoredKeyPair; changed: boolean } | null> {
  const problem = await idPuzzleProblem(stored.spki, stored.puzzle, difficulty);
  if (problem === null) return { stored, changed: false };
  if (problem === 'static') return null;
  const { x } = await solveDynamicPuzzle(stored.spki, difficulty.dynamicBits, onProgress ? { onProgress } : {});
  return { stored: { ...stored, puzzle: x }, changed: true };
}

async function loadOrCreateSlot(
  store: KeyValueStore,
  slot: number,
  warnings: string[],
  difficulty: IdPuzzleDifficulty,
  onProgress: IdPuzzleProgress | undefined,
): Promise<NodeIdentity> {
  const key = NODE_SLOT_PREFIX + slot;
  let raw: unknown;
  try {
    raw = await store.get(key);
  } catch {
    raw = undefined;
    warnings.push(`The stored node key in slot ${slot} could not be read; this tab made a new one.`);
  }
  let stored = raw === undefined ? null : await checkStoredKeyPair(raw, nodeIdFromSpki);
  if (raw !== undefined && !stored) {
    warnings.push(`The stored node key in slot ${slot} was damaged, so this tab made a new one and has a new node ID.`);
  }
  let puzzled = stored ? await withPuzzle(stored, difficulty, onProgress) : null;
  if (stored && !puzzled) {
    warnings.push(`The node key in slot ${slot} was made before this overlay asked for a costlier key, so this tab made a new one and has a new node ID.`);
  }
  if (!puzzled) {
    const made = await generatePuzzleKeyPair(difficulty.staticBits, false, onProgress ? { onProgress } : {});
    puzzled = await withPuzzle(await makeStoredKeyPair(made.keys, nodeIdFromSpki), difficulty, onProgress);
    if (!puzzled) throw new Error('a key made for the static puzzle does not meet it');
    puzzled.changed = true;
  }
  stored = puzzled.stored;
  if (puzzled.changed) await store.set(key, stored);
  const agreementKey = await loadOrCreateAgreementKey(store, slot);
  return {
    nodeId: stored.id,
    spki: stored.spki,
    publicKey: stored.publicKey,
    privateKey: stored.privateKey,
    slot,
    agreementKey,
    ...(stored.puzzle ? { puzzle: stored.puzzle } : {}),
  };
}

/**
 * Takes a free node identity from the pool (making one when the slot is
 * empty or damaged) and holds it until `lock.release()`.
 */
export async function acquireNodeIdentity(opts: AcquireNodeIdentityOptions): Promise<AcquiredNodeIdentity> {
  const maxSlots = opts.maxSlots ?? 64;
  const warnings: string[] = [];
  let lock: HeldLock | null = null;
  let slot = -1;
  const preferred = opts.preferredSlot;
  if (preferred !== undefined && Number.isInteger(preferred) && preferred >= 0 && preferred < maxSlots) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), opts.preferredWaitMs ?? 2000);
    try {
      lock = await holdLock(opts.locks, NODE_LOCK_PREFIX + preferred, { signal: ctl.signal });
    } finally {
      clearTimeout(timer);
    }
    if (lock) slot = preferred;
  }
  for (let i = 0; !lock && i < maxSlots; i++) {
    lock = await holdLock(opts.locks, NODE_LOCK_PREFIX + i, { ifAvailable: true });
    if (lock) slot = i;
  }
  if (!lock) {
    throw new IdentityUnavailableError(`All ${maxSlots} node identities of this browser profile are in use by other tabs. Close a tab and reload.`);
  }
  try {
    const identity = await loadOrCreateSlot(opts.store, slot, warnings, opts.idPuzzle ?? NO_ID_PUZZLE, opts.onPuzzleProgress);
    return { identity, lock, warnings };
  } catch (e) {
    lock.release();
    throw e;
  }
}
