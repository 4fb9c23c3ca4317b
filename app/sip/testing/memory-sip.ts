/** An in-memory overlay for SIP tests: nodes, a location table, and a log of what crossed it. */
import type { LookupResult, SendResult, SipLocation, SipNetwork } from '../types';

export class MemorySipOverlay {
  readonly receivers = new Map<string, Set<(from: string, text: string) => void>>();
  readonly registrations = new Map<string, Set<string>>();
  readonly down = new Set<string>();
  /** Nodes whose messages go unacknowledged (the overlay did not answer, rather than "gone"). */
  readonly silent = new Set<string>();
  readonly wire: { from: string; to: string; text: string }[] = [];

  network(nodeId: string): SipNetwork {
    return {
      nodeId,
      send: async (to, text): Promise<SendResult> => {
        await Promise.resolve();
        const r = this.receivers.get(to);
        if (!r || r.size === 0 || this.down.has(to)) return 'unreachable';
        if (this.silent.has(to)) return 'timeout';
        this.wire.push({ from: nodeId, to, text });
        for (const fn of r) fn(nodeId, text);
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
        const set = this.registrations.get(name) ?? new Set<string>();
        if (expires > 0) set.add(nodeId);
        else set.delete(nodeId);
        this.registrations.set(name, set);
      },
    };
  }
}
