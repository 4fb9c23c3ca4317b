/** Named errors of the overlay. Message handlers never throw; entry points do. */

/** A lookup found no live candidate, passed its deadline, or was aborted. */
export class LookupError extends Error {
  override name = 'LookupError';
  constructor(
    message: string,
    readonly reason: 'no-candidate' | 'deadline' | 'aborted' | 'not-joined',
  ) {
    super(message);
  }
}

/** A request to one node got no answer in time, or an error answer. */
export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    message: string,
    readonly reason: 'timeout' | 'remote' | 'closed',
  ) {
    super(message);
  }
}

/** A record was refused by a store; `reason` says why (see `RefusalReason`). */
export class RecordRefusedError extends Error {
  override name = 'RecordRefusedError';
  constructor(readonly reason: string) {
    super(`record refused: ${reason}`);
  }
}

/** Options out of range (e.g. r outside 2..8). */
export class OverlayConfigError extends Error {
  override name = 'OverlayConfigError';
}

/** The node was closed or has left. */
export class OverlayClosedError extends Error {
  override name = 'OverlayClosedError';
}

/**
 * A peer answered a request with a reply this node refused as bad input
 * (DESIGN.md, Bad input): malformed, of the wrong type, or inconsistent with
 * the request (e.g. a result count that does not match the records sent).
 */
export class BadReplyError extends Error {
  override name = 'BadReplyError';
  constructor(
    /** The node ID (hex) of the peer that answered. */
    readonly peer: string,
    /** What was wrong with the reply. */
    readonly reason: string,
  ) {
    super(`bad reply from ${peer.slice(0, 8)}: ${reason}`);
  }
}
