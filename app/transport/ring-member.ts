/**
 * One member of the live ring, browser tab or service peer alike: the Chord
 * node on the authenticated-link Transport, joined through online and
 * remembered peers, re-joining with back-off when alone, probing for other
 * rings to merge with, keeping links to its neighbours, persisting its
 * records behind a KeyValueStore, and publishing a snapshot. No DOM: the tab
 * (app/ui/overlay-service.ts) and the service peer (app/node/) both run it.
 */
import type { KeyValueStore } from '../identity';
import {
  OverlayNode,
  SeededRandom,
  checkRecord,
  systemClock,
  webCryptoVerifier,
  type LookupMode,
  type LookupResult,
  type OverlayOptions,
  type RecordSigner,
} from '../overlay';
import { Backoff } from './backoff';
import type { LinkManager } from './link-manager';
import { LinkTransport } from './link-transport';

export interface RingSnapshot {
  self: string;
  joined: boolean;
  status: string;
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
/** Bootstrap candidates tried per join attempt. */
const JOIN_CANDIDATES = 6;

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
  private nextMergeAt = Date.now() + 5000;
  private nextJoinAt = 0;
  /** Re-joins after failures back off, so a refused question is not asked every few seconds. */
  private readonly joinBackoff = new Backoff({ initialMs: 3000 });
  private lookups: RingSnapshot['lookups'] = [];

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
    const seed = crypto.getRandomValues(new Uint32Array(1))[0]!;
    this.node = new OverlayNode({ transport: this.transport, clock: systemClock, random: new SeededRandom(seed), verifier: webCryptoVerifier, kv: records, ...(nodeSigner ? { nodeSigner } : {}) }, nodeOptions);
    this.snap = { self: this.node.id, joined: false, status: 'not joined yet', predecessor: null, successors: [], fingers: [], records: 0, lookups: [] };
  }

  readonly subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly getSnapshot = (): RingSnapshot => this.snap;

  /** Joins (or starts) the ring, then keeps the snapshot and the neighbour links fresh. */
  async start(): Promise<void> {
    // Records kept from the last visit come back first, each checked again (storage is not trusted either).
    try {
      const n = (this.loaded = await this.node.replication.store.load(Date.now(), async (r) => (await checkRecord(r, Date.now(), webCryptoVerifier)) === null));
      this.publish({ status: n ? `loaded ${n} records kept from the last visit` : this.snap.status });
    } catch {
      this.publish({ status: 'the records kept from the last visit could not be read' });
    }
    this.timer = setInterval(() => this.tick(), 1000);
    await this.join();
  }

  /**
   * Joins through online peers and peers remembered from earlier visits;
   * alone, starts a ring of its own. A failed join leaves the tab alone in a
   * ring of one and is retried on the next tick.
   */
  async join(): Promise<void> {
    if (this.joining) return;
    this.joining = true;
    try {
      const remembered = await this.remembered();
      const online = this.onlinePeers().filter((p) => p !== this.node.id);
      const candidates = [...shuffle(online), ...remembered.filter((p) => !online.includes(p))].slice(0, JOIN_CANDIDATES);
      this.publish({ status: candidates.length ? `joining through ${candidates.length} peers…` : 'alone: started a new ring' });
      await this.node.join(candidates);
      const alone = this.node.table.successors.entries().every((p) => p.hex === this.node.id);
      if (alone && candidates.length > 0) throw new Error('no peer let this tab in');
      this.joinBackoff.reset();
      this.publish({ joined: true, status: candidates.length ? 'joined the ring' : 'alone: started a new ring' });
    } catch (e) {
      const wait = this.joinBackoff.next();
      this.nextJoinAt = Date.now() + wait;
      const why = this.whyNot() ?? (e as Error).message;
      this.publish({ joined: false, status: `not in the ring: ${why}; trying again in ${Math.round(wait / 1000)} s` });
    } finally {
      this.joining = false;
    }
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
    void this.rememberPeers();
    this.node.leave();
  }

  private tick(): void {
    if (this.node.isClosed) return;
    const t = this.node.table;
    const keep = new Set<string>();
    if (t.predecessor) keep.add(t.predecessor.hex);
    for (const p of t.successors.entries()) keep.add(p.hex);
    for (const p of t.fingers.distinct()) keep.add(p.hex);
    keep.delete(this.node.id);
    this.transport.keep(keep);
    // Alone while others are online (a failed join, or two tabs that each started a
    // ring at the same moment): join again through them, which merges the rings.
    const alone = t.successors.entries().every((p) => p.hex === this.node.id);
    if (alone && !this.joining && this.onlinePeers().some((p) => p !== this.node.id) && Date.now() >= this.nextJoinAt) void this.join();
    else if (!alone && Date.now() >= this.nextMergeAt) this.probeForOtherRings();
    if (Date.now() % 10_000 < 1000) void this.rememberPeers();
    this.publish({});
  }

  /**
   * Every few seconds, asks one online peer this tab has never heard of
   * where its own ID belongs: if that peer is in another ring (tabs that
   * started at once can form several), the rings merge.
   */
  private probeForOtherRings(): void {
    const known = new Set(this.node.table.known().map((p) => p.hex));
    const strangers = this.onlinePeers().filter((p) => p !== this.node.id && !known.has(p));
    // More strangers, more often: a lone ring among many tabs merges quickly, a settled one rarely probes.
    this.nextMergeAt = Date.now() + (strangers.length > 0 ? 1500 + Math.random() * 2000 : 30_000);
    const pick = strangers[Math.floor(Math.random() * strangers.length)];
    if (pick) void this.node.mergeVia(pick).catch(() => false);
  }

  private publish(patch: Partial<RingSnapshot>): void {
    const t = this.node.table;
    const cutoff = Date.now() - 10_000;
    this.lookups = this.lookups.filter((l) => l.at > cutoff);
    const inRing = t.successors.entries().some((p) => p.hex !== this.node.id);
    this.snap = {
      ...this.snap,
      ...patch,
      ...(inRing && this.snap.joined && !patch.status ? { status: 'in the ring' } : {}),
      predecessor: t.predecessor?.hex ?? null,
      successors: t.successors.entries().map((p) => p.hex).filter((h) => h !== this.node.id),
      fingers: t.fingers.distinct().map((p) => p.hex).filter((h) => h !== this.node.id),
      records: this.node.replication.store.size,
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
    const t = this.node.table;
    const peers = [...new Set([...t.successors.entries(), ...t.fingers.distinct()].map((p) => p.hex))].filter((h) => h !== this.node.id).slice(0, MAX_REMEMBERED);
    if (peers.length === 0) return;
    try {
      await this.settings.set(PEERS_KEY, peers);
    } catch {
      // Remembering peers only speeds up the next join.
    }
  }
}
