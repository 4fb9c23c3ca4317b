/** A node as the routing table holds it: its ring position and its address. */
import { bytesToHexId, hexIdToBytes, idFromHex } from '../id';

export interface Peer {
  readonly id: bigint;
  readonly hex: string;
}

interface InternedPeer extends Peer {
  readonly bytes: Uint8Array;
}

/**
 * One Peer object per node ID, reused: every routing message names nodes,
 * and parsing a 160-bit bigint and re-encoding 20 bytes for each of them was
 * most of a message's cost. Bounded: cleared when it grows past the limit.
 */
const interned = new Map<string, InternedPeer>();
const INTERN_LIMIT = 200_000;

export function peerFromHex(hex: string): Peer {
  let p = interned.get(hex);
  if (!p) {
    p = { id: idFromHex(hex), hex, bytes: hexIdToBytes(hex) };
    if (interned.size >= INTERN_LIMIT) interned.clear();
    interned.set(hex, p);
  }
  return p;
}

/** From 20 checked bytes (messages.ts has verified the length). */
export function peerFromBytes(bytes: Uint8Array): Peer {
  return peerFromHex(bytesToHexId(bytes));
}

/** The node's 20 ID bytes. Shared by every message naming the node: encoders copy, nobody writes to it. */
export function peerBytes(p: Peer): Uint8Array {
  return 'bytes' in p ? (p as InternedPeer).bytes : hexIdToBytes(p.hex);
}
