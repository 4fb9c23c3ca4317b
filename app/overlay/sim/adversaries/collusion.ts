/**
 * Colluding adversaries in the simulator: a chosen set of real nodes whose
 * incoming messages pass through a behaviour (sim-network.ts
 * `MessageInterceptor`) before their own overlay code sees them. The node
 * code is not forked: a colluder runs the real ChordNode for everything its
 * kind leaves alone (stabilize, notify, anti-entropy), so it stays in the
 * ring, holds replicas and is found by lookups, as a real attacker would.
 *
 * The kinds are the routing and storage attacks of Castro et al., "Secure
 * routing for structured peer-to-peer overlay networks" (OSDI 2002) and
 * Baumgart & Mies, "S/Kademlia" (2007):
 * - `drop`: drops every routed message and lookup request it should forward
 *   or answer (recursive `route`, iterative `find`, routed `app` messages),
 *   except its ring neighbours' (so they keep it in their successor lists);
 * - `misroute`: forwards recursive lookups to other colluders instead of
 *   closer nodes, and answers iterative steps with colluders as next hops;
 * - `eclipse`: answers every lookup for a target key as if it were the
 *   key's predecessor, naming the colluders after the key as its successor
 *   and replicas, and shows those colluders as its successor list to anyone
 *   but its own ring neighbour (so stabilize keeps it in the ring);
 * - `bad-storage`: accepts writes, then answers reads with an older version
 *   it kept (validly signed: stale-by-attack), a corrupted copy (bad
 *   signature), or nothing;
 * - `eclipse+bad-storage`: both, the strongest attack on a record.
 */
import { bytesToHexId, idFromHex, idToHex, inOpen } from '../../id';
import { encodeMessage, isParseFailure, parseMessage, type Message } from '../../messages';
import type { ChordNode } from '../../node';
import { peerBytes, peerFromHex, type Peer } from '../../routing-table/peer';
import type { WireRecord } from '../../storage/record';
import type { Simulation } from '../simulation';

export type AdversaryKind = 'drop' | 'misroute' | 'eclipse' | 'bad-storage' | 'eclipse+bad-storage';

export const ADVERSARY_KINDS: readonly AdversaryKind[] = ['drop', 'misroute', 'eclipse', 'bad-storage', 'eclipse+bad-storage'];

/** A misrouting colluder drops a route this long: by then it has wasted the hops it can, and longer routes only cost the simulation time. */
const MISROUTE_LIMIT = 12;

const slot = (keyHex: string, sub: string): string => keyHex + '/' + sub;

export interface CollusionOptions {
  /** Keys (hex) to eclipse; absent: every key (the worst case for lookups). */
  targets?: ReadonlySet<string>;
}

/** A set of colluding simulated nodes of one kind. `install` turns them, `remove` turns them back. */
export class Collusion {
  readonly members: ReadonlySet<string>;
  /** Member IDs in ring order, for "the colluders after this key". */
  private readonly ring: bigint[];
  /** The oldest validly signed version of each record the colluders have seen (key/sub). */
  private readonly oldest = new Map<string, WireRecord>();
  private installed = false;
  /** Answers the colluders gave that an honest node would not have (counted per message). */
  lies = 0;

  constructor(
    private readonly sim: Simulation,
    readonly kind: AdversaryKind,
    members: readonly string[],
    private readonly opts: CollusionOptions = {},
  ) {
    this.members = new Set(members);
    this.ring = members.map(idFromHex).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Records the colluders keep to serve later as stale: what any node could
   * have read while it was current (in a benchmark, the first version written).
   */
  remember(records: readonly WireRecord[]): void {
    for (const r of records) {
      const s = slot(bytesToHexId(r.k), r.sub);
      const held = this.oldest.get(s);
      if (!held || r.version < held.version) this.oldest.set(s, r);
    }
  }

  install(): void {
    if (this.installed) return;
    this.installed = true;
    for (const id of this.members) {
      const node = this.sim.nodes.get(id);
      if (node) this.sim.net.intercept(id, (from, bytes, pass) => this.behave(node, from, bytes, pass));
    }
  }

  remove(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const id of this.members) this.sim.net.intercept(id, null);
  }

  /** Up to `n` colluders after `key` on the ring, nearest first. */
  after(key: bigint, n: number): Peer[] {
    const s = this.ring;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    const out: Peer[] = [];
    for (let i = 0; i < Math.min(n, s.length); i++) out.push(peerFromHex(idToHex(s[(lo + i) % s.length]!)));
    return out;
  }

  private targeted(key: Uint8Array): boolean {
    return !this.opts.targets || this.opts.targets.has(bytesToHexId(key));
  }

  private send(node: ChordNode, to: string, msg: Message): void {
    this.lies++;
    node.components.transport.send(to, encodeMessage(msg));
  }

