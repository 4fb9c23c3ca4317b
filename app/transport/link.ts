/**
 * An authenticated data link to one peer. Before any overlay or SIP message
 * passes, both sides prove the key behind their node ID (each signs both
 * nonces and the overlay name), present their user identity if they have one,
 * and pass the permission gate. Then it carries messages of up to 1 MiB in
 * 16 KiB chunks with back-pressure, and keeps itself alive with pings: a
 * link whose pings go unanswered three times is closed.
 */
import { ID_PUZZLE_WORDS, idPuzzleProblem, isNodeId, nodeIdFromSpki, signBytes, utf8Prefix, verifyBytes, type IdPuzzleDifficulty } from '../identity';
import type { Channel } from './channel';
import { LINK_END_WORDS, LinkClosedError, linkEndCodeFrom, type LinkEnd, type LinkEndCode } from './errors';
import {
  LINK_PROTOCOL,
  MAX_BYE_REASON_BYTES,
  NONCE_BYTES,
  decodeFrame,
  encodeFrame,
  proofPayload,
  userBindingPayload,
  type Frame,
  type HelloFrame,
  type PresentedUser,
} from './frames';
import {
  CHUNK_BYTES,
  HANDSHAKE_TIMEOUT_MS,
  HIGH_WATER_BYTES,
  KEEPALIVE_MISSES,
  KEEPALIVE_MS,
  LOW_WATER_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_QUEUED_BYTES,
  PERMISSION_TIMEOUT_MS,
  RESUME_CHECK_MS,
} from './limits';
import { type Clock } from '../common';

/** This side of the link. */
export interface LocalEndpoint {
  overlay: string;
  nodeId: string;
  spki: Uint8Array;
  privateKey: CryptoKey;
  user?: PresentedUser;
  /** Set by a service peer, so the far side can show it as one. */
  role?: 'service';
  /** X of this node key's dynamic ID puzzle (identity/id-puzzle.ts), sent in the hello. */
  puzzle?: Uint8Array;
}

/** The far side, once proven. */
export interface LinkPeer {
  nodeId: string;
  spki: Uint8Array;
  /** Present when the peer presented a user identity and it is bound to its node. */
  user?: PresentedUser;
  /** What the peer says it is (not proven; for display only). */
  role?: 'service';
}

export type LinkDirection = 'inbound' | 'outbound';

export interface LinkDecision {
  allow: boolean;
  reason: string;
}

/** The permission gate, as the link sees it: an injected async predicate. */
export type LinkPolicy = (peer: LinkPeer, direction: LinkDirection) => Promise<LinkDecision>;

export interface LinkOptions {
  channel: Channel;
  local: LocalEndpoint;
  direction: LinkDirection;
  policy: LinkPolicy;
  clock: Clock;
  /** For outbound links: the node we meant to reach. */
  expectedPeerId?: string;
  /**
   * The overlay's node ID puzzle: a far side whose key and hello's X do not
   * solve it is refused (`weak-node-id`) before it proves its key. Absent: no
   * puzzle is asked for.
   */
  idPuzzle?: IdPuzzleDifficulty;
  /** Overrides for tests. */
  keepaliveMs?: number;
  handshakeTimeoutMs?: number;
  permissionTimeoutMs?: number;
}

type State = 'hello' | 'proving' | 'deciding' | 'waiting' | 'ready' | 'closed';

