/**
 * Finger i points at the successor of self + 2^i. Only distinct peers
 * matter (DESIGN.md: one per distinct target), so fix-fingers walks the
 * fingers from the top and fills the lower ones a found node also covers.
 */
import { distance, fingerStart, ID_BITS, inHalfOpen, log2Floor } from '../id';
import type { Peer } from './peer';

export class FingerTable {
  private readonly fingers: (Peer | undefined)[] = new Array<Peer | undefined>(ID_BITS);
  /** The next finger fix-fingers refreshes; fingers below it point at the successor. */
  private cursor = 0;
  /** True once fix-fingers has walked the whole table once. */
  filled = false;
  /** `distinct()` until the next change: every routing step asks for it. */
  private distinctCache: Peer[] | null = null;

  constructor(readonly self: Peer) {}

  get(i: number): Peer | undefined {
    return this.fingers[i];
  }

  /**
   * The finger fix-fingers should look up next and its target ID. Fingers
   * whose start lies at or before the immediate successor all point at it,
   * so they are filled here without a lookup.
   */
  nextTarget(successor: Peer): { index: number; target: bigint } {
    const low = successor.id === this.self.id ? ID_BITS : log2Floor(distance(this.self.id, successor.id)) + 1;
    if (this.cursor < low) {
      for (let i = 0; i < Math.min(low, ID_BITS); i++) this.fingers[i] = successor.id === this.self.id ? undefined : successor;
      this.distinctCache = null;
      this.cursor = low;
    }
    if (this.cursor >= ID_BITS) {
      this.filled = true;
      this.cursor = Math.min(low, ID_BITS - 1);
    }
    return { index: this.cursor, target: fingerStart(this.self.id, this.cursor) };
  }

  /**
   * Records the successor found for finger `index`; the higher fingers whose
   * start it also covers get it too, and the cursor moves past them.
   */
  record(index: number, found: Peer): void {
    this.distinctCache = null;
    this.fingers[index] = found.id === this.self.id ? undefined : found;
    let i = index + 1;
    while (i < ID_BITS && inHalfOpen(fingerStart(this.self.id, i), this.self.id, found.id) && found.id !== this.self.id) {
      this.fingers[i] = found;
      i++;
    }
    if (i >= ID_BITS) this.filled = true;
    this.cursor = i >= ID_BITS ? 0 : i;
  }

  remove(hex: string): void {
    for (let i = 0; i < ID_BITS; i++) {
      if (this.fingers[i]?.hex !== hex) continue;
      this.fingers[i] = undefined;
      this.distinctCache = null;
    }
  }

  /** Each distinct finger once, highest first. Shared until the table changes: do not modify. */
  distinct(): readonly Peer[] {
    return (this.distinctCache ??= this.computeDistinct());
  }

  private computeDistinct(): Peer[] {
    const out: Peer[] = [];
    let last: string | undefined;
    for (let i = ID_BITS - 1; i >= 0; i--) {
      const f = this.fingers[i];
      if (f && f.hex !== last && !out.some((p) => p.hex === f.hex)) out.push(f);
      if (f) last = f.hex;
    }
    return out;
  }

  /** Installs fingers from a known ring (simulator bootstrap); `succOf` gives the successor of an ID. */
  fillFrom(succOf: (id: bigint) => Peer): void {
    this.distinctCache = null;
    for (let i = 0; i < ID_BITS; i++) this.fingers[i] = succOf(fingerStart(this.self.id, i));
    this.filled = true;
  }
}
