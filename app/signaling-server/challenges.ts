/**
 * The fresh challenges a signaling server hands out for proofs of key
 * (app/identity/key-proof.ts): random nonces, each good once and for a short
 * time. `GET <mount>/challenge` answers `{ "nonce": "<base64url>", "ttlMs": n }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KEY_PROOF_NONCE_BYTES, toBase64Url, toHex } from '../identity';

/** Limits of the challenge store, with their defaults. */
export interface ChallengeLimits {
  /** A nonce not used within this long is forgotten. @default 30_000 */
  ttlMs: number;
  /** Most nonces outstanding at once; past this the oldest is forgotten, so a flood costs bounded memory. @default 20_000 */
  maxOutstanding: number;
}

export const DEFAULT_CHALLENGE_LIMITS: ChallengeLimits = { ttlMs: 30_000, maxOutstanding: 20_000 };

/** Issues nonces and takes each back at most once. */
export class ChallengeStore {
  /** Nonce (hex) → when it was issued; a Map keeps issue order, so the oldest come first. */
  private readonly outstanding = new Map<string, number>();
  private readonly limits: ChallengeLimits;

  constructor(
    limits: Partial<ChallengeLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_CHALLENGE_LIMITS, ...limits };
  }

  get ttlMs(): number {
    return this.limits.ttlMs;
  }

  /** A fresh random nonce. */
  issue(): Uint8Array {
    this.prune();
    while (this.outstanding.size >= this.limits.maxOutstanding) {
      const oldest = this.outstanding.keys().next().value as string;
      this.outstanding.delete(oldest);
    }
    const nonce = crypto.getRandomValues(new Uint8Array(KEY_PROOF_NONCE_BYTES));
    this.outstanding.set(toHex(nonce), this.now());
    return nonce;
  }

  /** True once for a nonce this store issued that has not expired; it is then forgotten. */
  take(nonce: Uint8Array): boolean {
    const key = toHex(nonce);
    const at = this.outstanding.get(key);
    if (at === undefined) return false;
    this.outstanding.delete(key);
    return this.now() - at <= this.limits.ttlMs;
  }

  /** Nonces outstanding now. */
  get size(): number {
    return this.outstanding.size;
  }

  private prune(): void {
    const cutoff = this.now() - this.limits.ttlMs;
    for (const [k, at] of this.outstanding) {
      if (at >= cutoff) break;
      this.outstanding.delete(k);
    }
  }
}

/** Answers `GET` with a fresh challenge; any origin may ask (a nonce is no secret). */
export function answerChallenge(store: ChallengeStore, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'OPTIONS') {
    res.statusCode = 204;
    res.end();
    return;
  }
  if (req.method !== 'GET') {
    res.statusCode = 405;
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ nonce: toBase64Url(store.issue()), ttlMs: store.ttlMs }));
}
