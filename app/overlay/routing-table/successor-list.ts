/**
 * The r nearest nodes clockwise from this one. Pure data: no timers, no I/O
 * (STYLE.md, practice 3). Entries are kept sorted by distance from self.
 */
import { distance } from '../id';
import type { Peer } from './peer';

export class SuccessorList {
  private list: Peer[] = [];

  constructor(
    readonly self: Peer,
    readonly size: number,
  ) {}

  /** The immediate successor, or self when this node knows nobody. */
  first(): Peer {
    return this.list[0] ?? this.self;
  }

  entries(): readonly Peer[] {
    return this.list;
  }

  get length(): number {
    return this.list.length;
  }

  has(hex: string): boolean {
    return this.list.some((p) => p.hex === hex);
  }

  /**
   * Replaces the list with `head` followed by the successor's own list, as
   * stabilize does; self, duplicates and `skip`ped nodes are left out.
   */
  replace(head: Peer, tail: readonly Peer[], skip: (hex: string) => boolean): boolean {
    const before = this.signature();
    this.list = [];
    for (const p of [head, ...tail]) this.consider(p, skip);
    return before !== this.signature();
  }

  /** Inserts a node if it is nearer than the farthest entry or the list is short. */
  consider(p: Peer, skip: (hex: string) => boolean = () => false): boolean {
    if (p.id === this.self.id || skip(p.hex) || this.has(p.hex)) return false;
    const d = distance(this.self.id, p.id);
    let i = 0;
    while (i < this.list.length && distance(this.self.id, this.list[i]!.id) < d) i++;
    if (i >= this.size) return false;
    this.list.splice(i, 0, p);
    if (this.list.length > this.size) this.list.length = this.size;
    return true;
  }

  remove(hex: string): boolean {
    const i = this.list.findIndex((p) => p.hex === hex);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  /** A string that changes when membership changes, to notice it cheaply. */
  signature(): string {
    return this.list.map((p) => p.hex).join(',');
  }
}