  private behave(node: ChordNode, from: string, bytes: Uint8Array, pass: () => void): void {
    if (node.isClosed) return;
    const msg = parseMessage(bytes);
    if (isParseFailure(msg)) return pass();
    const kind = this.kind;
    // Requests from its own ring neighbours are answered truly: they would otherwise drop it from
    // their successor lists, and an attacker that wants to stay on lookup paths avoids that.
    const neighbour = node.table.predecessor?.hex === from || node.table.successors.has(from);
    if (kind === 'drop') return neighbour ? pass() : this.drop(node, msg, pass);
    if (kind === 'misroute') return neighbour ? pass() : this.misroute(node, from, msg, pass);
    if ((kind === 'eclipse' || kind === 'eclipse+bad-storage') && this.eclipse(node, from, msg)) return;
    if ((kind === 'bad-storage' || kind === 'eclipse+bad-storage') && msg.t === 'fetch') return this.badRead(node, from, msg);
    pass();
  }

  private drop(node: ChordNode, msg: Message, pass: () => void): void {
    if (msg.t === 'route' || msg.t === 'find') return void this.lies++;
    if (msg.t === 'routed' && bytesToHexId(msg.route[0]!) !== node.id) return void this.lies++;
    if (msg.t === 'app' && bytesToHexId(msg.to) !== node.id) return void this.lies++;
    pass();
  }

  private misroute(node: ChordNode, from: string, msg: Message, pass: () => void): void {
    const r = node.options.successors;
    if (msg.t === 'route') {
      const on = new Set(msg.route.map(bytesToHexId));
      if (msg.route.length >= MISROUTE_LIMIT) return void this.lies++;
      // Any colluder not yet on the route: a hop that makes no progress toward the key.
      const key = idFromHex(bytesToHexId(msg.key));
      const next = this.after(key + BigInt(msg.lid * 7919 + msg.route.length), this.ring.length).find((p) => p.hex !== node.id && !on.has(p.hex));
      if (!next) return void this.lies++;
      return this.send(node, next.hex, { t: 'route', lid: msg.lid, key: msg.key, route: [...msg.route, peerBytes(node.self)] });
    }
    if (msg.t === 'find') {
      // Colluders between this node and the key, nearest the key first: the origin takes them as progress.
      const key = idFromHex(bytesToHexId(msg.key));
      const before = this.ring.filter((id) => inOpen(id, node.self.id, key)).sort((a, b) => (a > b ? -1 : 1));
      const nodes = before.slice(0, Math.max(1, r - 1)).map((id) => peerFromHex(idToHex(id)));
      return this.send(node, from, { t: 'found', id: msg.id, done: false, nodes: nodes.map(peerBytes) });
    }
    pass();
  }

  /** Answers a lookup or a neighbour query with colluders; true when it did. */
  private eclipse(node: ChordNode, from: string, msg: Message): boolean {
    const r = node.options.successors;
    if (msg.t === 'route' && this.targeted(msg.key)) {
      const nodes = this.after(idFromHex(bytesToHexId(msg.key)), r).filter((p) => p.hex !== node.id);
      this.send(node, bytesToHexId(msg.route[0]!), { t: 'routed', lid: msg.lid, nodes: nodes.map(peerBytes), route: [...msg.route, peerBytes(node.self)] });
      return true;
    }
    if (msg.t === 'find' && this.targeted(msg.key)) {
      const nodes = this.after(idFromHex(bytesToHexId(msg.key)), r).filter((p) => p.hex !== node.id);
      this.send(node, from, { t: 'found', id: msg.id, done: true, nodes: nodes.map(peerBytes) });
      return true;
    }
    // Its own predecessor runs stabilize through it and must keep it in the ring: the truth for it.
    if (msg.t === 'neighbors' && from !== node.table.predecessor?.hex) {
      const succs = this.after(node.self.id + 1n, r).filter((p) => p.hex !== node.id);
      this.send(node, from, { t: 'neighbors-reply', id: msg.id, pred: node.table.predecessor ? peerBytes(node.table.predecessor) : null, succs: succs.map(peerBytes) });
      return true;
    }
    return false;
  }

  private badRead(node: ChordNode, from: string, msg: Extract<Message, { t: 'fetch' }>): void {
    const keyHex = bytesToHexId(msg.key);
    const held = msg.sub !== null ? [node.localRecord(keyHex, msg.sub)].filter((x): x is WireRecord => !!x) : node.replication.store.list(keyHex, node.clock.now());
    const records = held.map((rec, i) => {
      const old = this.oldest.get(slot(keyHex, rec.sub));
      if (old && old.version < rec.version) return old;
      // Nothing older to show: every other record corrupted (its signature then fails), the rest withheld.
      if ((rec.version + i + node.self.hex.charCodeAt(0)) % 2 === 0) return { ...rec, value: new Uint8Array([...rec.value, 0x21]) };
      return null;
    });
    this.send(node, from, { t: 'fetched', id: msg.id, records: records.filter((x): x is WireRecord => x !== null) });
  }
}
