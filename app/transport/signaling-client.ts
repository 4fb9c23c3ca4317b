/**
 * The tab's connection to a PeerJS signaling server. It keeps the best
 * reachable server of an ordered list: a failed server hands over to the next
 * at once, and when every server of the list has failed it waits with
 * exponential back-off (0.5 s doubling to 5 min) and starts again from the
 * most preferred. Data connections already open stay up while the server is
 * away: a PeerJS peer that loses its server is only disconnected, never
 * destroyed, and reconnects under the same ID.
 */
import type { DataConnection, Peer, PeerOptions } from 'peerjs';
import { Backoff } from '../overlay';
import { createLogger, Listeners, systemClock, type Clock, type Random } from '../common';
import { releaseDataConnection } from './channel';
import type { SignalingServerConfig } from './server-list';
import { challengeUrl, proveKeyTo, serverRefusal, type FetchLike, type KeyProver } from './key-proof-client';

export type SignalingState =
  | { kind: 'connecting'; server: string; attempt: number }
  | { kind: 'online'; server: string; since: number }
  | { kind: 'offline'; nextRetryAt: number; retryInMs: number; attempt: number; reason: string }
  | { kind: 'stopped'; reason: string };

export type PeerFactory = (id: string, options: PeerOptions) => Peer;

export interface SignalingClientOptions {
  nodeId: string;
  servers: SignalingServerConfig[];
  createPeer: PeerFactory;
  clock?: Clock;
  /** How long one server may take to answer before the next is tried. @default 8000 */
  attemptTimeoutMs?: number;
  /** ICE servers for WebRTC: none by default, so nothing but the peers is contacted. setIceServers() changes them. */
  iceServers?: RTCIceServer[];
  /**
   * The node key, to prove it to each server before holding the node ID
   * there (app/identity/key-proof.ts). Without it the client connects with
   * PeerJS's random token, which a proof-checking server refuses.
   */
  keyProof?: KeyProver;
  /** Fetches challenges. @default globalThis.fetch */
  fetch?: FetchLike;
  /** Draws the jitter of each back-off wait. @default Math.random */
  random?: Random;
  /**
   * Each back-off wait is stretched or shrunk by up to this share, drawn
   * uniformly, so tabs that lost one server together do not all come back
   * in the same few milliseconds (full-jitter's milder cousin; AWS
   * Architecture Blog, "Exponential Backoff And Jitter"). @default 0.25
   */
  jitter?: number;
  /**
   * While online through a fallback (a bootstrap endpoint), how often the
   * most preferred server is asked for a challenge; when it answers, the
   * client goes back to the servers. Jittered like the back-off. @default 60_000
   */
  returnCheckMs?: number;
}

const mathRandom: Random = { next: () => Math.random() };

/** `ms` moved by a uniform share in [-jitter, +jitter] of itself. */
export function jittered(ms: number, jitter: number, random: Random): number {
  return Math.round(ms * (1 + jitter * (2 * random.next() - 1)));
}

type Listener<T> = (value: T) => void;

const log = createLogger('signaling');

/** Hears a data connection opened towards this tab; returns true when it takes it. */
export type ConnectionListener = (conn: DataConnection) => boolean;

/** Errors that say the signaling connection itself failed (others concern one data connection). */
const SIGNALING_ERRORS = new Set(['network', 'server-error', 'socket-error', 'socket-closed', 'unavailable-id', 'invalid-id', 'invalid-key', 'ssl-unavailable']);

function describeError(type: string, server: string, message?: unknown): string {
  const refusal = type === 'server-error' ? serverRefusal(message) : null;
  if (refusal?.kind === 'proof-refused') {
    return refusal.problem === 'unknown-nonce'
      ? `${server} did not recognise its challenge (it may have restarted)`
      : `${server} refused this tab's proof of its node key`;
  }
  switch (type) {
    case 'unavailable-id':
      return 'another tab or device is online with this node ID';
    case 'invalid-id':
      return 'the server refused this node ID';
    case 'ssl-unavailable':
      return `${server} needs a secure (https) connection`;
    default:
      return `${server} cannot be reached`;
  }
}

