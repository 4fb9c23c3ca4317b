/**
 * One member of the live ring, browser tab or service peer alike: the Chord
 * node on the authenticated-link Transport, joined through online and
 * remembered peers, re-joining with back-off when it could not join,
 * merging rings that formed apart (RingUnifier), keeping links to its neighbours, persisting its
 * records behind a KeyValueStore, and publishing a snapshot. No DOM: the tab
 * (app/peer/overlay-service.ts) and the service peer (app/service-peer/) both run it.
 * It waits only on its injected Clock and chooses only with its injected
 * Random (STYLE.md, practice 4), so the simulator runs it on virtual time.
 */
import type { KeyValueStore } from '../identity';
import {
  Backoff,
  LookupError,
  RingUnifier,
  checkRecord,
  type AsyncTracker,
  createOverlayNode,
  type LookupMode,
  type LookupResult,
  type OverlayNode,
  type OverlayOptions,
  type RecordSigner,
  type RecordVerifier,
  type WireRecord,
} from '../overlay';
import { createLogger, Listeners, SeededRandom, type Clock, type Random } from '../common';
import type { RingLinks } from './ring-links';

/** A member's collaborators (kad-dht's `(components, init)`). */
export interface RingMemberComponents {
  /** The links the node runs on; `liveRingComponents` (tab, service peer) or the simulator's. */
  links: RingLinks;
  /** Where the node's records persist. */
  records: KeyValueStore;
  /** Where the peers remembered for the next visit are kept. */
  settings: KeyValueStore;
  /** The peers the signaling server lists as online, in the order they came; every member gets the same list. */
  onlinePeers: () => readonly string[];
  clock: Clock;
  /** Seeds the node and the unifier, and picks join candidates and retry jitter. */
  random: Random;
  /** Checks record signatures: WebCrypto live, a cheap stand-in in large simulations. */
  verifier: RecordVerifier;
  /** Why this member may not join (its own permission settings), in words; null when nothing stops it. @default () => null */
  whyNot?: () => string | null;
  /** Signs routed messages as this node (SIP rides on them); without it the node only relays. */
  nodeSigner?: RecordSigner;
  /** This node's ECDH agreement key pair, kept with its node key; none: one is made for each run. */
  agreementKey?: CryptoKeyPair;
  /** The simulator's tracker of async work, so virtual time waits for it. */
  tracker?: AsyncTracker;
}

/** A member's options. */
export interface RingMemberInit {
  /** The overlay node's options. @default {} */
  overlay?: OverlayOptions;
  /** How often the member refreshes its snapshot and kept links and re-joins when out of the ring, in ms. @default 1000 */
  tickMs?: number;
}

/** What the Network page and the service peer's log show of a member. */
export interface RingSnapshot {
  self: string;
  joined: boolean;
  status: string;
  /**
   * Why this member's own permission settings keep it out of the ring, in
   * words (from `whyNot`), while it is out for that reason; null otherwise.
   * The app adds what follows from it: calls cannot reach this tab.
   */
  refusal: string | null;
  predecessor: string | null;
  successors: string[];
  fingers: string[];
  /** Records this tab holds (its own keys and replicas). */
  records: number;
  /** Lookups made from this tab recently, for the picture. */
  lookups: { id: string; key: string; path: string[]; at: number }[];
}

const PEERS_KEY = 'remembered-peers';
/** Peers remembered for the next visit. */
const MAX_REMEMBERED = 32;
/** Bootstrap candidates asked at once per join attempt. */
const JOIN_CANDIDATES = 8;
/**
 * Join attempts that met only peers outside any ring before this member
 * starts a ring of its own anyway (unless its ID is the smallest online, when
 * it starts one at once); the rings that result merge.
 */
const LONE_START_AFTER = 4;

/** Ticks between two writes of the remembered peers (about every 10 s). */
const REMEMBER_EVERY_TICKS = 10;

type Listener = () => void;

function shuffle<T>(a: T[], random: Random): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * One ring member: join, re-join with back-off, ring merging, kept neighbour
 * links, persisted and remembered state, and a snapshot to subscribe to.
 */
export class RingMember {
  readonly node: OverlayNode;
  private readonly links: RingLinks;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly verifier: RecordVerifier;
  private readonly settings: KeyValueStore;
  private readonly onlinePeers: () => readonly string[];
  private readonly whyNot: () => string | null;
  private readonly tickMs: number;
  private snap: RingSnapshot;
  private readonly listeners = new Listeners<void>(createLogger('ring'));
  private timer: unknown = null;
  private ticks = 0;
  private lookupSeq = 0;
  private readonly offRefused: () => void;
  /** Records reloaded from storage at start. */
  loaded = 0;
  private joining = false;
  private nextJoinAt = 0;
  /** Join attempts in a row that found only peers not in a ring yet. */
  private notInRingAttempts = 0;
  /** Merges rings that formed apart; every member gets the same list of online peers to check its successor against. */
  readonly unifier: RingUnifier;
  /** Re-joins after a refusal back off, so a refused question is not asked every few seconds. */
  private readonly joinBackoff = new Backoff({ initialMs: 3000 });
  /** Re-joins after nobody answered in time (links still being made, questions still open) come quickly. */
  private readonly quickRejoin = new Backoff({ initialMs: 1000, maxMs: 5000 });
  /** When a link was last refused by a permission decision, either side's. */
  private refusedAt = 0;
  private lookups: RingSnapshot['lookups'] = [];
  /** The peers remembered from earlier visits, as the last join read them. */
  private rememberedPeers: string[] = [];

