/**
 * The links of one tab: at most one live link per peer, a cap on their
 * number, and links the overlay still wants re-made with exponential back-off
 * (0.5 s doubling to 5 min) after they drop. When two nodes dial each other
 * at once, the link the smaller node ID dialed is kept on both sides and the
 * other side's dial resolves with it (`crossed` in errors.ts).
 */
import { Backoff } from '../overlay';
import type { Channel, LinkVia } from './channel';
import type { Dialer } from './dialer';
import { DialError, LINK_END_WORDS, linkFailureOf, type LinkEnd, type LinkEndCode, type LinkFailure } from './errors';
import { encodeFrame } from './frames';
import type { IdPuzzleDifficulty } from '../identity';
import { Link, type LinkDirection, type LinkPeer, type LinkPolicy, type LocalEndpoint } from './link';
import { type Clock } from '../common';

export interface LinkManagerOptions {
  dialer: Dialer;
  local: LocalEndpoint;
  policy: LinkPolicy;
  clock: Clock;
  /** Most links at once; Chord needs successors, predecessor and distinct fingers. @default 48 */
  maxLinks?: number;
  /** @default 10_000 */
  dialTimeoutMs?: number;
  /** Passed to each link (tests shorten it). */
  keepaliveMs?: number;
  /** The overlay's node ID puzzle, which every far side must solve (Link's `idPuzzle`). Absent: none. */
  idPuzzle?: IdPuzzleDifficulty;
}

export interface LinkInfo {
  nodeId: string;
  direction: LinkDirection;
  rttMs: number | null;
  peer: LinkPeer;
  /** How the link's WebRTC session was signaled (server, overlay or bootstrap). */
  via: LinkVia;
}

type Listener<A extends unknown[]> = (...args: A) => void;

interface Entry {
  link: Link;
  direction: LinkDirection;
  via: LinkVia;
}

/** Links that came up: those this side opened, by how each was signaled, and those the far side opened. */
export interface LinksOpened {
  server: number;
  overlay: number;
  bootstrap: number;
  inbound: number;
}

export class LinkManager {
  private readonly live = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<void>>();
  /** Handshakes of links other peers opened, by the node ID they claim. */
  private readonly incoming = new Map<string, Promise<void>>();
  private readonly wanted = new Map<string, { backoff: Backoff; timer: unknown }>();
  /** Links this side dialed whose handshake is still running, by the node dialed. */
  private readonly dialing = new Map<string, Link>();
  /** Called when a link to the node comes up (or the manager closes): dials that wait on one. */
  private readonly linkWaits = new Map<string, Set<() => void>>();
  private readonly upFns = new Set<Listener<[LinkInfo]>>();
  private readonly downFns = new Set<Listener<[string, string, LinkEnd]>>();
  private readonly messageFns = new Set<Listener<[string, Uint8Array]>>();
  private readonly failFns = new Set<Listener<[string, string, LinkFailure]>>();
  private closed = false;
  readonly maxLinks: number;
  /** Links refused or closed for cause (bad frames, failed proofs, refusals), by reason; for the Network page and tests. */
  readonly refusals = new Map<string, number>();
  /** Every link that came up since the start (a replaced one counts again): what the storage benchmark divides by operations. */
  readonly opened: LinksOpened = { server: 0, overlay: 0, bootstrap: 0, inbound: 0 };

  constructor(private readonly opts: LinkManagerOptions) {
    this.maxLinks = opts.maxLinks ?? 48;
    opts.dialer.onIncoming((ch) => this.accept(ch));
    // Dials failed while the signaling server was away (a tab that hung long enough is dropped by
    // it): their back-off may have grown to seconds, but the links are wanted now.
    opts.dialer.onReady?.(() => this.redialNow());
  }

  /** Re-dials at once, back-off reset, every wanted link that is down and not being dialed. */
  redialNow(): void {
    if (this.closed) return;
    for (const [id, w] of this.wanted) {
      if (this.live.has(id) || this.pending.has(id)) continue;
      if (w.timer != null) this.opts.clock.clearTimeout(w.timer);
      w.timer = null;
      w.backoff.reset();
      this.redial(id, 0);
    }
  }

