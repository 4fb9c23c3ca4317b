/**
 * The client half of the signaling server's proof of key
 * (app/identity/key-proof.ts): fetch a fresh challenge from the server,
 * sign it with the node key, and hand the token to PeerJS.
 */
import { fromBase64, ID_REPLACED, KEY_PROOF_NONCE_BYTES, KEY_PROOF_REFUSED, makeKeyProof } from '../identity';
import type { SignalingServerConfig } from './server-list';

/** The node key's public half and a signer; the private key never leaves the signer. */
export interface KeyProver {
  spki: Uint8Array;
  sign(payload: Uint8Array): Promise<Uint8Array>;
}

export type FetchLike = (url: string, init?: { signal?: AbortSignal; cache?: RequestCache }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** Why a server's challenge could not be used. */
export class ChallengeError extends Error {
  override name = 'ChallengeError';
}

/** Where `server` hands out challenges (`<path>/challenge` beside its PeerJS mount). */
export function challengeUrl(server: SignalingServerConfig): string {
  return `${server.secure ? 'https' : 'http'}://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}${server.path}/challenge`;
}

/**
 * Fetches a challenge from `server` and returns the proof token for
 * `nodeId`. A server without a challenge endpoint (HTTP 404: a plain PeerJS
 * server) gets null, and the caller connects without proof.
 *
 * @throws ChallengeError when the server cannot be reached or answers nonsense
 */
export async function proveKeyTo(server: SignalingServerConfig, nodeId: string, prover: KeyProver, fetchFn: FetchLike, signal?: AbortSignal): Promise<string | null> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn(challengeUrl(server), { cache: 'no-store', ...(signal ? { signal } : {}) });
  } catch {
    throw new ChallengeError(`${server.url} cannot be reached`);
  }
  if (res.status === 404) return null;
  if (!res.ok) throw new ChallengeError(`${server.url} gave no challenge (HTTP ${res.status})`);
  let nonce: Uint8Array;
  try {
    const body = (await res.json()) as { nonce?: unknown };
    if (typeof body.nonce !== 'string') throw new TypeError('no nonce');
    nonce = fromBase64(body.nonce);
  } catch {
    throw new ChallengeError(`${server.url} answered its challenge with something that is not one`);
  }
  if (nonce.length !== KEY_PROOF_NONCE_BYTES) throw new ChallengeError(`${server.url} sent a challenge of the wrong size`);
  return makeKeyProof(nonce, nodeId, prover.spki, (p) => prover.sign(p));
}

/** What a server's refusal code (PeerJS ERROR `payload.msg`) means for the client. */
export type ServerRefusal = { kind: 'proof-refused'; problem: string } | { kind: 'replaced' } | null;

/** Reads a server's ERROR code; null for anything else (including plain PeerJS errors). */
export function serverRefusal(message: unknown): ServerRefusal {
  if (typeof message !== 'string') return null;
  if (message === ID_REPLACED) return { kind: 'replaced' };
  const prefix = `${KEY_PROOF_REFUSED}:`;
  if (message.startsWith(prefix)) return { kind: 'proof-refused', problem: message.slice(prefix.length, prefix.length + 32) };
  return null;
}
