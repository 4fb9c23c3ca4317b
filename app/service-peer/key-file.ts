/**
 * The service peer's node identity in a key file: an ECDSA P-256 private key
 * as a JWK (mode 0600). Made on first start, read on every restart, so the
 * peer comes back with the same node ID. A damaged file stops the peer with
 * a clear message instead of silently giving it a new place on the ring.
 * The file also keeps X of the overlay's node ID puzzle (identity/id-puzzle.ts):
 * a file made before the puzzle gets it solved and written on its next start,
 * with the same node ID.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  exportSpki,
  fromBase64,
  generateAgreementKeyPair,
  generatePuzzleKeyPair,
  idPuzzleProblem,
  NO_ID_PUZZLE,
  nodeIdFromSpki,
  solveDynamicPuzzle,
  toBase64Url,
  type IdPuzzleDifficulty,
  type NodeIdentity,
} from '../identity';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

/** The key file is sound but its key fails the overlay's static ID puzzle: meeting it takes a new key and node ID. */
export class KeyBeforePuzzleError extends KeyFileError {
  override name = 'KeyBeforePuzzleError';
}

interface KeyFile {
  type: 'p2p-softphone/node-key';
  jwk: JsonWebKey;
  /** X of the dynamic ID puzzle, base64url; absent in files made before the puzzle. */
  puzzle?: string;
}

function writeKeyFile(path: string, file: KeyFile): void {
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
}

function puzzleOf(file: KeyFile): Uint8Array | undefined {
  try {
    return typeof file.puzzle === 'string' ? fromBase64(file.puzzle) : undefined;
  } catch {
    return undefined;
  }
}

async function fromJwk(jwk: JsonWebKey): Promise<Omit<NodeIdentity, 'slot'>> {
  const { d: _d, ...pub } = jwk;
  const privateKey = await crypto.subtle.importKey('jwk', { ...jwk, key_ops: ['sign'] }, ECDSA, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('jwk', { ...pub, key_ops: ['verify'] }, ECDSA, true, ['verify']);
  const spki = await exportSpki(publicKey);
  // The agreement key is made per run: a service peer is no SIP endpoint, so nothing is sealed for it across restarts.
  return { nodeId: await nodeIdFromSpki(spki), spki, publicKey, privateKey, agreementKey: await generateAgreementKeyPair() };
}

/**
 * Loads the node identity from `path`, creating the file when it does not
 * exist, and makes it meet `idPuzzle`: a missing or wrong X is solved and
 * written to the file (`log` says so); a key that fails the static puzzle is
 * a KeyFileError, since meeting it takes a new key and a new node ID.
 */
export async function loadOrCreateNodeKey(
  path: string,
  idPuzzle: IdPuzzleDifficulty = NO_ID_PUZZLE,
  log: (line: string) => void = () => {},
): Promise<{ identity: NodeIdentity; created: boolean }> {
  if (existsSync(path)) {
    let parsed: KeyFile;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
      if (parsed.type !== 'p2p-softphone/node-key' || typeof parsed.jwk?.d !== 'string') throw new Error('not a node key file');
    } catch (e) {
      throw new KeyFileError(`${path} is not a usable node key file (${(e as Error).message}). Move it away to start with a new node ID.`);
    }
    let identity: Omit<NodeIdentity, 'slot'>;
    try {
      identity = await fromJwk(parsed.jwk);
    } catch {
      throw new KeyFileError(`${path} holds a key that cannot be used. Move it away to start with a new node ID.`);
    }
    let x = puzzleOf(parsed);
    const problem = await idPuzzleProblem(identity.spki, x, idPuzzle);
    if (problem === 'static') {
      throw new KeyBeforePuzzleError(`${path} holds a key made before this overlay asked for a costlier node key (${idPuzzle.staticBits} leading zero bits); meeting it takes a new key and a new node ID.`);
    }
    if (problem !== null) {
      log(`solving the overlay's node ID puzzle (${idPuzzle.dynamicBits} bits) for this key; the node ID stays`);
      x = (await solveDynamicPuzzle(identity.spki, idPuzzle.dynamicBits)).x;
      writeKeyFile(path, { ...parsed, puzzle: toBase64Url(x) });
    }
    return { identity: { ...identity, slot: 0, ...(x ? { puzzle: x } : {}) }, created: false };
  }
  const made = await generatePuzzleKeyPair(idPuzzle.staticBits, true);
  const jwk = await crypto.subtle.exportKey('jwk', made.keys.privateKey);
  const { x } = await solveDynamicPuzzle(made.spki, idPuzzle.dynamicBits);
  const file: KeyFile = { type: 'p2p-softphone/node-key', jwk, ...(idPuzzle.dynamicBits > 0 ? { puzzle: toBase64Url(x) } : {}) };
  writeKeyFile(path, file);
  const identity = await fromJwk(jwk);
  return { identity: { ...identity, slot: 0, ...(idPuzzle.dynamicBits > 0 ? { puzzle: x } : {}) }, created: true };
}