  get localId(): string {
    return this.opts.local.nodeId;
  }

  onLinkUp(fn: Listener<[LinkInfo]>): () => void {
    this.upFns.add(fn);
    return () => this.upFns.delete(fn);
  }

  /** A live link went down: the peer's node ID, why in words, and why as a code (decide on `end.code`). */
  onLinkDown(fn: Listener<[string, string, LinkEnd]>): () => void {
    this.downFns.add(fn);
    return () => this.downFns.delete(fn);
  }

  /** A link that did not come up (refused, unreachable, failed handshake), either way: why in words, and why as a code. */
  onDialFailed(fn: Listener<[string, string, LinkFailure]>): () => void {
    this.failFns.add(fn);
    return () => this.failFns.delete(fn);
  }

  onMessage(fn: Listener<[string, Uint8Array]>): () => void {
    this.messageFns.add(fn);
    return () => this.messageFns.delete(fn);
  }

  isLinked(nodeId: string): boolean {
    return this.live.has(nodeId);
  }

  links(): LinkInfo[] {
    return [...this.live.entries()].map(([nodeId, e]) => ({ nodeId, direction: e.direction, rttMs: e.link.rttMs, peer: e.link.peer!, via: e.via }));
  }

  /** Sends on the live link to `nodeId`; false when there is none or it refused the message. */
  send(nodeId: string, message: Uint8Array): boolean {
    const e = this.live.get(nodeId);
    if (!e) return false;
    try {
      e.link.send(message);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Resolves once there is a live link to `nodeId`, dialing when there is
   * none. (Not the Link itself: a simultaneous dial from the far side may
   * replace it; send through the manager.)
   */
  connect(nodeId: string): Promise<void> {
    if (this.closed) return Promise.reject(new DialError('manager-closed', 'the link manager is closed'));
    if (nodeId === this.localId) return Promise.reject(new DialError('self', 'a node does not link to itself'));
    if (this.live.has(nodeId)) return Promise.resolve();
    let p = this.pending.get(nodeId);
    if (!p) {
      p = this.dial(nodeId)
        .catch((e: unknown) => {
          const failure = linkFailureOf(e);
          for (const fn of [...this.failFns]) fn(nodeId, failure.words, failure);
          throw e;
        })
        .finally(() => this.pending.delete(nodeId));
      this.pending.set(nodeId, p);
    }
    return p;
  }

  /** Keeps a link to `nodeId` up, re-dialing with back-off when it drops, until `unwant`. */
  want(nodeId: string): void {
    if (this.wanted.has(nodeId) || nodeId === this.localId) return;
    this.wanted.set(nodeId, { backoff: new Backoff(), timer: null });
    if (!this.live.has(nodeId)) this.redial(nodeId, 0);
  }

  /** The nodes whose links are kept up. */
  wantedIds(): string[] {
    return [...this.wanted.keys()];
  }

  unwant(nodeId: string): void {
    const w = this.wanted.get(nodeId);
    if (w?.timer != null) this.opts.clock.clearTimeout(w.timer);
    this.wanted.delete(nodeId);
  }

  /** Closes the link to `nodeId` (and stops wanting it), telling the far side why: `code`, and `words` (default: the code's). */
  disconnect(nodeId: string, code: LinkEndCode, words: string = LINK_END_WORDS[code]): void {
    this.unwant(nodeId);
    this.live.get(nodeId)?.link.close(code, words);
  }

  /** Closes every link for good; they end with `leaving` and `words`. */
  close(words: string = LINK_END_WORDS.leaving): void {
    this.closed = true;
    for (const fns of [...this.linkWaits.values()]) for (const fn of [...fns]) fn();
    for (const id of [...this.wanted.keys()]) this.unwant(id);
    for (const e of [...this.live.values()]) e.link.close('leaving', words);
  }

  private redial(nodeId: string, delay: number): void {
    const w = this.wanted.get(nodeId);
    if (!w || this.closed) return;
    w.timer = this.opts.clock.setTimeout(() => {
      w.timer = null;
      if (!this.wanted.has(nodeId) || this.live.has(nodeId)) return;
      this.connect(nodeId).then(
        () => w.backoff.reset(),
        () => this.redial(nodeId, w.backoff.next()),
      );
    }, delay);
  }

  private async dial(nodeId: string): Promise<void> {
    if (this.live.size >= this.maxLinks) throw new DialError('link-cap', `this tab already has ${this.maxLinks} links`);
    const linked = this.whenLinked(nodeId);
    try {
      const dialing = this.opts.dialer.dial(nodeId, this.opts.dialTimeoutMs ?? 10_000);
      // The far side's own dial may bring the link first (both dialed at once and its link won the
      // crossing): that one serves, and this dial's channel, should it still come, is closed.
      const channel = await Promise.race([dialing, linked.up.then(() => null)]);
      if (channel === null) return void dialing.then(closeCrossed, () => undefined);
      // While this dial was being signaled (an overlay offer and answer take a while), the far
      // side's own dial reached us: its link wins when its node ID is the smaller one.
      if (this.localId > nodeId && (this.incoming.has(nodeId) || this.live.has(nodeId))) {
        closeCrossed(channel);
        return await (this.incoming.get(nodeId) ?? Promise.resolve());
      }
      await this.handshake(channel, 'outbound', nodeId);
    } catch (e) {
      // The far side dialed us at the same moment and kept its own link: that one serves.
      const theirs = this.incoming.get(nodeId);
      if (theirs) return await theirs;
      if (this.live.has(nodeId)) return;
      // Its link is still on its way: the far side said so (`crossed`), or, the larger ID here, this
      // side is answering its offer (this channel may have closed before opening, when the far side
      // turned it down at once). Waiting keeps the message that made this dial from being dropped.
      const crossed = e instanceof DialError && e.code === 'crossed' && e.fromPeer;
      if (crossed || (this.localId > nodeId && this.opts.dialer.isDialedBy?.(nodeId))) return await this.waitForLink(linked.up, e);
      throw e;
    } finally {
      linked.cancel();
    }
  }

  /** Resolves when `up` does (a link to the node came up), rejects with `e` after a dial timeout or when the manager closes first. */
  private waitForLink(up: Promise<void>, e: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.opts.clock.setTimeout(() => reject(e as Error), this.opts.dialTimeoutMs ?? 10_000);
      void up.then(() => {
        this.opts.clock.clearTimeout(timer);
        if (this.closed) reject(new DialError('manager-closed', 'the link manager is closed'));
        else resolve();
      });
    });
  }

