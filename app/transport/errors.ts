/**
 * Why a link ended or never came up, as codes the layers above decide on,
 * carried next to the words a person reads. The words may change; callers
 * branch on the code only. Named error classes and coded reasons follow the
 * kad-dht `errors.ts` layout (STYLE.md, practice 6).
 */

/**
 * Why a link closed, on the side that reports it. Every place that closes a
 * link in this folder uses one of these:
 * - `refused`: a permission decision said no (this side's, or the far
 *   side's goodbye said so);
 * - `replaced`: a newer link to the same peer took its place;
 * - `crossed`: both sides dialed each other at once, and the link the
 *   smaller node ID dialed is kept: the other side's channel is closed with
 *   this code, before any handshake, and its dial waits for the kept link
 *   instead of failing;
 * - `keepalive`: the far side answered none of the keep-alives;
 * - `leaving`: the closing side is going away (its tab closes, the service
 *   peer stops, its link manager is closed);
 * - `closed-by-you`: the person closed it by hand;
 * - `making-room`: closed to free a slot under the link cap for a link the
 *   overlay needs (evicted);
 * - `revoked`: the permission that let it in was taken back;
 * - `connection-closed`: the channel under it closed without a goodbye;
 * - `handshake-failed`: the handshake did not finish (timed out, no
 *   permission decision in time, another protocol or overlay, a node ID its
 *   key does not prove, a user identity that does not vouch for the node);
 * - `weak-node-id`: the far side's node key does not carry a valid solution
 *   of this overlay's node ID puzzle (identity/id-puzzle.ts: S/Kademlia's
 *   cost on making node IDs), or carries none;
 * - `protocol-error`: the far side broke the link protocol (a malformed
 *   frame, a step out of turn, a message over the limit);
 * - `internal-error`: this side failed while handling a frame;
 * - `unknown`: the far side's goodbye carried no code or one this side does
 *   not know (a far side's code is untrusted input).
 */
export type LinkEndCode =
  | 'refused'
  | 'replaced'
  | 'crossed'
  | 'keepalive'
  | 'leaving'
  | 'closed-by-you'
  | 'making-room'
  | 'revoked'
  | 'connection-closed'
  | 'handshake-failed'
  | 'weak-node-id'
  | 'protocol-error'
  | 'internal-error'
  | 'unknown';

/** Every LinkEndCode, for checking a code that crossed the wire. */
export const LINK_END_CODES: readonly LinkEndCode[] = [
  'refused',
  'replaced',
  'crossed',
  'keepalive',
  'leaving',
  'closed-by-you',
  'making-room',
  'revoked',
  'connection-closed',
  'handshake-failed',
  'weak-node-id',
  'protocol-error',
  'internal-error',
  'unknown',
];

/**
 * Why a dial found no channel to the peer (before any link handshake):
 * - `not-online`: the signaling server does not know the peer (PeerJS's
 *   expired offer) or, in memory, it is down;
 * - `no-answer`: the peer did not answer in time;
 * - `no-signaling`: this side has no signaling connection to dial through;
 * - `signaling-lost`: the signaling connection dropped during the dial;
 * - `connection-error`: the data connection failed while opening;
 * - `link-cap`: this side already holds as many links as it may;
 * - `self`: a node does not link to itself;
 * - `manager-closed`: this side's link manager is closed;
 * - `no-route`: an overlay-signaled dial (attach.ts) found no route to the
 *   peer across the ring, or its offer was not delivered;
 * - `attach-refused`: the peer turned down an overlay-signaled offer (it had
 *   too many being set up, or could not read the offer).
 */
export type DialFailureCode =
  | 'not-online'
  | 'no-answer'
  | 'no-signaling'
  | 'signaling-lost'
  | 'connection-error'
  | 'link-cap'
  | 'self'
  | 'manager-closed'
  | 'no-route'
  | 'attach-refused';

/** Why a link did not come up: no channel, or a link that closed during its handshake. */
export type LinkFailureCode = DialFailureCode | LinkEndCode;

/** How a link ended: the code to decide on, the words to show, and whether the far side's goodbye said it. */
export interface LinkEnd {
  readonly code: LinkEndCode;
  /** For people and logs; never matched. */
  readonly words: string;
  /** True when the far side closed the link and its goodbye carried the code; false when this side decided. */
  readonly fromPeer: boolean;
}

/** Why a link did not come up, in the same shape as LinkEnd. */
export interface LinkFailure {
  readonly code: LinkFailureCode;
  readonly words: string;
  readonly fromPeer: boolean;
}

/** The words a local close uses when its caller gives none. */
export const LINK_END_WORDS: Readonly<Record<LinkEndCode, string>> = {
  refused: 'not allowed',
  replaced: 'replaced by a newer link',
  crossed: 'both sides dialed at once; the other link is kept',
  keepalive: 'no answer to keep-alives',
  leaving: 'leaving',
  'closed-by-you': 'closed by you',
  'making-room': 'making room',
  revoked: 'the permission was revoked',
  'connection-closed': 'the connection closed',
  'handshake-failed': 'the handshake failed',
  'weak-node-id': 'the node ID does not solve this overlay’s puzzle',
  'protocol-error': 'the peer broke the link protocol',
  'internal-error': 'internal error',
  unknown: 'closed',
};

const KNOWN_END_CODES: ReadonlySet<string> = new Set(LINK_END_CODES);

/** Reads a code from a far side's goodbye: a known code is kept, anything else (or none) is `unknown`. */
export function linkEndCodeFrom(value: unknown): LinkEndCode {
  return typeof value === 'string' && KNOWN_END_CODES.has(value) ? (value as LinkEndCode) : 'unknown';
}

/**
 * A dial or a link handshake failed. `message` is the words for people;
 * `code` is what callers decide on.
 */
export class DialError extends Error {
  override name = 'DialError';
  constructor(
    readonly code: LinkFailureCode,
    message: string,
    /** True when the far side's goodbye gave the code. */
    readonly fromPeer = false,
  ) {
    super(message);
  }
}

/** Reads the failure out of whatever a dial rejected with; a stray error is a `connection-error`. */
export function linkFailureOf(e: unknown): LinkFailure {
  if (e instanceof DialError) return { code: e.code, words: e.message, fromPeer: e.fromPeer };
  return { code: 'connection-error', words: e instanceof Error ? e.message : String(e), fromPeer: false };
}

/** A send on a link that is not (or no longer) ready. */
export class LinkClosedError extends Error {
  override name = 'LinkClosedError';
  constructor(
    message: string,
    /** How the link ended; null while its handshake is still running. */
    readonly end: LinkEnd | null = null,
  ) {
    super(message);
  }
}
