/**
 * The overlay's Transport over authenticated links: a send to a node with no
 * link opens one (through the permission gate) and the message waits for it;
 * a link that cannot be made reports the node down. When the tab is at its
 * link cap, the least recently used link the overlay does not keep is closed
 * to make room.
 */
import type { Transport } from '../overlay';
import { MAX_MESSAGE_BYTES } from './limits';
import type { LinkManager } from './link-manager';

/** Messages held for one node while its link is being made. */
const MAX_WAITING_PER_NODE = 64;

type Fn<A extends unknown[]> = (...a: A) => void;

export class LinkTransport implements Transport {
  private readonly waiting = new Map<string, Uint8Array[]>();
  private readonly lastUsed = new Map<string, number>();
  private readonly messageFns = new Set<Fn<[string, Uint8Array]>>();
  private readonly upFns = new Set<Fn<[string]>>();
  private readonly downFns = new Set<Fn<[string]>>();
  private readonly offs: (() => void)[] = [];
  private closed = false;
  private tick = 0;

  constructor(private readonly links: LinkManager) {
    this.offs.push(
      links.onMessage((from, bytes) => {
        this.touch(from);
        for (const fn of [...this.messageFns]) fn(from, bytes);
      }),
      links.onLinkUp((info) => {
        this.touch(info.nodeId);
        for (const fn of [...this.upFns]) fn(info.nodeId);
      }),
      links.onLinkDown((id, _reason, end) => {
        this.lastUsed.delete(id);
        // A link this tab closed to make room says nothing about the peer: the next send re-dials.
        if (end.code === 'making-room' && !end.fromPeer) return;
        for (const fn of [...this.downFns]) fn(id);
      }),
    );
  }

  get localId(): string {
    return this.links.localId;
  }

  send(to: string, bytes: Uint8Array): void {
    if (this.closed || to === this.localId) return;
    if (bytes.length > MAX_MESSAGE_BYTES) return;
    this.touch(to);
    if (this.links.send(to, bytes)) return;
    const queue = this.waiting.get(to);
    if (queue) {
      if (queue.length < MAX_WAITING_PER_NODE) queue.push(bytes);
      return;
    }
    this.waiting.set(to, [bytes]);
    this.makeRoom();
    this.links.connect(to).then(
      () => {
        const q = this.waiting.get(to) ?? [];
        this.waiting.delete(to);
        for (const m of q) this.links.send(to, m);
      },
      () => {
        this.waiting.delete(to);
        for (const fn of [...this.downFns]) fn(to);
      },
    );
  }

  onMessage(fn: Fn<[string, Uint8Array]>): () => void {
    this.messageFns.add(fn);
    return () => this.messageFns.delete(fn);
  }

  onLinkUp(fn: Fn<[string]>): () => void {
    this.upFns.add(fn);
    return () => this.upFns.delete(fn);
  }

  onLinkDown(fn: Fn<[string]>): () => void {
    this.downFns.add(fn);
    return () => this.downFns.delete(fn);
  }

  isLinked(peer: string): boolean {
    return this.links.isLinked(peer);
  }

  /** Links the overlay needs kept (successors, predecessor, fingers): re-made with back-off, never evicted. */
  keep(nodeIds: Iterable<string>): void {
    const next = new Set(nodeIds);
    for (const id of this.links.wantedIds()) if (!next.has(id)) this.links.unwant(id);
    for (const id of next) this.links.want(id);
  }

  close(): void {
    this.closed = true;
    for (const off of this.offs) off();
    this.waiting.clear();
    this.links.close();
  }

  private touch(id: string): void {
    this.lastUsed.set(id, ++this.tick);
  }

  private makeRoom(): void {
    const live = this.links.links();
    if (live.length < this.links.maxLinks) return;
    const wanted = new Set(this.links.wantedIds());
    let victim: string | null = null;
    let oldest = Infinity;
    for (const l of live) {
      const used = this.lastUsed.get(l.nodeId) ?? 0;
      if (!wanted.has(l.nodeId) && used < oldest) {
        oldest = used;
        victim = l.nodeId;
      }
    }
    if (victim) this.links.disconnect(victim, 'making-room', 'making room for a link the overlay needs');
  }
}