  /** `up` resolves when a link to `nodeId` comes up (either way) or the manager closes; `cancel` stops listening. */
  private whenLinked(nodeId: string): { up: Promise<void>; cancel: () => void } {
    let fn!: () => void;
    const up = new Promise<void>((resolve) => (fn = resolve));
    const fns = this.linkWaits.get(nodeId) ?? new Set();
    fns.add(fn);
    this.linkWaits.set(nodeId, fns);
    return {
      up,
      cancel: () => {
        fns.delete(fn);
        if (fns.size === 0 && this.linkWaits.get(nodeId) === fns) this.linkWaits.delete(nodeId);
      },
    };
  }

  private accept(channel: Channel): void {
    const claimed = channel.remoteId;
    if (this.closed || (this.live.size >= this.maxLinks && !this.wanted.has(claimed))) {
      channel.close();
      return;
    }
    // Both sides dialing at once: the link dialed by the smaller node ID is the one kept, and the
    // far side is told so (its dial then waits for this side's link instead of failing).
    if (this.pending.has(claimed) && this.localId < claimed) {
      closeCrossed(channel);
      return;
    }
    // The same crossing seen from the larger ID: the smaller ID's link wins, so this side's own
    // link, if its handshake is already running, makes way (its dial then resolves with this one).
    if (this.pending.has(claimed) && this.localId > claimed) {
      const mine = this.dialing.get(claimed);
      if (mine && !mine.isReady) mine.close('crossed');
    }
    const p = this.handshake(channel, 'inbound').finally(() => {
      if (this.incoming.get(claimed) === p) this.incoming.delete(claimed);
    });
    this.incoming.set(claimed, p);
    p.catch((e: unknown) => {
      if (this.live.has(claimed) || this.pending.has(claimed)) return;
      const failure = linkFailureOf(e);
      for (const fn of [...this.failFns]) fn(claimed, failure.words, failure);
    });
  }

