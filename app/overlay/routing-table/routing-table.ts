/**
 * Everything a node knows about the ring: predecessor, successor list,
 * fingers and the nodes it suspects dead. Pure data (STYLE.md, practice 3):
 * the maintenance loop does the I/O and tells the table what it learned.
 */
import { distance, inHalfOpen, inOpen, RING } from '../id';
import { FingerTable } from './finger-table';
import type { Peer } from './peer';
import { SuccessorList } from './successor-list';

export class RoutingTable {
  readonly successors: SuccessorList;
  readonly fingers: FingerTable;
  predecessor: Peer | null = null;
  /** hex → time until which the node is skipped. */
  private readonly suspects = new Map<string, number>();

  /**
   * @param listLength successor-list length
   * @param witnessCount how many successors `refutes` takes as proof: entries far down the
   *   list lag a failure by a stabilize round per position, so only the first r are trusted
   */
  constructor(
    readonly self: Peer,
    listLength: number,
    private readonly suspectMs: number,
    private readonly witnessCount = listLength,
  ) {
    this.successors = new SuccessorList(self, listLength);
    this.fingers = new FingerTable(self);
  }

  /** True when this node is the successor of `key` as far as it knows: key ∈ (predecessor, self]. */
  owns(key: bigint): boolean {
    return this.predecessor === null ? this.successors.length === 0 : inHalfOpen(key, this.predecessor.id, this.self.id);
  }

  /** True when `key` ∈ (self, successor]: this node's successor list is the answer. */
  successorCovers(key: bigint): boolean {
    return inHalfOpen(key, this.self.id, this.successors.first().id);
  }

  isSuspect(hex: string, now: number): boolean {
    const until = this.suspects.get(hex);
    if (until === undefined) return false;
    if (until > now) return true;
    this.suspects.delete(hex);
    return false;
  }

  /** Forgets a node that stopped answering, and skips it for a while. */
  markDead(hex: string, now: number): void {
    this.successors.remove(hex);
    this.fingers.remove(hex);
    if (this.predecessor?.hex === hex) this.predecessor = null;
    this.suspects.set(hex, now + this.suspectMs);
    // Bound the map: old entries go first (Map keeps insertion order).
    if (this.suspects.size > 256) {
      const oldest = this.suspects.keys().next().value;
      if (oldest !== undefined) this.suspects.delete(oldest);
    }
  }

  /** Clears a suspicion: the node has just answered. */
  alive(hex: string): void {
    this.suspects.delete(hex);
  }

  /**
   * The r nodes after this one, as the answer for a key in (self, successor]:
   * the head of the successor list, and this node itself when the list is
   * shorter than r (a ring of r nodes or fewer: after the last one the ring
   * wraps to here), so a small ring still gets every node as a replica.
   */
  answerList(r: number): Peer[] {
    const list = this.successors.entries();
    return list.length < r ? [...list, this.self] : list.slice(0, r);
  }

  /** Every distinct node in the table (successors, fingers, predecessor). */
  known(): Peer[] {
    const out = new Map<string, Peer>();
    for (const p of this.successors.entries()) out.set(p.hex, p);
    for (const p of this.fingers.distinct()) out.set(p.hex, p);
    if (this.predecessor) out.set(this.predecessor.hex, this.predecessor);
    return [...out.values()];
  }

  /**
   * The known nodes that lie strictly between self and `key`, closest to the
   * key first: the next hops of a lookup. `skip` leaves out nodes already
   * tried or suspected.
   */
  closestPreceding(key: bigint, count: number, skip: (hex: string) => boolean): Peer[] {
    // Nodes in (self, key), by distance to the key: the one nearest the key first.
    // key === self: the whole ring but self lies before it (as inOpen has it).
    const span = distance(this.self.id, key) || RING;
    const out: Peer[] = [];
    const gaps: bigint[] = [];
    const consider = (p: Peer): void => {
      const d = distance(this.self.id, p.id);
      if (d === 0n || d >= span || out.some((q) => q.hex === p.hex) || skip(p.hex)) return;
      // Insertion by distance from self, farthest (nearest the key) first.
      let i = out.length;
      while (i > 0 && gaps[i - 1]! < d) i--;
      out.splice(i, 0, p);
      gaps.splice(i, 0, d);
    };
    for (const p of this.successors.entries()) consider(p);
    for (const p of this.fingers.distinct()) consider(p);
    if (this.predecessor) consider(this.predecessor);
    if (out.length > count) out.length = count;
    return out;
  }

  /**
   * A node lying in [key, claimed) proves that `claimed` is not the
   * successor of `key` (a lying or stale answer). Only this node, its
   * predecessor and the head of its successor list count as proof: they are
   * checked every stabilize round, so a dead finger cannot refute a true answer.
   */
  refutes(key: bigint, claimed: Peer, now: number): boolean {
    // Before joining, this node is not on the ring yet and proves nothing itself.
    const witnesses = this.successors.length > 0 ? [this.self, ...this.successors.entries().slice(0, this.witnessCount)] : [];
    if (this.predecessor) witnesses.push(this.predecessor);
    for (const p of witnesses) {
      if (p.id === claimed.id || this.isSuspect(p.hex, now)) continue;
      // A node whose ID is the key owns it; otherwise a node strictly between the key and the
      // claimed successor refutes it. When the key is the claimed node's own ID nothing lies
      // between (inOpen(x, a, a) would be the whole ring).
      if (p.id === key || (key !== claimed.id && inOpen(p.id, key, claimed.id))) return true;
    }
    return false;
  }
}
