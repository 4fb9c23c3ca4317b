/**
 * One overlay node: Chord routing, lookups in both modes, maintenance and
 * replicated storage, talking to the world only through its Transport.
 * Message handlers never throw: input is checked by type guards, refused
 * with an error reply where there is a request to answer, and counted.
 *
 * ChordNode is the overlay's own view, with its routing table, RPC layer and
 * replication public to the modules of app/overlay/ (handlers, lookups,
 * storage) and to the simulator. Other folders get it only as the narrow
 * `OverlayNode` of api.ts: index.ts does not export this class.
 */
import type { OverlayNode } from './api';
import { MessageRouter } from './message-routing';
import { CACHE_ENTRIES } from './constants';
import { OverlayCounters } from './counters';
import { LookupError, OverlayClosedError } from './errors';
import { bytesToHexId, idFromHex, idToHex, isHexId, RING } from './id';
import { Maintenance } from './maintenance';
import { isParseFailure, parseMessage, REPLY_TYPES, type Message } from './messages';
import { defendedOr } from './defense/disjoint-lookup';
import { MAX_LOOKUP_PATHS, resolveOptions, type OverlayComponents, type OverlayOptions, type ResolvedOptions } from './options';
import type { LookupEvent, RoutingOptions } from './query/context';
import { iterativeLookup } from './query/iterative';
import { joinLookup, NOT_IN_RING } from './query/join';
import { recursiveLookup } from './query/recursive';
import { peerFromHex, type Peer } from './routing-table/peer';
import { RoutingTable } from './routing-table/routing-table';
import { handleFind } from './rpc/handlers/find';
import type { HandlerHost } from './rpc/handlers/host';
import { handleLeave } from './rpc/handlers/leave';
import { handleNeighbors } from './rpc/handlers/neighbors';
import { handleNotify } from './rpc/handlers/notify';
import { handlePing } from './rpc/handlers/ping';
import { handleRoute, handleRouted } from './rpc/handlers/route';
import { Rpc } from './rpc/rpc';
import { installRpcTunnel } from './rpc/tunnel';
import { ownerOnlyAccess } from './storage/access';
import { getRecords, getRecordsFromEach, readReplica, type GetOptions } from './storage/client';
import { handOver, type HandOverOptions, type HandOverResult } from './storage/hand-over';
import { askHeld, probeHolders, type HeldQuery, type HeldState, type HolderAnswer } from './storage/probe';
import { putRecord, type PutResult } from './storage/put';
import { LookupCache } from './storage/lookup-cache';
import type { WireRecord } from './storage/record';
import { RecordStore } from './storage/record-store';
import { Replication } from './storage/replication';
import { walkOtherRing } from './unification';

export type LookupMode = 'recursive' | 'iterative';

export interface LookupOptions {
  /** @default the node's defaultMode */
  mode?: LookupMode;
  signal?: AbortSignal;
  /** @default lookupDeadlineMs */
  timeoutMs?: number;
  onProgress?: (e: LookupEvent) => void;
  /** Disjoint paths for this lookup (defense, options.ts `lookupPaths`). @default the node's lookupPaths */
  paths?: number;
  /** Check the claimed successor (defense, options.ts `checkSuccessor`). @default the node's checkSuccessor */
  checkSuccessor?: boolean;
}

export interface LookupResult {
  /** The successor of the key: the node responsible for it. */
  successor: string;
  /** The successor and the nodes after it, up to r: where the key's replicas live. */
  replicas: string[];
  hops: number;
  messages: number;
  mode: LookupMode;
  latencyMs: number;
}

export class ChordNode implements HandlerHost, OverlayNode {
  readonly self: Peer;
  readonly table: RoutingTable;
  readonly rpc: Rpc;
  readonly counters: OverlayCounters;
  readonly options: RoutingOptions;
  readonly config: ResolvedOptions;
  readonly replication: Replication;
  readonly recursiveWaiters = new Map<number, (from: string, msg: Extract<Message, { t: 'routed' }>) => void>();
  readonly cache: LookupCache<WireRecord[]>;
  /** Signed messages routed across the ring to one node (SIP rides on these). */
  readonly routed: MessageRouter;
  private readonly maintenance: Maintenance;
  private readonly unsubscribe: (() => void)[] = [];
  private lookupIds = 1;
  private closed = false;
  /** In a ring (joined, or started one): before that, this node refuses to route for joiners. */
  private started = false;