export class Link {
  private state: State = 'hello';
  private readonly nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  private remoteHello: HelloFrame | null = null;
  private proven: LinkPeer | null = null;
  private remoteReady = false;
  private localReady = false;
  private lastHeard: number;
  private misses = 0;
  private pingSeq = 0;
  private keepaliveTimer: unknown = null;
  private phaseTimer: unknown = null;
  private readonly inbound: Uint8Array[] = [];
  private inboundBytes = 0;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private draining = false;
  private readonly readyFns: ((peer: LinkPeer) => void)[] = [];
  private readonly messageFns: ((bytes: Uint8Array) => void)[] = [];
  private readonly closeFns: ((reason: string, end: LinkEnd) => void)[] = [];
  /** Why the link closed, in words; null while open. */
  closeReason: string | null = null;
  /** Why the link closed, with its code; null while open. */
  closeEnd: LinkEnd | null = null;
  /** Round-trip time of the last answered ping, in ms. */
  rttMs: number | null = null;
  private pingSentAt = new Map<number, number>();
  private inOrder: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LinkOptions) {
    this.lastHeard = opts.clock.now();
    opts.channel.onData((b) => this.onBytes(b));
    opts.channel.onClose(() => this.finish('connection-closed', 'the connection closed', false));
    opts.channel.onDrain(LOW_WATER_BYTES, () => this.pump());
  }

  get peer(): LinkPeer | null {
    return this.state === 'ready' ? this.proven : null;
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  onReady(fn: (peer: LinkPeer) => void): void {
    this.readyFns.push(fn);
  }

  onMessage(fn: (bytes: Uint8Array) => void): void {
    this.messageFns.push(fn);
  }

  /** `fn` hears why the link closed: the words (`end.words`), and the code to decide on. */
  onClose(fn: (reason: string, end: LinkEnd) => void): void {
    this.closeFns.push(fn);
  }

  /** Starts the handshake; call once the channel is open. */
  start(): void {
    const { local } = this.opts;
    const hello: HelloFrame = {
      t: 'hello',
      protocol: LINK_PROTOCOL,
      overlay: local.overlay,
      nodeId: local.nodeId,
      spki: local.spki,
      nonce: this.nonce,
      ...(local.user ? { user: local.user } : {}),
      ...(local.role ? { role: local.role } : {}),
      ...(local.puzzle ? { puzzle: local.puzzle } : {}),
    };
    this.write(hello);
    this.setPhaseTimer(this.opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS, 'the handshake timed out');
    this.scheduleKeepalive();
  }

  /** Sends one message; throws when the link is not ready, the message too big or the queue full. */
  send(message: Uint8Array): void {
    if (this.state !== 'ready') throw new LinkClosedError(this.closeReason ?? 'the link is not ready', this.closeEnd);
    if (message.length > MAX_MESSAGE_BYTES) throw new RangeError(`message of ${message.length} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`);
    if (this.queuedBytes + message.length > MAX_QUEUED_BYTES) throw new RangeError('the link’s send queue is full');
    for (let off = 0; off < message.length || off === 0; off += CHUNK_BYTES) {
      const data = message.subarray(off, off + CHUNK_BYTES);
      const frame = encodeFrame({ t: 'chunk', data, more: off + CHUNK_BYTES < message.length });
      this.queue.push(frame);
      this.queuedBytes += frame.length;
      if (message.length === 0) break;
    }
    this.pump();
  }

  /** Closes the link, telling the far side why (the code, and `words`, by default the code's usual words). */
  close(code: LinkEndCode, words: string = LINK_END_WORDS[code]): void {
    this.finish(code, words, true);
  }

  private pump(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0 && this.state === 'ready' && this.opts.channel.bufferedAmount < HIGH_WATER_BYTES) {
        const f = this.queue.shift()!;
        this.queuedBytes -= f.length;
        this.opts.channel.send(f);
      }
    } finally {
      this.draining = false;
    }
  }

  private write(frame: Frame): void {
    this.opts.channel.send(encodeFrame(frame));
  }

  private setPhaseTimer(ms: number, reason: string): void {
    if (this.phaseTimer !== null) this.opts.clock.clearTimeout(this.phaseTimer);
    this.phaseTimer = this.opts.clock.setTimeout(() => this.finish('handshake-failed', reason, true), ms);
  }

  private scheduleKeepalive(delay?: number): void {
    const every = this.opts.keepaliveMs ?? KEEPALIVE_MS;
    const due = this.opts.clock.now() + (delay ?? every);
    this.keepaliveTimer = this.opts.clock.setTimeout(() => {
      if (this.state === 'closed') return;
      const now = this.opts.clock.now();
      if (now - due > every * (KEEPALIVE_MISSES + 1) && now - this.lastHeard > every * (KEEPALIVE_MISSES + 1)) {
        // This tab ran nothing for longer than the far side waits on a silent link (a hung
        // renderer, a suspended machine), so the far side has most likely closed it: one ping,
        // and the link is closed unless it answers soon, instead of three rounds more.
        this.misses = KEEPALIVE_MISSES;
        this.ping(now);
        this.scheduleKeepalive(RESUME_CHECK_MS);
        return;
      }
      if (now - this.lastHeard >= every) {
        if (this.misses >= KEEPALIVE_MISSES) {
          this.finish('keepalive', `no answer to ${KEEPALIVE_MISSES} keep-alives`, true);
          return;
        }
        this.misses++;
        this.ping(now);
      }
      this.scheduleKeepalive();
    }, delay ?? every);
  }

  private ping(now: number): void {
    const n = ++this.pingSeq;
    this.pingSentAt.set(n, now);
    if (this.pingSentAt.size > 8) this.pingSentAt.delete(this.pingSentAt.keys().next().value!);
    this.write({ t: 'ping', n });
  }

  private onBytes(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    const frame = decodeFrame(bytes);
    if ('error' in frame) {
      this.finish('protocol-error', `refused a bad frame (${frame.error})`, true);
      return;
    }
    this.lastHeard = this.opts.clock.now();
    this.misses = 0;
    switch (frame.t) {
      // Keep-alives and goodbyes are answered at once, even while a permission question is open.
      case 'ping':
        this.write({ t: 'pong', n: frame.n });
        return;
      case 'pong': {
        const sent = this.pingSentAt.get(frame.n);
        if (sent !== undefined) this.rttMs = this.opts.clock.now() - sent;
        return;
      }
      case 'bye':
        this.finish(linkEndCodeFrom(frame.code), `the peer closed the link: ${frame.reason}`, false, { fromPeer: true });
        return;
    }
    // Everything else runs in order: the handshake steps await crypto and the gate.
    this.inOrder = this.inOrder
      .then(() => (this.isClosed ? undefined : this.onFrame(frame)))
      .catch((e: unknown) => this.finish('internal-error', `internal error: ${(e as Error).message}`, true));
  }

  private async onFrame(f: Frame): Promise<void> {
    switch (f.t) {
      case 'ping':
      case 'pong':
      case 'bye':
        return;
      case 'hello':
        return this.onHello(f);
      case 'proof':
        return this.onProof(f.signature);
      case 'ready':
        if (this.state !== 'waiting' && this.state !== 'deciding') return this.finish('protocol-error', 'the peer said ready out of turn', true);
        this.remoteReady = true;
        this.maybeReady();
        return;
      case 'chunk':
        return this.onChunk(f.data, f.more);
    }
  }

  private async onHello(h: HelloFrame): Promise<void> {
    if (this.state !== 'hello' || this.remoteHello) return this.finish('protocol-error', 'the peer said hello twice', true);
    const { local, channel, expectedPeerId } = this.opts;
    if (h.protocol !== LINK_PROTOCOL) return this.finish('handshake-failed', `the peer speaks ${h.protocol}, not ${LINK_PROTOCOL}`, true);
    if (h.overlay !== local.overlay) return this.finish('handshake-failed', `the peer belongs to overlay "${h.overlay}", not "${local.overlay}"`, true);
    if (!isNodeId(channel.remoteId) || h.nodeId !== channel.remoteId) return this.finish('handshake-failed', 'the peer’s node ID differs from the one it signed in with', true);
    if (expectedPeerId !== undefined && h.nodeId !== expectedPeerId) return this.finish('handshake-failed', 'reached a different node than the one asked for', true);
    if ((await nodeIdFromSpki(h.spki)) !== h.nodeId) return this.finish('handshake-failed', 'the peer’s node ID does not come from its key', true);
    // One or two hashes, before this side spends a signature on the peer.
    const puzzle = this.opts.idPuzzle ? await idPuzzleProblem(h.spki, h.puzzle, this.opts.idPuzzle) : null;
    if (puzzle) return this.finish('weak-node-id', `refused the peer: ${ID_PUZZLE_WORDS[puzzle]}`, true);
    if (this.isClosed) return;
    this.remoteHello = h;
    this.state = 'proving';
    const signature = await signBytes(local.privateKey, proofPayload(local.overlay, local.nodeId, h.nodeId, this.nonce, h.nonce));
    if (this.isClosed) return;
    this.write({ t: 'proof', signature });
  }

  private async onProof(signature: Uint8Array): Promise<void> {
    const h = this.remoteHello;
    if (this.state !== 'proving' || !h) return this.finish('protocol-error', 'the peer sent a proof out of turn', true);
    const { local } = this.opts;
    this.state = 'deciding';
    const ok = await verifyBytes(h.spki, proofPayload(local.overlay, h.nodeId, local.nodeId, h.nonce, this.nonce), signature);
    if (!ok) return this.finish('handshake-failed', 'the peer could not prove the key behind its node ID', true);
    if (h.user && !(await verifyBytes(h.user.signingSpki, userBindingPayload(local.overlay, h.nodeId), h.user.binding))) {
      return this.finish('handshake-failed', 'the peer presented a user identity that does not vouch for its node', true);
    }
    if (this.isClosed) return;
    this.proven = { nodeId: h.nodeId, spki: h.spki, ...(h.user ? { user: h.user } : {}), ...(h.role ? { role: h.role } : {}) };
    this.setPhaseTimer(this.opts.permissionTimeoutMs ?? PERMISSION_TIMEOUT_MS, 'no permission decision in time');
    let decision: LinkDecision;
    try {
      decision = await this.opts.policy(this.proven, this.opts.direction);
    } catch (e) {
      decision = { allow: false, reason: `the permission check failed: ${(e as Error).message}` };
    }
    if (this.isClosed) return;
    // The far side hears only that it was refused, not this side's reasons.
    if (!decision.allow) return this.finish('refused', `not allowed: ${decision.reason}`, true, { told: LINK_END_WORDS.refused });
    this.localReady = true;
    this.state = 'waiting';
    this.write({ t: 'ready' });
    this.maybeReady();
  }

  private maybeReady(): void {
    if (!this.localReady || !this.remoteReady || this.state !== 'waiting' || !this.proven) return;
    this.state = 'ready';
    if (this.phaseTimer !== null) this.opts.clock.clearTimeout(this.phaseTimer);
    this.phaseTimer = null;
    const peer = this.proven;
    for (const fn of this.readyFns) fn(peer);
    this.pump();
  }

  private onChunk(data: Uint8Array, more: boolean): void {
    if (this.state !== 'ready') return this.finish('protocol-error', 'the peer sent data before the handshake finished', true);
    this.inboundBytes += data.length;
    if (this.inboundBytes > MAX_MESSAGE_BYTES) return this.finish('protocol-error', `the peer sent a message over the ${MAX_MESSAGE_BYTES}-byte limit`, true);
    this.inbound.push(data);
    if (more) return;
    const message = new Uint8Array(this.inboundBytes);
    let off = 0;
    for (const part of this.inbound) {
      message.set(part, off);
      off += part.length;
    }
    this.inbound.length = 0;
    this.inboundBytes = 0;
    for (const fn of this.messageFns) {
      try {
        fn(message);
      } catch (e) {
        console.error('link message handler failed', e);
      }
    }
  }

  /**
   * Closes once. `told`: the words the far side's goodbye carries (by default
   * `reason`); `fromPeer`: the code came in the far side's goodbye.
   */
  private finish(code: LinkEndCode, reason: string, tellPeer: boolean, opts: { told?: string; fromPeer?: boolean } = {}): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const end: LinkEnd = { code, words: reason, fromPeer: opts.fromPeer ?? false };
    this.closeReason = reason;
    this.closeEnd = end;
    for (const t of [this.keepaliveTimer, this.phaseTimer]) if (t !== null) this.opts.clock.clearTimeout(t);
    this.queue.length = 0;
    if (tellPeer) {
      try {
        this.write({ t: 'bye', reason: utf8Prefix(opts.told ?? reason, MAX_BYE_REASON_BYTES), code });
      } catch {
        // the channel may already be gone
      }
    }
    this.opts.channel.close();
    for (const fn of this.closeFns) {
      try {
        fn(reason, end);
      } catch (e) {
        console.error('link close handler failed', e);
      }
    }
  }
}