export class SignalingClient {
  private servers: SignalingServerConfig[];
  /** Tried after `servers`, in this order (bootstrap endpoints); set by setFallbacks(). */
  private fallbacks: SignalingServerConfig[] = [];
  private readonly clock: Clock;
  private readonly backoff = new Backoff();
  private readonly attemptTimeoutMs: number;
  private index = 0;
  private iceServers: RTCIceServer[];
  private current: { peer: Peer; server: SignalingServerConfig } | null = null;
  /** Peers of earlier servers, kept (disconnected) for their open data connections. */
  private readonly retired: Peer[] = [];
  private timer: unknown = null;
  private attemptTimer: unknown = null;
  private returnTimer: unknown = null;
  private attemptId = 0;
  private _state: SignalingState = { kind: 'stopped', reason: 'not started' };
  private readonly stateListeners = new Listeners<SignalingState>(log);
  private readonly connectionListeners = new Set<ConnectionListener>();

  constructor(private readonly opts: SignalingClientOptions) {
    if (opts.servers.length === 0) throw new Error('at least one signaling server is needed');
    this.servers = [...opts.servers];
    this.clock = opts.clock ?? systemClock;
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? 8000;
    this.iceServers = [...(opts.iceServers ?? [])];
  }

  get state(): SignalingState {
    return this._state;
  }

  get serverList(): readonly SignalingServerConfig[] {
    return this.servers;
  }

  /** Every server tried, in order: the servers, then the fallbacks not among them. */
  get tryList(): readonly SignalingServerConfig[] {
    return [...this.servers, ...this.fallbacks.filter((f) => !this.servers.some((s) => s.url === f.url))];
  }

  /** The server the client is on (or is trying now); null when stopped. */
  get server(): SignalingServerConfig | null {
    return this.current?.server ?? null;
  }

  /**
   * Replaces the servers tried after the list (a service peer's bootstrap
   * endpoints, best first: RFC 6940 §11.4's bootstrap nodes). Nothing
   * reconnects: the next failure of the current server goes through them,
   * and the back-off (with its jitter) starts only when every one failed.
   */
  setFallbacks(fallbacks: SignalingServerConfig[]): void {
    this.fallbacks = [...fallbacks];
  }

  /** The PeerJS peer that is (or is becoming) connected to the current server. */
  get peer(): Peer | null {
    return this.current?.peer ?? null;
  }

  onState(fn: Listener<SignalingState>): () => void {
    return this.stateListeners.add(fn);
  }

  /**
   * Data connections opened towards this tab, from any server's peer. A
   * listener returns true when it takes the connection (by its PeerJS label);
   * one that no listener takes is closed at once, so no peer keeps an
   * unwanted WebRTC connection to this tab.
   */
  onConnection(fn: ConnectionListener): () => void {
    this.connectionListeners.add(fn);
    return () => this.connectionListeners.delete(fn);
  }

  start(): void {
    if (this._state.kind !== 'stopped') return;
    this.index = 0;
    this.attempt();
  }

  /** Replaces the server list; reconnects when the current server is no longer the best. */
  setServers(servers: SignalingServerConfig[]): void {
    if (servers.length === 0) throw new Error('at least one signaling server is needed');
    this.servers = [...servers];
    const best = this.servers[0]!;
    if (this._state.kind === 'stopped') return;
    if (this.current?.server.url === best.url && this._state.kind === 'online') return;
    this.backoff.reset();
    this.index = 0;
    this.clearTimers();
    this.attempt();
  }