  constructor(components: RingMemberComponents, init: RingMemberInit = {}) {
    const { links, records, clock, random, verifier, nodeSigner, agreementKey, tracker } = components;
    this.links = links;
    this.clock = clock;
    this.random = random;
    this.verifier = verifier;
    this.settings = components.settings;
    this.onlinePeers = components.onlinePeers;
    this.whyNot = components.whyNot ?? (() => null);
    this.tickMs = init.tickMs ?? 1000;
    this.offRefused = links.onRefused(() => {
      this.refusedAt = clock.now();
    });
    const seed = Math.floor(random.next() * 2 ** 32);
    this.node = createOverlayNode(
      { transport: links.transport, clock, random: new SeededRandom(seed), verifier, kv: records, ...(nodeSigner ? { nodeSigner } : {}), ...(agreementKey ? { agreementKey } : {}), ...(tracker ? { tracker } : {}) },
      init.overlay ?? {},
    );
    this.unifier = new RingUnifier(this.node, clock, new SeededRandom(seed ^ 0x9e3779b9), () => this.onlinePeers());
    this.snap = { self: this.node.id, joined: false, status: 'not joined yet', refusal: null, predecessor: null, successors: [], fingers: [], records: 0, lookups: [] };
  }

  /** Calls `fn` after every change of the snapshot; returns its remover (React's useSyncExternalStore shape). */
  readonly subscribe = (fn: Listener): (() => void) => {
    return this.listeners.add(fn);
  };

  /** The latest snapshot; a new object after each change. */
  readonly getSnapshot = (): RingSnapshot => this.snap;

  /**
   * Joins (or starts) the ring, then keeps the snapshot and the neighbour
   * links fresh. `storedChecked`: the caller has just checked every stored
   * record's signature itself (the service peer's damage scan), so loading
   * need not check them twice.
   */
  async start(opts: { storedChecked?: boolean } = {}): Promise<void> {
    // Records kept from the last visit come back first, each checked again (storage is not trusted either).
    const verify = opts.storedChecked ? async () => true : async (r: WireRecord) => (await checkRecord(r, this.clock.now(), this.verifier)) === null;
    try {
      const n = (this.loaded = await this.node.loadRecords(this.clock.now(), verify));
      this.publish({ status: n ? `loaded ${n} records kept from the last visit` : this.snap.status });
    } catch {
      this.publish({ status: 'the records kept from the last visit could not be read' });
    }
    this.armTick();
    await this.join();
  }

  /**
   * Joins through online peers and peers remembered from earlier visits,
   * asking several at once; alone, starts a ring of its own. Tabs that load
   * together find one another outside any ring: the one with the smallest ID
   * starts a ring and the others join it a moment later, instead of each
   * starting its own. A failed join is retried on a later tick.
   */
  async join(): Promise<void> {
    if (this.joining) return;
    // Already in a ring (the person pressed "Join now", or allowed the network, while the snapshot was
    // catching up): a second join would ask peers that may still be joining themselves, and their
    // "not in a ring yet" would mark this member out of the ring while its node stays in it, for good.
    if (this.node.joined) {
      if (!this.snap.joined) this.joined('in the ring');
      return;
    }
    this.joining = true;
    const startedAt = this.clock.now();
    try {
      const online = this.onlinePeers().filter((p) => p !== this.node.id);
      this.rememberedPeers = (await this.remembered()).filter((p) => p !== this.node.id);
      const candidates = this.joinCandidates(online, this.rememberedPeers);
      this.publish({ status: candidates.length ? `joining through ${candidates.length} peers…` : 'alone: started a new ring' });
      try {
        await this.node.join(candidates);
      } catch (e) {
        if (!(e instanceof LookupError && e.reason === 'not-joined')) throw e;
        if (++this.notInRingAttempts < LONE_START_AFTER && online.some((p) => p < this.node.id)) {
          this.nextJoinAt = this.clock.now() + 400 + this.random.next() * 600;
          this.publish({ joined: false, status: 'waiting for the peers online to form a ring…' });
          return;
        }
        await this.node.join([]);
        this.joined('no peer was in a ring yet: started a new ring');
        return;
      }
      const alone = this.node.successors().every((p) => p === this.node.id);
      if (alone && candidates.length > 0) throw new Error('no peer let this tab in');
      this.joined(candidates.length ? 'joined the ring' : 'alone: started a new ring');
    } catch (e) {
      const refused = this.refusedAt >= startedAt || this.whyNot() !== null;
      const wait = refused ? this.joinBackoff.next() : this.quickRejoin.next();
      this.nextJoinAt = this.clock.now() + wait;
      const refusal = this.whyNot();
      const why = refusal ?? (e as Error).message;
      this.publish({ joined: false, refusal, status: `not in the ring: ${why}; trying again in ${Math.round(wait / 1000)} s` });
    } finally {
      this.joining = false;
    }
  }