  private handshake(channel: Channel, direction: LinkDirection, expected?: string): Promise<void> {
    const link = new Link({
      channel,
      local: this.opts.local,
      direction,
      policy: this.opts.policy,
      clock: this.opts.clock,
      ...(expected ? { expectedPeerId: expected } : {}),
      ...(this.opts.keepaliveMs ? { keepaliveMs: this.opts.keepaliveMs } : {}),
      ...(this.opts.idPuzzle ? { idPuzzle: this.opts.idPuzzle } : {}),
    });
    const via: LinkVia = channel.via ?? 'server';
    if (direction === 'outbound' && expected) this.dialing.set(expected, link);
    const settled = (): void => {
      if (expected && this.dialing.get(expected) === link) this.dialing.delete(expected);
    };
    return new Promise<void>((resolve, reject) => {
      link.onReady((peer) => {
        settled();
        if (direction === 'outbound') this.opened[via]++;
        else this.opened.inbound++;
        this.adopt(link, direction, via, peer);
        resolve();
      });
      link.onClose((reason, end) => {
        settled();
        this.countRefusal(end);
        reject(new DialError(end.code, reason, end.fromPeer));
        this.dropped(link, end);
      });
      link.onMessage((m) => {
        const id = link.peer?.nodeId;
        if (!id || this.live.get(id)?.link !== link) return;
        for (const fn of [...this.messageFns]) fn(id, m);
      });
      link.start();
    });
  }

  private countRefusal(end: LinkEnd): void {
    if (isOrdinaryEnd(end)) return;
    const category = end.words.replace(/[0-9a-f]{12,}/g, '…').slice(0, 120).trim();
    this.refusals.set(category, (this.refusals.get(category) ?? 0) + 1);
    if (this.refusals.size > 50) this.refusals.delete(this.refusals.keys().next().value!);
  }

  private adopt(link: Link, direction: LinkDirection, via: LinkVia, peer: LinkPeer): void {
    const existing = this.live.get(peer.nodeId);
    for (const fn of [...(this.linkWaits.get(peer.nodeId) ?? [])]) fn();
    if (existing) {
      // The far side made a new link while we still hold an old one (it restarted,
      // or lost the old one first): the newest link is the one both sides use.
      this.live.set(peer.nodeId, { link, direction, via });
      existing.link.close('replaced');
      return;
    }
    this.live.set(peer.nodeId, { link, direction, via });
    const info: LinkInfo = { nodeId: peer.nodeId, direction, rttMs: link.rttMs, peer, via };
    for (const fn of [...this.upFns]) fn(info);
  }

  private dropped(link: Link, end: LinkEnd): void {
    for (const [id, e] of this.live) {
      if (e.link !== link) continue;
      this.live.delete(id);
      for (const fn of [...this.downFns]) fn(id, end.words, end);
      const w = this.wanted.get(id);
      if (w && w.timer === null) this.redial(id, w.backoff.next());
    }
  }
}

/** Endings this side chose for its own reasons (and the far side's leaving or its person's close): not refusals. */
const LOCAL_ORDINARY: ReadonlySet<LinkEndCode> = new Set(['leaving', 'closed-by-you', 'replaced', 'making-room', 'crossed']);
const PEER_ORDINARY: ReadonlySet<LinkEndCode> = new Set(['leaving', 'closed-by-you', 'crossed']);

/**
 * Closes a channel that lost a crossing (both sides dialed at once) before
 * any link runs on it, with a goodbye that says so: the far side's link
 * reads it as `crossed` and its dial waits for the kept link.
 */
function closeCrossed(channel: Channel): void {
  channel.send(encodeFrame({ t: 'bye', reason: LINK_END_WORDS.crossed, code: 'crossed' }));
  channel.close();
}

/** Whether a link's end is an ordinary one, not counted among the refusals the Network page shows. */
function isOrdinaryEnd(end: LinkEnd): boolean {
  if (end.code === 'connection-closed') return true;
  return (end.fromPeer ? PEER_ORDINARY : LOCAL_ORDINARY).has(end.code);
}