  constructor(
    readonly components: OverlayComponents,
    init: OverlayOptions = {},
  ) {
    const { transport, clock, random } = components;
    this.config = resolveOptions(init);
    const c = this.config;
    this.self = peerFromHex(transport.localId);
    this.counters = components.counters ?? new OverlayCounters();
    this.table = new RoutingTable(this.self, c.successorListLength, c.suspectMs, c.successors);
    this.rpc = new Rpc(transport, clock, this.counters);
    this.options = { rpcTimeoutMs: c.rpcTimeoutMs, recursiveTimeoutMs: c.recursiveTimeoutMs, findCandidates: c.findCandidates, successors: c.successors };
    const store = new RecordStore({ quotaRecords: c.quotaRecords, quotaBytes: c.quotaBytes }, c.access ?? ownerOnlyAccess, components.kv);
    this.replication = new Replication(this, components.verifier, store, c.syncDebounceMs);
    this.cache = new LookupCache(c.cacheTtlMs, c.negativeCacheTtlMs, CACHE_ENTRIES);
    this.routed = new MessageRouter(this, components.verifier, components.nodeSigner, () => random.next(), components.agreementKey);
    this.maintenance = new Maintenance(this, clock, random, c, () => store.expire(clock.now()));
    const canSign = components.nodeSigner !== undefined;
    this.unsubscribe.push(
      installRpcTunnel({ rpc: this.rpc, routed: this.routed, counters: this.counters, canSign, isJoined: () => this.joined, receive: (f, b) => this.receive(f, b) }),
      transport.onMessage((from, bytes) => this.receive(from, bytes)),
      transport.onLinkDown((peer) => this.linkDown(peer)),
      // A link that has just come up (both sides proved their keys) is an answer: whatever made the
      // peer suspect is over. Above all when the silence was this node's own (a hung tab): its
      // suspicions were set after it resumed and would keep its true neighbours out for SUSPECT_MS.
      transport.onLinkUp((peer) => {
        if (!this.closed && isHexId(peer)) this.table.alive(peer);
      }),
    );
  }

  get id(): string {
    return this.self.hex;
  }

  get clock(): OverlayComponents['clock'] {
    return this.components.clock;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether this node is in a ring: it joined one, or started its own. */
  get joined(): boolean {
    return this.started;
  }

  nextLookupId(): number {
    return this.lookupIds++;
  }

  track<T>(p: Promise<T>): Promise<T> {
    return this.components.tracker ? this.components.tracker.track(p) : p;
  }

  /** Whether a live link to `hex` is up now (false when the transport cannot tell: the simulator). */
  linkedTo(hex: string): boolean {
    return this.components.transport.isLinked?.(hex) ?? false;
  }

  markDead(hex: string): void {
    const wasSucc = this.table.successors.has(hex);
    const wasPred = this.table.predecessor?.hex === hex;
    this.table.markDead(hex, this.clock.now());
    if (this.table.successors.length === 0) {
      // The whole list is gone: fall back on any finger, closest first.
      for (const p of this.table.fingers.distinct()) this.table.successors.consider(p);
    }
    if (wasSucc) this.successorsChanged();
    if (wasPred) this.replication.scheduleSync();
  }

  predecessorChanged(old: Peer | null): void {
    this.replication.predecessorChanged(old, this.table.predecessor);
  }

  successorsChanged(): void {
    this.replication.scheduleSync();
  }

  private linkDown(peer: string): void {
    if (this.closed || !isHexId(peer)) return;
    this.rpc.failPeer(peer);
  }

  /** Entry point for every arriving message. Never throws. */
  receive(from: string, bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      this.dispatch(from, bytes);
    } catch {
      // A handler bug must not take the node down; count it like bad input.
      this.counters.countBad('handler-threw');
    }
  }

  private dispatch(from: string, bytes: Uint8Array): void {
    if (!isHexId(from) || from === this.self.hex) return this.counters.countBad('bad-sender');
    const msg = parseMessage(bytes);
    if (isParseFailure(msg)) {
      this.counters.countReceived('invalid', bytes instanceof Uint8Array ? bytes.length : 0);
      this.counters.countBad(msg.refused);
      if (msg.replyId !== null) this.rpc.send(from, { t: 'error', id: msg.replyId, reason: msg.refused });
      if (msg.inReplyTo !== null) this.rpc.refuseReply(from, msg.inReplyTo, msg.refused);
      return;
    }
    this.counters.countReceived(msg.t, bytes.length);
    if (REPLY_TYPES.has(msg.t)) {
      if (!this.rpc.deliverReply(from, msg as Message & { id: number })) this.counters.countBad('unexpected-reply');
      return;
    }
    switch (msg.t) {
      case 'ping':
        return handlePing(this, from, msg);
      case 'find':
        // A node still joining would call itself the successor of every key, and tabs
        // that load together would join through each other into rings of their own.
        if (!this.started) return this.rpc.send(from, { t: 'error', id: msg.id, reason: NOT_IN_RING });
        return handleFind(this, from, msg);
      case 'route':
        return handleRoute(this, from, msg);
      case 'routed':
        return handleRouted(this, from, msg, (f, m) => this.recursiveWaiters.get(m.lid)?.(f, m));
      case 'neighbors':
        return handleNeighbors(this, from, msg);
      case 'notify':
        return handleNotify(this, peerFromHex(from));
      case 'leave':
        return handleLeave(this, peerFromHex(from), msg);
      case 'store':
        return this.replication.handleStore(from, msg);
      case 'fetch':
        return this.replication.handleFetch(from, msg);
      case 'sync':
        return this.replication.handleSync(from, msg);
      case 'app':
      case 'app-sealed':
      case 'app-ack':
      case 'agreement-ask':
      case 'agreement-key':
        return this.routed.handle(msg);
    }
  }