  private joined(status: string): void {
    this.joinBackoff.reset();
    this.quickRejoin.reset();
    this.notInRingAttempts = 0;
    this.unifier.start();
    this.publish({ joined: true, refusal: null, status });
  }

  /**
   * Whom to ask: remembered peers (they were in a ring), the online peers
   * nearest this ID on either side, the longest online (the signaling server
   * lists peers in the order they came, and the first are the likeliest to be
   * in a ring already), and a random few.
   */
  private joinCandidates(online: readonly string[], remembered: readonly string[]): string[] {
    const picked = new Set<string>(remembered.filter((p) => p !== this.node.id).slice(0, JOIN_CANDIDATES / 2));
    const sorted = [...online].sort();
    const at = sorted.findIndex((p) => p > this.node.id);
    const after = at < 0 ? 0 : at;
    for (const p of [sorted[after], sorted[(after - 1 + sorted.length) % sorted.length], online[0], online[1], ...shuffle([...online], this.random)]) {
      if (picked.size >= JOIN_CANDIDATES) break;
      if (p !== undefined) picked.add(p);
    }
    return [...picked];
  }

  /** Looks a key up for the console, remembering its path for the picture. */
  async lookup(key: string, mode: LookupMode): Promise<LookupResult> {
    const path: string[] = [this.node.id];
    const r = await this.node.lookup(key, {
      mode,
      onProgress: (e) => {
        if (e.type === 'query' && path.at(-1) !== e.peer) path.push(e.peer);
      },
    });
    if (path.at(-1) !== r.successor) path.push(r.successor);
    const at = this.clock.now();
    this.lookups = [...this.lookups.slice(-4), { id: `${at}-${++this.lookupSeq}`, key, path, at }];
    this.publish({});
    return r;
  }

  /** Hands records to the successor and says goodbye (page closing). */
  leave(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.offRefused();
    this.unifier.stop();
    void this.rememberPeers();
    this.node.leave();
  }

  /** The member's heartbeat: every `tickMs` on its clock until the node closes. */
  private armTick(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      if (this.node.isClosed) return;
      this.tick();
      this.armTick();
    }, this.tickMs);
  }

  private tick(): void {
    const n = this.node;
    const keep = new Set<string>([...(n.predecessor ? [n.predecessor] : []), ...n.successors(), ...n.fingers()]);
    keep.delete(this.node.id);
    this.links.keep(keep);
    // Not in a ring (a failed join) while others are online or remembered: try again. Rings that formed
    // apart, a member that started one alone among them included, are the unifier's to merge.
    // Peers remembered from earlier visits count too: with the signaling server away nobody is listed
    // online, and a join that failed through them must not stop for good.
    const someone = this.rememberedPeers.length > 0 || this.onlinePeers().some((p) => p !== this.node.id);
    if (!this.node.joined && !this.joining && someone && this.clock.now() >= this.nextJoinAt) void this.join();
    if (++this.ticks % REMEMBER_EVERY_TICKS === 0) void this.rememberPeers();
    this.publish({});
  }

  private publish(patch: Partial<RingSnapshot>): void {
    const n = this.node;
    const cutoff = this.clock.now() - 10_000;
    this.lookups = this.lookups.filter((l) => l.at > cutoff);
    const inRing = n.successors().some((p) => p !== n.id);
    this.snap = {
      ...this.snap,
      ...patch,
      // The status follows the table: a member whose every peer has gone is alone, not "in the ring".
      ...(this.snap.joined && !patch.status ? { status: inRing ? 'in the ring' : 'alone: no other peer is in the ring' } : {}),
      predecessor: n.predecessor,
      successors: n.successors().filter((h) => h !== n.id),
      fingers: n.fingers().filter((h) => h !== n.id),
      records: n.recordCount,
      lookups: this.lookups,
    };
    this.listeners.emit();
  }

  private async remembered(): Promise<string[]> {
    try {
      const raw = await this.settings.get(PEERS_KEY);
      return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{40}$/.test(x)) : [];
    } catch {
      return [];
    }
  }

  private async rememberPeers(): Promise<void> {
    const n = this.node;
    const peers = [...new Set([...n.successors(), ...n.fingers()])].filter((h) => h !== n.id).slice(0, MAX_REMEMBERED);
    if (peers.length === 0) return;
    try {
      await this.settings.set(PEERS_KEY, peers);
    } catch {
      // Remembering peers only speeds up the next join.
    }
  }
}
