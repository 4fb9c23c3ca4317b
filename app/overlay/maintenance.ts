/**
 * The Chord maintenance loop: stabilize, notify, fix-fingers and
 * check-predecessor on their periods (DESIGN.md, Overlay), plus the storage
 * timer (anti-entropy and expiry). Timers start at random offsets so that
 * thousands of simulated nodes do not beat in step.
 */
import { type Clock, type Random } from '../common';
import { inOpen } from './id';
import { peerBytes, peerFromBytes } from './routing-table/peer';
import type { HandlerHost } from './rpc/handlers/host';
import { recursiveLookup } from './query/recursive';
import { defendedOr } from './defense/disjoint-lookup';

export interface MaintenancePeriods {
  stabilizeMs: number;
  fixFingersMs: number;
  fixFingersFastMs: number;
  checkPredecessorMs: number;
  syncMs: number;
  /** The lookup defenses (options.ts): fingers are found with them too, or an eclipse would fill the table with colluders. */
  lookupPaths?: number;
  checkSuccessor?: boolean;
}

export class Maintenance {
  private readonly timers = new Set<unknown>();
  private running = false;

  constructor(
    private readonly host: HandlerHost,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly periods: MaintenancePeriods,
    private readonly expire: () => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const p = this.periods;
    this.every(() => p.stabilizeMs, () => this.stabilize());
    this.every(() => p.checkPredecessorMs, () => this.checkPredecessor());
    this.every(() => (this.host.table.fingers.filled ? p.fixFingersMs : p.fixFingersFastMs), () => this.fixFingers());
    this.every(() => p.syncMs, () => {
      this.expire();
      this.host.replication.syncOwnRange();
    });
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private every(period: () => number, fn: () => void): void {
    const arm = (delay: number): void => {
      const t = this.clock.setTimeout(() => {
        this.timers.delete(t);
        if (!this.running) return;
        fn();
        arm(period());
      }, delay);
      this.timers.add(t);
    };
    arm(this.random.next() * period());
  }

  /**
   * Ask the successor for its predecessor and list; adopt a closer successor
   * and ask it at once too (up to `chain` times), so a node that joined far
   * from its place walks back in one round instead of one node per period.
   */
  stabilize(chain = 8): void {
    const { table, self } = this.host;
    const succ = table.successors.first();
    if (succ.id === self.id) {
      // Alone: a predecessor that found us is also our successor (two-node ring).
      if (table.predecessor && table.successors.consider(table.predecessor)) this.host.successorsChanged();
      return;
    }
    this.host.rpc.request(succ.hex, { t: 'neighbors' }, this.host.options.rpcTimeoutMs, (reply) => {
      if (!reply || reply.t !== 'neighbors-reply') {
        this.host.markDead(succ.hex);
        // Ask the next successor at once: its list refills this one's, and lookups
        // answered here until the next round would miss the node after the gap.
        if (chain > 0 && table.successors.length > 0) this.stabilize(chain - 1);
        return;
      }
      table.alive(succ.hex);
      const now = this.clock.now();
      const skip = (hex: string): boolean => table.isSuspect(hex, now);
      const tail = reply.succs.map(peerFromBytes);
      let head = succ;
      const x = reply.pred ? peerFromBytes(reply.pred) : null;
      const closer = x !== null && inOpen(x.id, self.id, succ.id) && !skip(x.hex);
      if (closer) {
        head = x;
        tail.unshift(succ);
      }
      if (table.successors.replace(head, tail, skip)) this.host.successorsChanged();
      if (closer && chain > 0) return this.stabilize(chain - 1);
      this.host.rpc.send(table.successors.first().hex, { t: 'notify' });
      // The successor's predecessor lies before this node (this node has just joined between
      // them): tell it too, so it takes this node as successor now (handlers/notify.ts).
      if (x !== null && !closer && x.id !== self.id && !skip(x.hex) && inOpen(self.id, x.id, table.successors.first().id)) {
        this.host.rpc.send(x.hex, { t: 'notify' });
      }
    });
  }

  checkPredecessor(): void {
    const pred = this.host.table.predecessor;
    if (!pred) return;
    this.host.rpc.request(pred.hex, { t: 'ping' }, this.host.options.rpcTimeoutMs, (reply) => {
      // A bad reply (malformed, or not a pong) is no sign of a working predecessor.
      if (reply && reply.t !== 'bad-reply') return this.host.table.alive(pred.hex);
      if (this.host.table.predecessor?.hex === pred.hex) this.host.markDead(pred.hex);
    });
  }

  fixFingers(): void {
    const { table } = this.host;
    const { index, target } = table.fingers.nextTarget(table.successors.first());
    // A finger found by an undefended lookup is whatever a colluder on the way names: with the
    // defenses on, fingers are found the defended way (S/Kademlia §4.4 fills its table from its lookups).
    const lookup = defendedOr(recursiveLookup, this.periods.lookupPaths ?? 1, this.periods.checkSuccessor ?? false);
    lookup(this.host, target, { deadline: this.clock.now() + this.periods.fixFingersMs * 2 }, (outcome) => {
      if (typeof outcome === 'string') return;
      const found = outcome.nodes[0];
      if (found) table.fingers.record(index, found);
    });
  }

  /** Graceful leave: tell the neighbours how to close the gap. */
  announceLeave(): void {
    const { table } = this.host;
    const pred = table.predecessor;
    const succs = table.successors.entries();
    const first = succs[0];
    if (first) this.host.rpc.send(first.hex, { t: 'leave', pred: pred ? peerBytes(pred) : null, succs: [] });
    if (pred) this.host.rpc.send(pred.hex, { t: 'leave', pred: null, succs: succs.map(peerBytes) });
  }
}