  /**
   * Joins the ring through the given nodes: asks them all at once and goes
   * through the first that answers from inside a ring (so one bad, dead or
   * still-joining bootstrap node cannot stop or split a join), then starts
   * maintenance. With no bootstrap node this node starts a ring of its own.
   * Fails with reason 'not-joined' when the only answers were "not in a ring
   * yet" (tabs that load together), 'no-candidate' when nobody answered.
   */
  async join(bootstrap: readonly string[] = []): Promise<void> {
    if (this.closed) throw new OverlayClosedError('node is closed');
    const others = [...new Set(bootstrap.filter((b) => isHexId(b) && b !== this.self.hex))];
    if (others.length > 0) {
      const outcome = await joinLookup(this, others, this.config.lookupDeadlineMs);
      if (outcome instanceof LookupError) throw outcome;
      const [head, ...tail] = outcome.nodes;
      if (head) this.table.successors.replace(head, tail, (hex) => this.table.isSuspect(hex, this.clock.now()));
      if (this.table.successors.length === 0) throw new LookupError('no bootstrap node answered', 'no-candidate');
    }
    if (this.closed) throw new OverlayClosedError('node is closed');
    this.started = true;
    this.maintenance.start();
    this.maintenance.stabilize();
  }

  /**
   * Ring unification: asks `peer` (typically one this node has never heard
   * of) for the successor of this node's own ID, and takes the nodes it names
   * into the successor list when they are nearer than the ones it has. Two
   * rings that formed apart (tabs that started at the same moment) merge as
   * their members do this; stabilize and notify do the rest. Resolves true
   * when the successor list changed.
   */
  async mergeVia(peer: string): Promise<boolean> {
    if (this.closed || !isHexId(peer) || peer === this.self.hex) return false;
    // The key just after this node's ID: its successor there is the same node, and unlike this
    // node's own ID the key is not refuted by this node's own place on the ring.
    const key = (this.self.id + 1n) % RING;
    const { nodes, startInRing } = await walkOtherRing(this, peerFromHex(peer), key);
    if (this.closed) return false;
    const now = this.clock.now();
    let changed = false;
    // The peer itself answered from a ring: a live member, so if it lies before this node's
    // successor it is the better successor, even when the walk could not say more (it
    // cannot when the peer's ring already holds this node: only this node would answer).
    const found = [...(nodes ?? []), ...(startInRing ? [peerFromHex(peer)] : [])];
    // It has just answered: a suspicion from a missed reply (a busy tab) no longer holds.
    if (startInRing) this.table.alive(peer);
    for (const p of found) if (this.table.successors.consider(p, (hex) => this.table.isSuspect(hex, now))) changed = true;
    // This node also belongs just before the successor it found there, even when its own
    // successor is nearer: saying so lets that ring's nodes find this one (its predecessor
    // there learns of it on its next stabilize), so the merge also runs the other way.
    const there = nodes?.[0];
    if (there && there.hex !== this.self.hex && there.hex !== this.table.successors.first().hex) this.rpc.send(there.hex, { t: 'notify' });
    if (changed) this.maintenance.stabilize();
    return changed;
  }

  /** Starts maintenance on a routing state installed by `installRoutingState` (simulator bootstrap). */
  startMaintenance(): void {
    this.started = true;
    this.maintenance.start();
  }

  /**
   * Installs a routing state computed from global knowledge of the ring. For
   * simulators only: building 10,000 nodes join by join would cost minutes.
   */
  installRoutingState(predecessor: string | null, successors: readonly string[], successorOf: (id: bigint) => string): void {
    this.table.predecessor = predecessor ? peerFromHex(predecessor) : null;
    const [head, ...tail] = successors.map(peerFromHex);
    if (head) this.table.successors.replace(head, tail, () => false);
    this.table.fingers.fillFrom((id) => peerFromHex(successorOf(id)));
  }

