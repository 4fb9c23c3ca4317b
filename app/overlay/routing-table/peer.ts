/** A node as the routing table holds it: its ring position and its address. */
import { bytesToHexId, hexIdToBytes, idFromHex } from '../id';

export interface Peer {
  readonly id: bigint;
  readonly hex: string;
}

export function peerFromHex(hex: string): Peer {
  return { id: idFromHex(hex), hex };
}

/** From 20 checked bytes (messages.ts has verified the length). */
export function peerFromBytes(bytes: Uint8Array): Peer {
  return peerFromHex(bytesToHexId(bytes));
}

export function peerBytes(p: Peer): Uint8Array {
  return hexIdToBytes(p.hex);
}
