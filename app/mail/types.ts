/** Types shared by sending, fetching and the mailbox. */
import type { RecordSigner } from '../overlay';

/** A person's public keys, as the name directory gives them (DESIGN.md, Identity: H("user:" + name)). */
export interface ResolvedUser {
  name: string;
  signSpki: Uint8Array;
  ecdhPublicKey: CryptoKey | Uint8Array;
}

/** Looks a name up; null when nobody has claimed it. Injected: mail does not build the name directory. */
export type ResolveUser = (name: string) => Promise<ResolvedUser | null>;

/** Who is using mail: their name and user keys. */
export interface MailUser {
  name: string;
  signSpki: Uint8Array;
  signingPrivateKey: CryptoKey;
  ecdhSpki: Uint8Array;
  ecdhPrivateKey: CryptoKey;
  /** Signs records as the user (read receipts). */
  signer: RecordSigner;
}

export interface MailSettings {
  k: number;
  m: number;
  fragmentBytes: number;
  ttlMs: number;
}

export interface Recording {
  bytes: Uint8Array;
  /** MIME type, e.g. video/webm;codecs=vp8,opus. */
  type: string;
  durationMs: number;
  /** A small JPEG of the first frame, or null. */
  thumbnail: Uint8Array | null;
}

export type SendPhase = 'encrypting' | 'coding' | 'storing' | 'announcing' | 'done';

export interface SendProgress {
  phase: SendPhase;
  /** Fragments stored so far, of `total`. */
  stored: number;
  total: number;
}

export interface FetchProgress {
  /** Stripes rebuilt so far, of `stripes`. */
  stripesDone: number;
  stripes: number;
  /** Good fragments received so far; bad ones (failed hash, wrong size) ignored. */
  fragments: number;
  ignored: number;
  bytes: number;
}