  /** Finds the node responsible for `key` (hex ID or bigint) and the key's replica set. */
  lookup(key: string | bigint, opts: LookupOptions = {}): Promise<LookupResult> {
    if (this.closed) return Promise.reject(new OverlayClosedError('node is closed'));
    const k = typeof key === 'bigint' ? key : idFromHex(key);
    const mode = opts.mode ?? this.config.defaultMode;
    const started = this.clock.now();
    const deadline = started + (opts.timeoutMs ?? this.config.lookupDeadlineMs);
    this.counters.lookups++;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new LookupError('lookup aborted', 'aborted'));
      const paths = Math.max(1, Math.min(MAX_LOOKUP_PATHS, Math.floor(opts.paths ?? this.config.lookupPaths)));
      const checkSuccessor = opts.checkSuccessor ?? this.config.checkSuccessor;
      const step = { deadline, signal: opts.signal, onEvent: opts.onProgress };
      // With a defense on, the origin walks itself: only then does it choose whom it asks.
      const defended = paths > 1 || checkSuccessor;
      const run = defendedOr(mode === 'recursive' ? recursiveLookup : iterativeLookup, paths, checkSuccessor);
      run(this, k, step, (outcome) => {
        if (typeof outcome === 'string') {
          this.counters.lookupFailures++;
          return reject(new LookupError(`lookup of ${idToHex(k)} failed: ${outcome}`, outcome));
        }
        this.counters.lookupHops += outcome.hops;
        const replicas = outcome.nodes.slice(0, this.config.successors).map((p) => p.hex);
        resolve({ successor: replicas[0]!, replicas, hops: outcome.hops, messages: outcome.messages, mode: defended ? 'iterative' : mode, latencyMs: this.clock.now() - started });
      });
    });
  }

  put(record: WireRecord, opts?: LookupOptions): Promise<PutResult> {
    return putRecord(this, record, opts);
  }

  get(key: Uint8Array, opts?: GetOptions): Promise<WireRecord[]> {
    return getRecords(this, key, opts);
  }

  getFromEach(key: Uint8Array, opts?: LookupOptions): Promise<{ replica: string; records: WireRecord[] }[]> {
    return getRecordsFromEach(this, key, opts);
  }

  readFrom(node: string, key: Uint8Array, sub?: string): Promise<{ records: WireRecord[]; complete: boolean } | null> {
    return readReplica(this, node, key, bytesToHexId(key), sub);
  }

  probeHolders(blob: HeldQuery, opts?: LookupOptions): Promise<HolderAnswer[]> {
    return probeHolders(this, blob, opts);
  }

  askHeld(node: string, blob: HeldQuery): Promise<HeldState | null> {
    return askHeld(this, node, blob);
  }

  handOver(node: string, records: readonly WireRecord[] = this.localRecords(), opts?: HandOverOptions): Promise<HandOverResult> {
    return handOver(this, node, records, opts);
  }

  localRecord(keyHex: string, sub = ''): WireRecord | undefined {
    return this.replication.store.get(keyHex, sub);
  }

  localRecords(): WireRecord[] {
    return this.replication.store.all();
  }

  get recordCount(): number {
    return this.replication.store.size;
  }

  loadRecords(now: number, verify: (r: WireRecord) => Promise<boolean>): Promise<number> {
    return this.replication.store.load(now, verify);
  }

  ping(node: string, timeoutMs = this.config.rpcTimeoutMs): Promise<boolean> {
    return new Promise((resolve) => this.rpc.request(node, { t: 'ping' }, timeoutMs, (reply) => resolve(reply !== null && reply.t !== 'bad-reply')));
  }

  get predecessor(): string | null {
    return this.table.predecessor?.hex ?? null;
  }

  successors(): string[] {
    return this.table.successors.entries().map((p) => p.hex);
  }

  fingers(): string[] {
    return this.table.fingers.distinct().map((p) => p.hex);
  }

  knownPeers(): string[] {
    return this.table.known().map((p) => p.hex);
  }

  /** Gracefully leaves: hands its records to its successor, tells its neighbours, stops. */
  leave(): void {
    if (this.closed) return;
    const succ = this.table.successors.first();
    if (succ.id !== this.self.id) this.replication.push(succ.hex, this.replication.store.all());
    this.maintenance.announceLeave();
    this.close();
  }

  /** Stops timers and listeners; pending requests fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.maintenance.stop();
    this.replication.close();
    this.routed.close();
    this.rpc.close();
    for (const u of this.unsubscribe) u();
    this.components.transport.close();
  }
}
