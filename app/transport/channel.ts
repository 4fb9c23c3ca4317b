/**
 * The byte pipe under a link: a PeerJS data connection in the browser, an
 * in-memory pair in tests. Ordered and reliable, like an SCTP data channel.
 */
import type { DataConnection } from 'peerjs';
import { CLOSE_GRACE_MS } from './limits';

/**
 * How a link's WebRTC session was signaled: through a PeerJS signaling
 * server, as routed overlay messages (RELOAD AppAttach, attach.ts), or
 * through a service peer's bootstrap endpoint.
 */
export type LinkVia = 'server' | 'overlay' | 'bootstrap';

export interface Channel {
  /** The peer ID the far side claimed to the signaling server (unproven until the handshake). */
  readonly remoteId: string;
  /** How this channel was signaled; absent: through the signaling server (or memory, in tests). */
  readonly via?: LinkVia;
  /** Bytes handed to the channel and not yet sent. */
  readonly bufferedAmount: number;
  send(bytes: Uint8Array): void;
  close(): void;
  /**
   * `fn` hears every message from the far side. Bytes that arrived before the
   * first listener are held and handed to it first, in order, in a microtask
   * (so that the listener's owner, still being built, has set itself up): a
   * channel is open before its link is built (a dial's result crosses a few
   * awaits), and the far side's first frames may already be there.
   */
  onData(fn: (bytes: Uint8Array) => void): void;
  /** `fn` hears that the channel closed; a channel already closed tells it in a microtask. */
  onClose(fn: () => void): void;
  /** Called when bufferedAmount falls to or below `threshold`. */
  onDrain(threshold: number, fn: () => void): void;
}

/**
 * Ends a PeerJS data connection so that both its data channel and its
 * RTCPeerConnection are released, on this side and (through the channel's
 * close) on the far side, after sending what is already buffered.
 *
 * Not `conn.close({ flush: true })`: PeerJS (1.5) implements the flush by
 * sending an internal `{ __peerData: { type: 'close' } }` object through the
 * serializer and returning without closing anything. With `'raw'`
 * serialization that object goes out as the text "[object Object]", which the
 * far side cannot read, and both RTCPeerConnections stay up for good.
 *
 * Instead this closes the RTCDataChannel itself: its closing procedure sends
 * every message already queued and then resets the stream (W3C WebRTC 1.0,
 * §6.2 "RTCDataChannel", close()). Both sides' PeerJS then see the channel's
 * `close` event and close their RTCPeerConnection. Should the channel not
 * close within `graceMs` (a hung far side, a WebRTC stack that does not report
 * it), the whole connection is closed without waiting.
 *
 * Safe to call more than once, on a connection that never opened, and on one
 * already closed.
 */
export function releaseDataConnection(conn: DataConnection, graceMs = CLOSE_GRACE_MS): void {
  const ch = conn.dataChannel as RTCDataChannel | undefined | null;
  if (!ch || ch.readyState !== 'open' || !conn.peerConnection) {
    conn.close();
    return;
  }
  const timer = setTimeout(() => conn.close(), graceMs);
  conn.once('close', () => clearTimeout(timer));
  ch.close();
}

/**
 * Wraps an open PeerJS data connection made with `serialization: 'raw'`, so
 * frames go onto the data channel as they are, with no base64 or JSON.
 * `via` says which kind of PeerJS server signaled it: a signaling server
 * (the default) or a service peer's bootstrap endpoint.
 */
export function peerJsChannel(conn: DataConnection, via: LinkVia = 'server'): Channel {
  const dc = (): RTCDataChannel | undefined => conn.dataChannel;
  let closing = false;
  const data = new HeldData();
  conn.on('data', (d: unknown) => {
    if (d instanceof ArrayBuffer) data.arrive(new Uint8Array(d));
    else if (ArrayBuffer.isView(d)) data.arrive(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    else data.arrive(new Uint8Array(0)); // not bytes: the link refuses it as a malformed frame
  });
  const closes = new CloseListeners();
  conn.on('close', () => closes.fire());
  conn.on('error', () => closes.fire());
  return {
    remoteId: conn.peer,
    via,
    get bufferedAmount() {
      return (dc()?.bufferedAmount ?? 0) + ((conn as { bufferSize?: number }).bufferSize ?? 0);
    },
    send(bytes) {
      void conn.send(bytes.buffer.byteLength === bytes.length ? bytes.buffer : bytes.slice().buffer);
    },
    close() {
      if (closing) return;
      closing = true;
      // The goodbye frame the link wrote last still goes out before the channel shuts.
      releaseDataConnection(conn);
    },
    onData(fn) {
      data.listen(fn);
    },
    onClose(fn) {
      closes.listen(fn);
    },
    onDrain(threshold, fn) {
      const ch = dc();
      if (!ch) return;
      ch.bufferedAmountLowThreshold = threshold;
      ch.addEventListener('bufferedamountlow', fn);
    },
  };
}

/** One end of an in-memory channel pair: asynchronous, ordered delivery, like a data channel. */
export class MemoryChannel implements Channel {
  peer: MemoryChannel | null = null;
  closed = false;
  readonly bufferedAmount = 0;
  private readonly data = new HeldData();
  private readonly closes = new CloseListeners();

  constructor(readonly remoteId: string) {}

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    const copy = bytes.slice();
    queueMicrotask(() => this.peer?.deliver(copy));
  }

  close(): void {
    if (this.closed) return;
    this.shut();
    queueMicrotask(() => this.peer?.shut());
  }

  onData(fn: (bytes: Uint8Array) => void): void {
    this.data.listen(fn);
  }

  onClose(fn: () => void): void {
    this.closes.listen(fn);
  }

  onDrain(): void {
    // Nothing buffers in memory.
  }

  /** Bytes arriving from the far end (tests also inject raw bytes here). */
  deliver(bytes: Uint8Array): void {
    if (!this.closed) this.data.arrive(bytes);
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.closes.fire();
  }
}

/** Two connected in-memory channels; `a.remoteId` is idB and `b.remoteId` is idA. */
export function memoryChannelPair(idA: string, idB: string): [MemoryChannel, MemoryChannel] {
  const a = new MemoryChannel(idB);
  const b = new MemoryChannel(idA);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/**
 * The listeners of a channel's incoming bytes, holding what arrives before
 * the first listener and handing it over first, in order, in a microtask
 * (Channel.onData).
 */
export class HeldData {
  /** Bytes not handed over yet; null once the first listener has had them. */
  private held: Uint8Array[] | null = [];
  private readonly fns: ((bytes: Uint8Array) => void)[] = [];

  arrive(bytes: Uint8Array): void {
    if (this.held) this.held.push(bytes);
    else for (const fn of this.fns) fn(bytes);
  }

  listen(fn: (bytes: Uint8Array) => void): void {
    this.fns.push(fn);
    if (this.fns.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const held = this.held;
    if (!held) return;
    // What arrives while these are handed over joins the end of the line.
    while (held.length > 0) {
      const bytes = held.shift()!;
      for (const fn of this.fns) fn(bytes);
    }
    this.held = null;
  }
}

/** The close listeners of a channel: a listener that comes after the close hears of it in a microtask (Channel.onClose). */
export class CloseListeners {
  private closed = false;
  private readonly fns: (() => void)[] = [];

  /** The channel closed: tells every listener, once. */
  fire(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.fns) fn();
  }

  listen(fn: () => void): void {
    if (this.closed) queueMicrotask(fn);
    else this.fns.push(fn);
  }
}
