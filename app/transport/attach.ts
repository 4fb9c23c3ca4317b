/**
 * Link signaling through the overlay, after RELOAD's AppAttach (RFC 6940
 * §6.5.1): when a tab needs a link to a node it has none to, the WebRTC offer
 * and answer (each a whole SDP with its ICE candidates, attach-messages.ts)
 * travel as routed overlay messages instead of through the signaling server.
 * The router (overlay/message-routing.ts) signs each by its origin, seals it
 * for the target and refuses replays and altered or forged envelopes, so
 * the node ID an offer comes from is proven before a peer connection is
 * made for it, and no relay can read or change the SDP. This layer adds its
 * own checks on top: an answer is taken only from the node the offer went
 * to and only once, an offer id is answered once (a replay is counted and
 * dropped), and at most `maxIncoming` offers are being set up at a time.
 *
 * The channel that opens is a plain RTCDataChannel (rtc-channel.ts), and the
 * link over it runs the same handshake as any other: the far side proves
 * its key and the permission gate decides, exactly as for a link made
 * through the server. Each side wraps its data channel as soon as it has
 * one, so no handshake frame that arrives before its link listens is lost
 * (rtc-channel.ts says why that happens).
 */
import { toHex } from '../identity';
import { decodeAttach, encodeAttach, ATTACH_ID_BYTES, type AttachMessage, type AttachRefusal } from './attach-messages';
import type { Channel } from './channel';
import { DialError } from './errors';
import { INCOMING_OPEN_TIMEOUT_MS } from './limits';
import { gatheringDone, platformPeerConnection, releasePeerConnection, rtcChannel, type PeerConnectionFactory } from './rtc-channel';

/** The routed-message topic attach messages travel on. */
export const ATTACH_TOPIC = 'attach';
/** The data channel's label (the same as a PeerJS link's). */
const ATTACH_LABEL = 'p2p-link';

/** What overlay signaling needs from the overlay: routed messages, signed by their origin and sealed for their target. */
export interface AttachPath {
  /** Sends `body` to node `to` across the ring; resolves true once the target acknowledged it. */
  send(to: string, body: Uint8Array): Promise<boolean>;
  /** Hears attach messages: the origin's node ID (proven by its signature) and the body; returns the remover. */
  onMessage(fn: (from: string, body: Uint8Array) => void): () => void;
  /** Whether a routed message to `to` has a way to go now (this node is in a ring, with live links). */
  canRoute(to: string): boolean;
}

export interface OverlayAttachOptions {
  /** The STUN/TURN servers new links use (read at each dial). */
  iceServers: () => readonly RTCIceServer[];
  /** @default the platform's RTCPeerConnection */
  createPeerConnection?: PeerConnectionFactory;
  /** Longest wait for ICE gathering before the SDP goes with what it has, in ms. @default 3000 */
  gatherCapMs?: number;
  /** Most incoming offers being set up at once; more are refused as `busy`. @default 16 */
  maxIncoming?: number;
}

/** Remembered offer ids (per origin), to refuse replays: far more than offers made in a router's replay window. */
const SEEN_OFFERS = 1024;

interface PendingDial {
  to: string;
  answered: (m: AttachMessage) => void;
}

export class OverlayAttach {
  private path: AttachPath | null = null;
  private offPath: (() => void) | null = null;
  private readonly pending = new Map<string, PendingDial>();
  private readonly seen = new Set<string>();
  private readonly incomingFns: ((c: Channel) => void)[] = [];
  private settingUp = 0;
  /** Incoming offers being set up, by the node they came from. */
  private readonly settingUpFrom = new Map<string, number>();
  private closed = false;
  /** What happened to attach messages, by what: sent and taken offers, opened channels, and each refusal (`attach-replayed`, ...). */
  readonly counters = new Map<string, number>();

  constructor(private readonly opts: OverlayAttachOptions) {}

