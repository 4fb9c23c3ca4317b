/**
 * Proof of a node key for a signaling server or bootstrap endpoint: before a
 * peer may hold its node ID on a server, it signs the server's fresh
 * challenge (a nonce) with the key the ID derives from. The server checks
 * that the ID is SHA-256(SPKI) truncated (S/Kademlia's "the ID is the key's
 * hash"), that the signature verifies, and that the nonce is one it issued
 * and has not seen used; so nobody can take another's ID, and a replayed
 * proof is refused. The idea is RELOAD's (RFC 6940 §6.3, where an overlay
 * connection proves the certificate behind a Node-ID) carried to PeerJS.
 *
 * The proof travels as PeerJS's `token` query parameter, which PeerJS passes
 * unencoded, so the token uses only base64url digits and dots:
 * `kp1.<nonce>.<spki>.<signature>`.
 */
import { concatBytes, utf8 } from './bytes';
import { fromBase64, toBase64Url } from './certificate';
import { MAX_SPKI_BYTES, nodeIdFromSpki, SIGNATURE_BYTES, verifyBytes } from './keys';
import { meetsStaticPuzzle } from './id-puzzle';

/** What a proof token starts with; a later format gets a new prefix. */
export const KEY_PROOF_VERSION = 'kp1';
/** Bytes of a server's challenge nonce. */
export const KEY_PROOF_NONCE_BYTES = 32;
/** The longest token a server reads (a P-256 proof is about 260 characters). */
export const MAX_KEY_PROOF_CHARS = 600;
/**
 * What a server sends (as PeerJS's ERROR message, `payload.msg`) when it
 * refuses a proof: `key-proof-refused:<KeyProofProblem>`. A wire code, so a
 * client decides on it and never on words.
 */
export const KEY_PROOF_REFUSED = 'key-proof-refused';
/** What a server sends a connection that a newer proven connection for its ID replaced. */
export const ID_REPLACED = 'id-replaced';

/** Domain separation: these bytes are signed for nothing else. */
const CONTEXT = utf8('p2p-softphone signaling key proof v1\0');

/** A parsed proof token. */
export interface KeyProof {
  nonce: Uint8Array;
  spki: Uint8Array;
  signature: Uint8Array;
}

/** Why a server refused a proof: a code, never text (the words are made from it). */
export type KeyProofProblem = 'malformed' | 'unknown-nonce' | 'wrong-key' | 'bad-signature' | 'puzzle';

/** The bytes a peer signs: the context, the nonce and the node ID it claims (so a proof names one ID). */
export function keyProofPayload(nonce: Uint8Array, nodeId: string): Uint8Array {
  return concatBytes(CONTEXT, nonce, utf8(nodeId));
}

/** Writes a proof as a token for PeerJS's `token` parameter. */
export function encodeKeyProof(p: KeyProof): string {
  return [KEY_PROOF_VERSION, toBase64Url(p.nonce), toBase64Url(p.spki), toBase64Url(p.signature)].join('.');
}

/** Reads a token; null when it is not a well-formed proof (never throws on a peer's input). */
export function parseKeyProof(token: unknown): KeyProof | null {
  if (typeof token !== 'string' || token.length > MAX_KEY_PROOF_CHARS) return null;
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== KEY_PROOF_VERSION) return null;
  try {
    const [nonce, spki, signature] = parts.slice(1).map((s) => fromBase64(s)) as [Uint8Array, Uint8Array, Uint8Array];
    if (nonce.length !== KEY_PROOF_NONCE_BYTES || signature.length !== SIGNATURE_BYTES) return null;
    if (spki.length === 0 || spki.length > MAX_SPKI_BYTES) return null;
    return { nonce, spki, signature };
  } catch {
    return null;
  }
}

/** Signs `nonce` for `nodeId` with `sign` (the node key's signer) and returns the token. */
export async function makeKeyProof(nonce: Uint8Array, nodeId: string, spki: Uint8Array, sign: (payload: Uint8Array) => Promise<Uint8Array>): Promise<string> {
  return encodeKeyProof({ nonce, spki, signature: await sign(keyProofPayload(nonce, nodeId)) });
}

/**
 * Checks a token for `nodeId`. `takeNonce` must return true only for a nonce
 * this server issued, has not expired and sees for the first time (and then
 * forget it), which makes each proof single-use. Returns null when the proof
 * holds, else the problem. Never throws on a peer's input.
 *
 * @param staticPuzzleBits the overlay's S/Kademlia static puzzle, when the server enforces one (0: none)
 */
export async function checkKeyProof(
  token: unknown,
  nodeId: string,
  takeNonce: (nonce: Uint8Array) => boolean,
  staticPuzzleBits = 0,
): Promise<KeyProofProblem | null> {
  const p = parseKeyProof(token);
  if (!p) return 'malformed';
  if (!takeNonce(p.nonce)) return 'unknown-nonce';
  if ((await nodeIdFromSpki(p.spki)) !== nodeId) return 'wrong-key';
  if (!(await verifyBytes(p.spki, keyProofPayload(p.nonce, nodeId), p.signature))) return 'bad-signature';
  if (!(await meetsStaticPuzzle(p.spki, staticPuzzleBits))) return 'puzzle';
  return null;
}
