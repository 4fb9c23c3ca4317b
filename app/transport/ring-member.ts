/**
 * One member of the live ring, browser tab or service peer alike: the Chord
 * node on the authenticated-link Transport, joined through online and
 * remembered peers, re-joining with back-off when it could not join,
 * merging rings that formed apart (RingUnifier), keeping links to its neighbours, persisting its
 * records behind a KeyValueStore, and publishing a snapshot. No DOM: the tab
 * (app/ui/overlay-service.ts) and the service peer (app/node/) both run it.
 */
import type { KeyValueStore } from '../identity';
import {
  Backoff,
  LookupError,
  RingUnifier,
  SeededRandom,
  checkRecord,
  createOverlayNode,
  systemClock,
  webCryptoVerifier,
  type LookupMode,
  type LookupResult,
  type OverlayNode,
  type OverlayOptions,
  type RecordSigner,
  type WireRecord,
} from '../overlay';
import type { LinkManager } from './link-manager';
import { LinkTransport } from './link-transport';

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

type Listener = () => void;

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export class RingMember {
  readonly node: OverlayNode;
  readonly transport: LinkTransport;
  private snap: RingSnapshot;
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setInterval> | null = null;
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

  constructor(
    links: LinkManager,
    records: KeyValueStore,
    private readonly settings: KeyValueStore,
    private readonly onlinePeers: () => string[],
    /** Why this tab may not join (its own permission settings), in words; null when nothing stops it. */
    private readonly whyNot: () => string | null = () => null,
    nodeOptions: OverlayOptions = {},
    /** Signs routed messages as this node (SIP rides on them); without it the node only relays. */
    nodeSigner?: RecordSigner,
  ) {
    this.transport = new LinkTransport(links);
    links.onDialFailed((_peer, why) => {
      if (/not allowed/.test(why)) this.refusedAt = Date.now();
    });
    const seed = crypto.getRandomValues(new Uint32Array(1))[0]!;
    this.node = createOverlayNode({ transport: this.transport, clock: systemClock, random: new SeededRandom(seed), verifier: webCryptoVerifier, kv: records, ...(nodeSigner ? { nodeSigner } : {}) }, nodeOptions);
    this.unifier = new RingUnifier(this.node, systemClock, new SeededRandom(seed ^ 0x9e3779b9), () => this.onlinePeers());
    this.snap = { self: this.node.id, joined: false, status: 'not joined yet', refusal: null, predecessor: null, successors: [], fingers: [], records: 0, lookups: [] };
  }

  readonly subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly getSnapshot = (): RingSnapshot => this.snap;

  /**
   * Joins (or starts) the ring, then keeps the snapshot and the neighbour
   * links fresh. `storedChecked`: the caller has just checked every stored
   * record's signature itself (the service peer's damage scan), so loading
   * need not check them twice.
   */
  async start(opts: { storedChecked?: boolean } = {}): Promise<void> {
    // Records kept from the last visit come back first, each checked again (storage is not trusted either).
    const verify = opts.storedChecked ? async () => true : async (r: WireRecord) => (await checkRecord(r, Date.now(), webCryptoVerifier)) === null;
    try {
      const n = (this.loaded = await this.node.loadRecords(Date.now(), verify));
      this.publish({ status: n ? `loaded ${n} records kept from the last visit` : this.snap.status });
    } catch {
      this.publish({ status: 'the records kept from the last visit could not be read' });
    }
    this.timer = setInterval(() => this.tick(), 1000);
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
    this.joining = true;
    const startedAt = Date.now();
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
          this.nextJoinAt = Date.now() + 400 + Math.random() * 600;
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
      this.nextJoinAt = Date.now() + wait;
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
  private joinCandidates(online: string[], remembered: string[]): string[] {
    const picked = new Set<string>(remembered.filter((p) => p !== this.node.id).slice(0, JOIN_CANDIDATES / 2));
    const sorted = [...online].sort();
    const at = sorted.findIndex((p) => p > this.node.id);
    const after = at < 0 ? 0 : at;
    for (const p of [sorted[after], sorted[(after - 1 + sorted.length) % sorted.length], online[0], online[1], ...shuffle([...online])]) {
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
    this.lookups = [...this.lookups.slice(-4), { id: `${Date.now()}-${Math.random()}`, key, path, at: Date.now() }];
    this.publish({});
    return r;
  }

  /** Hands records to the successor and says goodbye (page closing). */
  leave(): void {
    if (this.timer) clearInterval(this.timer);
    this.unifier.stop();
    void this.rememberPeers();
    this.node.leave();
  }

  private tick(): void {
    if (this.node.isClosed) return;
    const n = this.node;
    const keep = new Set<string>([...(n.predecessor ? [n.predecessor] : []), ...n.successors(), ...n.fingers()]);
    keep.delete(this.node.id);
    this.transport.keep(keep);
    // Not in a ring (a failed join) while others are online or remembered: try again. Rings that formed
    // apart, a member that started one alone among them included, are the unifier's to merge.
    // Peers remembered from earlier visits count too: with the signaling server away nobody is listed
    // online, and a join that failed through them must not stop for good.
    const someone = this.rememberedPeers.length > 0 || this.onlinePeers().some((p) => p !== this.node.id);
    if (!this.node.joined && !this.joining && someone && Date.now() >= this.nextJoinAt) void this.join();
    if (Date.now() % 10_000 < 1000) void this.rememberPeers();
    this.publish({});
  }

  private publish(patch: Partial<RingSnapshot>): void {
    const n = this.node;
    const cutoff = Date.now() - 10_000;
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
    for (const fn of [...this.listeners]) fn();
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