  /**
   * The STUN/TURN servers links made from now on use (the node's list and
   * the person's own). PeerJS reads its options' `config` for each new
   * RTCPeerConnection, so open links keep theirs and the next one takes these.
   */
  setIceServers(servers: RTCIceServer[]): void {
    this.iceServers = [...servers];
    for (const p of [this.current?.peer, ...this.retired]) {
      if (p) p.options.config = { ...(p.options.config as RTCConfiguration | undefined), iceServers: this.iceServers };
    }
  }

  /** The STUN/TURN servers new links use. */
  get iceServerList(): readonly RTCIceServer[] {
    return this.iceServers;
  }

  /** Tries again now instead of waiting out the back-off. */
  retryNow(): void {
    if (this._state.kind !== 'offline') return;
    this.clearTimers();
    this.index = 0;
    this.attempt();
  }

  stop(reason = 'stopped'): void {
    this.clearTimers();
    this.attemptId++;
    this.current?.peer.destroy();
    for (const p of this.retired) p.destroy();
    this.retired.length = 0;
    this.current = null;
    this.setState({ kind: 'stopped', reason });
  }

  private setState(s: SignalingState): void {
    this._state = s;
    this.stateListeners.emit(s);
  }

  private clearTimers(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.attemptTimer !== null) this.clock.clearTimeout(this.attemptTimer);
    if (this.returnTimer !== null) this.clock.clearTimeout(this.returnTimer);
    this.timer = this.attemptTimer = this.returnTimer = null;
  }

  /**
   * Online through a fallback: checks now and then whether the most
   * preferred server answers a challenge again, and goes back to the
   * servers when it does (links stay up meanwhile; the fallback is tried
   * again if the server fails after all). Needs the key proof's challenge.
   */
  private watchForServers(): void {
    const server = this.current?.server;
    const best = this.servers[0];
    if (!server || !best || !this.opts.keyProof || this.servers.some((s) => s.url === server.url)) return;
    const fetchFn = this.opts.fetch ?? (globalThis.fetch.bind(globalThis) as FetchLike);
    const id = this.attemptId;
    const wait = jittered(this.opts.returnCheckMs ?? 60_000, this.opts.jitter ?? 0.25, this.opts.random ?? mathRandom);
    this.returnTimer = this.clock.setTimeout(() => {
      this.returnTimer = null;
      const still = (): boolean => id === this.attemptId && this._state.kind === 'online';
      const signal = typeof AbortSignal?.timeout === 'function' ? AbortSignal.timeout(this.attemptTimeoutMs) : undefined;
      fetchFn(challengeUrl(best), { cache: 'no-store', ...(signal ? { signal } : {}) }).then(
        (res) => {
          if (!still()) return;
          if (!res.ok) return this.watchForServers();
          log.warn(`${best.url} answers again: leaving ${server.url}`);
          this.clearTimers();
          this.attemptId++;
          // Retire the fallback's peer first: its 'disconnected' must not count as the new attempt failing.
          const cur = this.current;
          this.current = null;
          if (cur && !cur.peer.destroyed) {
            cur.peer.disconnect();
            this.retired.push(cur.peer);
          }
          this.index = 0;
          this.attempt();
        },
        () => {
          if (still()) this.watchForServers();
        },
      );
    }, wait);
  }

  private attempt(): void {
    const list = this.tryList;
    const server = list[this.index] ?? list[0]!;
    const id = ++this.attemptId;
    this.setState({ kind: 'connecting', server: server.url, attempt: this.backoff.attempts + 1 });
    const abort = typeof AbortController === 'function' ? new AbortController() : null;
    this.attemptTimer = this.clock.setTimeout(() => {
      if (id === this.attemptId && this._state.kind === 'connecting') {
        abort?.abort();
        if (this.current && !this.current.peer.destroyed && !this.current.peer.disconnected) this.current.peer.disconnect();
        this.failed(id, `${server.url} did not answer`);
      }
    }, this.attemptTimeoutMs);
    const prover = this.opts.keyProof;
    if (!prover) {
      this.connect(server, undefined);
      return;
    }
    const fetchFn = this.opts.fetch ?? (globalThis.fetch.bind(globalThis) as FetchLike);
    proveKeyTo(server, this.opts.nodeId, prover, fetchFn, abort?.signal).then(
      (token) => {
        if (id === this.attemptId) this.connect(server, token ?? undefined);
      },
      (e: unknown) => this.failed(id, e instanceof Error ? e.message : `${server.url} cannot be reached`),
    );
  }

  /** Opens (or re-opens) the PeerJS connection to `server`, with `token` as the proof of key when there is one. */
  private connect(server: SignalingServerConfig, token: string | undefined): void {
    const cur = this.current;
    if (cur && cur.server.url === server.url && !cur.peer.destroyed) {
      if (token) cur.peer.options.token = token;
      if (cur.peer.disconnected) cur.peer.reconnect();
    } else {
      if (cur && !cur.peer.destroyed) {
        cur.peer.disconnect();
        this.retired.push(cur.peer);
      }
      this.current = { peer: this.makePeer(server, token), server };
    }
  }

  private makePeer(server: SignalingServerConfig, token: string | undefined): Peer {
    const peer = this.opts.createPeer(this.opts.nodeId, {
      ...(token ? { token } : {}),
      host: server.host,
      port: server.port,
      path: server.path,
      secure: server.secure,
      key: 'peerjs',
      debug: 0,
      config: { iceServers: this.iceServers },
    });
    const isCurrent = (): boolean => this.current?.peer === peer;
    peer.on('open', () => {
      if (!isCurrent()) return;
      this.clearTimers();
      this.backoff.reset();
      this.setState({ kind: 'online', server: server.url, since: this.clock.now() });
      this.watchForServers();
    });
    peer.on('connection', (conn) => {
      let taken = false;
      for (const fn of [...this.connectionListeners]) {
        try {
          if (fn(conn)) taken = true;
        } catch (e) {
          console.error('signaling connection listener failed', e);
        }
      }
      if (!taken) releaseDataConnection(conn);
    });
    peer.on('disconnected', () => {
      if (!isCurrent()) return;
      if (this._state.kind === 'online') {
        // Lost a server we had: wait the first back-off step, then try from the top.
        this.index = this.tryList.length;
        this.failed(this.attemptId, `lost the connection to ${server.url}`);
      } else if (this._state.kind === 'connecting') {
        this.failed(this.attemptId, describeError('network', server.url));
      }
    });
    peer.on('error', (err) => {
      if (!isCurrent() || !SIGNALING_ERRORS.has(err.type)) return;
      if (err.type === 'server-error' && serverRefusal(err.message)?.kind === 'replaced') {
        this.replaced(server);
        return;
      }
      if (this._state.kind === 'connecting') this.failed(this.attemptId, describeError(err.type, server.url, err.message));
    });
    return peer;
  }

  /**
   * The server gave this node ID to a newer connection that proved the same
   * key: another tab or device runs this node now. Retrying would take it
   * back and forth, so the client stops using servers; open data connections stay.
   */
  private replaced(server: SignalingServerConfig): void {
    this.clearTimers();
    this.attemptId++;
    this.setState({ kind: 'stopped', reason: `another tab or device proved this node's key to ${server.url} and is online with it now` });
  }

  private failed(id: number, reason: string): void {
    if (id !== this.attemptId || this._state.kind === 'stopped' || this._state.kind === 'offline') return;
    this.clearTimers();
    this.attemptId++;
    if (this.index + 1 < this.tryList.length) {
      this.index++;
      this.attempt();
      return;
    }
    this.index = 0;
    const delay = jittered(this.backoff.next(), this.opts.jitter ?? 0.25, this.opts.random ?? mathRandom);
    const at = this.clock.now() + delay;
    this.setState({ kind: 'offline', nextRetryAt: at, retryInMs: delay, attempt: this.backoff.attempts, reason });
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.attempt();
    }, delay);
  }
}
