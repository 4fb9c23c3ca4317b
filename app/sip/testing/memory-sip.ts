/** An in-memory overlay for SIP tests: nodes, a location table, and a log of what crossed it. */
import { Listeners, silentLogger } from '../../common';
import { NameTakenError, OverlayTimeoutError } from '../errors';
import type { LookupResult, SendResult, SipLocation, SipNetwork } from '../types';

export class MemorySipOverlay {
  readonly receivers = new Map<string, Set<(from: string, text: string) => void>>();
  readonly registrations = new Map<string, Set<string>>();
  readonly down = new Set<string>();
  /** Nodes whose messages go unacknowledged (the overlay did not answer, rather than "gone"). */
  readonly silent = new Set<string>();
  readonly wire: { from: string; to: string; text: string }[] = [];
  /** Emits after every message delivered (its receivers have run) and every message a hold catches: a change feed for `when`. */
  readonly changed = new Listeners<void>(silentLogger);
  /**
   * Messages still on their way: a send whose (from, to, text) matches a hold
   * waits, neither delivered nor answered, until `release()` lets it go. Lets
   * a test put a message "in flight" while other things happen.
   */
  private readonly holds: { match: (from: string, to: string, text: string) => boolean; waiting: (() => void)[] }[] = [];

  /** Holds every message that `match` picks until the returned function is called (which delivers them, in order). */
  hold(match: (from: string, to: string, text: string) => boolean): { release: () => void; count: () => number } {
    const h = { match, waiting: [] as (() => void)[] };
    this.holds.push(h);
    return {
      release: () => {
        this.holds.splice(this.holds.indexOf(h), 1);
        for (const go of h.waiting.splice(0)) go();
      },
      count: () => h.waiting.length,
    };
  }

  /** Every registration write asked for, as `name@node expires`, failed or not. */
  readonly registerLog: string[] = [];
  /** The next this many registration writes time out, as the DHT does when it does not answer. */
  failRegistrations = 0;
  /** The next this many registration writes never answer (a hung network). */
  hangRegistrations = 0;
  /** Names whose registration is refused for good: someone else holds them. */
  readonly taken = new Set<string>();

  network(nodeId: string): SipNetwork {
    return {
      nodeId,
      send: async (to, text): Promise<SendResult> => {
        await Promise.resolve();
        const held = this.holds.find((h) => h.match(nodeId, to, text));
        if (held) {
          const released = new Promise<void>((go) => held.waiting.push(go));
          this.changed.emit();
          await released;
        }
        const r = this.receivers.get(to);
        if (!r || r.size === 0 || this.down.has(to)) return 'unreachable';
        if (this.silent.has(to)) return 'timeout';
        this.wire.push({ from: nodeId, to, text });
        for (const fn of r) fn(nodeId, text);
        this.changed.emit();
        return 'sent';
      },
      probe: async (to): Promise<SendResult> => {
        await Promise.resolve();
        const r = this.receivers.get(to);
        if (!r || r.size === 0 || this.down.has(to)) return 'unreachable';
        return this.silent.has(to) ? 'timeout' : 'sent';
      },
      onReceive: (fn) => {
        const set = this.receivers.get(nodeId) ?? new Set();
        set.add(fn);
        this.receivers.set(nodeId, set);
        return () => set.delete(fn);
      },
    };
  }

  location(nodeId: string): SipLocation {
    return {
      lookup: async (name): Promise<LookupResult> => {
        await Promise.resolve();
        const nodes = this.registrations.get(name);
        return nodes ? { kind: 'found', nodes: [...nodes] } : { kind: 'unknown' };
      },
      register: async (name, expires) => {
        await Promise.resolve();
        this.registerLog.push(`${name}@${nodeId} ${expires}`);
        if (this.taken.has(name) && expires > 0) throw new NameTakenError(`the name ${name} is taken by someone else`);
        if (this.hangRegistrations > 0) {
          this.hangRegistrations--;
          return new Promise<void>(() => undefined);
        }
        if (this.failRegistrations > 0) {
          this.failRegistrations--;
          throw new OverlayTimeoutError('the network did not answer in time');
        }
        const set = this.registrations.get(name) ?? new Set<string>();
        if (expires > 0) set.add(nodeId);
        else set.delete(nodeId);
        this.registrations.set(name, set);
      },
    };
  }
}
