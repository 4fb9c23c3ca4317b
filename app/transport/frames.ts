/**
 * The frames of a data link, in the canonical binary encoding (binary blobs
 * travel as bytes, never base64). Every frame from a peer is untrusted: it is
 * decoded with limits and checked with a type guard before use.
 */
import { canonicalDecode, canonicalEncode, fitsUtf8, ID_PUZZLE_X_BYTES, isNodeId, MAX_CERTIFICATE_BYTES, MAX_CERTIFICATE_NAME, MAX_SPKI_BYTES, SIGNATURE_BYTES, type CanonicalValue } from '../identity';
import { CHUNK_BYTES, MAX_FRAME_BYTES } from './limits';

export const LINK_PROTOCOL = 'p2p-link/1';
export const NONCE_BYTES = 32;
/** Longest reason a goodbye carries, in bytes of UTF-8; the sender cuts to it on a whole character. */
export const MAX_BYE_REASON_BYTES = 500;
/** Longest code a goodbye carries, in bytes of UTF-8 (the codes are short ASCII words). */
export const MAX_BYE_CODE_BYTES = 32;

/** A person's identity as presented on a link, bound to the node by the user's signature. */
export interface PresentedUser {
  signingSpki: Uint8Array;
  /** The user key's signature over (context, overlay, node ID). */
  binding: Uint8Array;
  name?: string;
  /** A certificate from a root, in its JSON form, as the permissions layer reads it. */
  certificate?: string;
}

export interface HelloFrame {
  t: 'hello';
  protocol: string;
  overlay: string;
  nodeId: string;
  spki: Uint8Array;
  nonce: Uint8Array;
  user?: PresentedUser;
  /** 'service': an always-on service peer (app/service-peer), shown as such; absent for a browser tab. */
  role?: 'service';
  /**
   * X of the node ID puzzle (identity/id-puzzle.ts, S/Kademlia's dynamic
   * puzzle) for this node's key; optional on the wire, so an overlay without
   * a puzzle still links with peers that send none.
   */
  puzzle?: Uint8Array;
}
export interface ProofFrame {
  t: 'proof';
  signature: Uint8Array;
}
export interface ReadyFrame {
  t: 'ready';
}
export interface PingFrame {
  t: 'ping';
  n: number;
}
export interface PongFrame {
  t: 'pong';
  n: number;
}
/** One piece of a message; `more` is false on the last piece. */
export interface ChunkFrame {
  t: 'chunk';
  data: Uint8Array;
  more: boolean;
}
export interface ByeFrame {
  t: 'bye';
  /** Words for people and logs. */
  reason: string;
  /**
   * Why, as a LinkEndCode (errors.ts). Optional on the wire, so goodbyes from
   * peers that send none still decode; the receiver maps a missing or
   * unknown code to `unknown`.
   */
  code?: string;
}

export type Frame = HelloFrame | ProofFrame | ReadyFrame | PingFrame | PongFrame | ChunkFrame | ByeFrame;

export function encodeFrame(frame: Frame): Uint8Array {
  return canonicalEncode(frame as unknown as CanonicalValue);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isBytes = (v: unknown, max: number, exact?: number): v is Uint8Array =>
  v instanceof Uint8Array && v.length <= max && (exact === undefined || v.length === exact);
/** A string of at most `max` bytes of UTF-8, as it crossed the wire. */
const isShortString = (v: unknown, max: number): v is string => typeof v === 'string' && fitsUtf8(v, max);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function isUser(v: unknown): v is PresentedUser {
  return (
    isObj(v) &&
    isBytes(v['signingSpki'], MAX_SPKI_BYTES) &&
    isBytes(v['binding'], SIGNATURE_BYTES, SIGNATURE_BYTES) &&
    // The name may come from a certificate (app-services), so it takes what a certificate's name may hold.
    (v['name'] === undefined || isShortString(v['name'], MAX_CERTIFICATE_NAME)) &&
    (v['certificate'] === undefined || isShortString(v['certificate'], MAX_CERTIFICATE_BYTES))
  );
}

/** Checks a decoded value is a well-formed frame. */
export function isFrame(v: unknown): v is Frame {
  if (!isObj(v)) return false;
  switch (v['t']) {
    case 'hello':
      return (
        isShortString(v['protocol'], 32) &&
        isShortString(v['overlay'], 253) &&
        isNodeId(v['nodeId']) &&
        isBytes(v['spki'], MAX_SPKI_BYTES) &&
        isBytes(v['nonce'], NONCE_BYTES, NONCE_BYTES) &&
        (v['user'] === undefined || isUser(v['user'])) &&
        (v['role'] === undefined || v['role'] === 'service') &&
        (v['puzzle'] === undefined || isBytes(v['puzzle'], ID_PUZZLE_X_BYTES, ID_PUZZLE_X_BYTES))
      );
    case 'proof':
      return isBytes(v['signature'], SIGNATURE_BYTES, SIGNATURE_BYTES);
    case 'ready':
      return true;
    case 'ping':
    case 'pong':
      return isCount(v['n']);
    case 'chunk':
      return isBytes(v['data'], CHUNK_BYTES) && typeof v['more'] === 'boolean';
    case 'bye':
      return isShortString(v['reason'], MAX_BYE_REASON_BYTES) && (v['code'] === undefined || isShortString(v['code'], MAX_BYE_CODE_BYTES));
    default:
      return false;
  }
}

/** Decodes a frame from a peer; returns an error string instead of throwing. */
export function decodeFrame(bytes: Uint8Array): Frame | { error: string } {
  if (bytes.length > MAX_FRAME_BYTES) return { error: `frame of ${bytes.length} bytes is over the ${MAX_FRAME_BYTES}-byte limit` };
  let v: unknown;
  try {
    v = canonicalDecode(bytes, { maxDepth: 6, maxItems: 64 });
  } catch (e) {
    return { error: `malformed frame: ${(e as Error).message}` };
  }
  if (!isFrame(v)) return { error: 'unknown or malformed frame' };
  return v;
}

/** What each side signs to prove the key behind its node ID, bound to both nonces and the overlay. */
export function proofPayload(overlay: string, signerId: string, peerId: string, signerNonce: Uint8Array, peerNonce: Uint8Array): Uint8Array {
  return canonicalEncode({ ctx: 'p2p-link-proof/1', overlay, signer: signerId, peer: peerId, signerNonce, peerNonce });
}

/** What a user key signs to say a node speaks for it on this overlay. */
export function userBindingPayload(overlay: string, nodeId: string): Uint8Array {
  return canonicalEncode({ ctx: 'p2p-user-node/1', overlay, nodeId });
}