  /** Starts (or, with null, stops) signaling over `path`; the overlay node under it is made after the links. */
  use(path: AttachPath | null): void {
    this.offPath?.();
    this.offPath = null;
    this.path = path;
    if (path) this.offPath = path.onMessage((from, body) => this.onMessage(from, body));
  }

  /** Whether a dial to `nodeId` can go through the overlay now. */
  canRoute(nodeId: string): boolean {
    return !this.closed && this.path !== null && this.path.canRoute(nodeId);
  }

  onIncoming(fn: (c: Channel) => void): void {
    this.incomingFns.push(fn);
  }

  /** Whether an offer from `nodeId` was taken and its channel has neither opened nor failed yet. */
  isDialedBy(nodeId: string): boolean {
    return (this.settingUpFrom.get(nodeId) ?? 0) > 0;
  }

  /**
   * Opens a data channel to `nodeId` signaled through the overlay. Rejects
   * with a DialError: `no-route` (no route, or the offer was not delivered),
   * `attach-refused` (the peer turned the offer down), `no-answer` (no answer,
   * or the channel did not open, within `timeoutMs`), `connection-error`.
   */
  async dial(nodeId: string, timeoutMs: number): Promise<Channel> {
    const path = this.path;
    if (!path || this.closed || !path.canRoute(nodeId)) throw new DialError('no-route', 'no route to the peer across the overlay');
    const deadline = Date.now() + timeoutMs;
    const pc = this.newPeerConnection();
    const dc = pc.createDataChannel(ATTACH_LABEL, { ordered: true });
    // Wrapped now, not once open: the far side's hello may arrive in the same turn as `open`.
    const channel = rtcChannel(pc, dc, nodeId, 'overlay');
    const id = crypto.getRandomValues(new Uint8Array(ATTACH_ID_BYTES));
    const key = toHex(id);
    let answered!: (m: AttachMessage) => void;
    const answer = new Promise<AttachMessage>((r) => (answered = r));
    this.pending.set(key, { to: nodeId, answered });
    let opened = false;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await gatheringDone(pc, Math.min(this.opts.gatherCapMs ?? 3000, timeoutMs / 2));
      const sdp = pc.localDescription?.sdp;
      if (!sdp) throw new DialError('connection-error', 'WebRTC made no offer');
      this.count('offers-sent');
      const sent = path.send(nodeId, encodeAttach({ t: 'offer', id, sdp }));
      const reply = await within(deadline, Promise.race([answer, sent.then((ok) => (ok ? answer : null))]));
      if (reply === undefined) throw new DialError('no-answer', 'the peer did not answer the overlay offer in time');
      if (reply === null) throw new DialError('no-route', 'the overlay could not deliver the offer');
      if (reply.t === 'refuse') throw new DialError('attach-refused', reply.why === 'busy' ? 'the peer is busy setting up other links' : 'the peer could not read the offer');
      if (reply.t !== 'answer') throw new DialError('connection-error', 'the peer answered out of turn');
      await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
      const open = await within(deadline, whenOpen(dc));
      if (!open) throw new DialError('no-answer', 'the overlay-signaled connection did not open in time');
      opened = true;
      this.count('dials-opened');
      return channel;
    } catch (e) {
      if (e instanceof DialError) throw e;
      throw new DialError('connection-error', `WebRTC failed: ${(e as Error).message}`);
    } finally {
      this.pending.delete(key);
      if (!opened) releasePeerConnection(pc, dc);
    }
  }

  /** Stops answering offers and fails the dials waiting (their channels are released). */
  close(): void {
    this.closed = true;
    this.use(null);
    for (const p of [...this.pending.values()]) p.answered({ t: 'refuse', id: new Uint8Array(ATTACH_ID_BYTES), why: 'busy' });
  }

  private count(what: string): void {
    this.counters.set(what, (this.counters.get(what) ?? 0) + 1);
  }

  private newPeerConnection(): RTCPeerConnection {
    return (this.opts.createPeerConnection ?? platformPeerConnection)({ iceServers: [...this.opts.iceServers()] });
  }

  private onMessage(from: string, body: Uint8Array): void {
    const m = decodeAttach(body);
    if (!m) return this.count('attach-malformed');
    const key = toHex(m.id);
    if (m.t === 'offer') return void this.onOffer(from, m.id, m.sdp, key);
    // An answer or refusal counts only from the node the offer went to, and only once.
    const p = this.pending.get(key);
    if (!p || p.to !== from) return this.count('attach-unexpected-answer');
    this.pending.delete(key);
    p.answered(m);
  }

  private async onOffer(from: string, id: Uint8Array, sdp: string, key: string): Promise<void> {
    const seenKey = `${from}/${key}`;
    if (this.seen.has(seenKey)) return this.count('attach-replayed');
    this.seen.add(seenKey);
    if (this.seen.size > SEEN_OFFERS) this.seen.delete(this.seen.values().next().value!);
    if (this.closed || this.path === null) return;
    if (this.settingUp >= (this.opts.maxIncoming ?? 16)) {
      this.count('attach-busy');
      return this.refuse(from, id, 'busy');
    }
    let pc: RTCPeerConnection;
    try {
      pc = this.newPeerConnection();
    } catch {
      this.count('attach-webrtc-failed');
      return this.refuse(from, id, 'busy');
    }
    this.count('offers-taken');
    this.settingUp++;
    this.settingUpFrom.set(from, (this.settingUpFrom.get(from) ?? 0) + 1);
    let done = false;
    let dc: RTCDataChannel | null = null;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      this.settingUp--;
      const left = (this.settingUpFrom.get(from) ?? 1) - 1;
      if (left > 0) this.settingUpFrom.set(from, left);
      else this.settingUpFrom.delete(from);
      clearTimeout(timer);
      if (!ok) releasePeerConnection(pc, dc);
    };
    // The dialer gives up at its own timeout; a connection that never opens must not stay.
    const timer = setTimeout(() => finish(false), INCOMING_OPEN_TIMEOUT_MS);
    pc.addEventListener('datachannel', (e: RTCDataChannelEvent) => {
      const ch = e.channel;
      if (dc || ch.label !== ATTACH_LABEL) return ch.close();
      dc = ch;
      // Wrapped at once, so that nothing the dialer sends is missed before the link listens.
      const channel = rtcChannel(pc, ch, from, 'overlay');
      const opened = (): void => {
        if (done) return;
        finish(true);
        this.count('incoming-opened');
        for (const fn of this.incomingFns) fn(channel);
      };
      if (ch.readyState === 'open') opened();
      else ch.addEventListener('open', opened);
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringDone(pc, this.opts.gatherCapMs ?? 3000);
      const answer = pc.localDescription?.sdp;
      if (!answer) throw new Error('no answer');
      if (done) return;
      await this.path?.send(from, encodeAttach({ t: 'answer', id, sdp: answer }));
    } catch {
      // The SDP was not one WebRTC takes: the offer was signed by its origin, so it is that node's fault.
      this.count('attach-bad-offer');
      finish(false);
      this.refuse(from, id, 'bad-offer');
    }
  }

  private refuse(to: string, id: Uint8Array, why: AttachRefusal): void {
    void this.path?.send(to, encodeAttach({ t: 'refuse', id, why })).catch(() => undefined);
  }
}

/** Resolves with `p`'s value, or undefined once `deadline` (epoch ms) has passed. */
function within<T>(deadline: number, p: Promise<T>): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e as Error);
      },
    );
  });
}

/** Resolves when the data channel opens; rejects when it closes first. */
function whenOpen(dc: RTCDataChannel): Promise<true> {
  if (dc.readyState === 'open') return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    dc.addEventListener('open', () => resolve(true));
    dc.addEventListener('close', () => reject(new DialError('connection-error', 'the overlay-signaled connection closed while opening')));
  });
}
