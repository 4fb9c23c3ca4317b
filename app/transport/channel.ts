/**
 * The byte pipe under a link: a PeerJS data connection in the browser, an
 * in-memory pair in tests. Ordered and reliable, like an SCTP data channel.
 */
import type { DataConnection } from 'peerjs';

export interface Channel {
  /** The peer ID the far side claimed to the signaling server (unproven until the handshake). */
  readonly remoteId: string;
  /** Bytes handed to the channel and not yet sent. */
  readonly bufferedAmount: number;
  send(bytes: Uint8Array): void;
  close(): void;
  onData(fn: (bytes: Uint8Array) => void): void;
  onClose(fn: () => void): void;
  /** Called when bufferedAmount falls to or below `threshold`. */
  onDrain(threshold: number, fn: () => void): void;
}

/**
 * Wraps an open PeerJS data connection made with `serialization: 'raw'`, so
 * frames go onto the data channel as they are, with no base64 or JSON.
 */
export function peerJsChannel(conn: DataConnection): Channel {
  const dc = (): RTCDataChannel | undefined => conn.dataChannel;
  return {
    remoteId: conn.peer,
    get bufferedAmount() {
      return (dc()?.bufferedAmount ?? 0) + ((conn as { bufferSize?: number }).bufferSize ?? 0);
    },
    send(bytes) {
      void conn.send(bytes.buffer.byteLength === bytes.length ? bytes.buffer : bytes.slice().buffer);
    },
    close() {
      // flush: the goodbye frame that says why goes out before the channel shuts.
      conn.close({ flush: true });
    },
    onData(fn) {
      conn.on('data', (d: unknown) => {
        if (d instanceof ArrayBuffer) fn(new Uint8Array(d));
        else if (ArrayBuffer.isView(d)) fn(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        else fn(new Uint8Array(0)); // not bytes: the link refuses it as a malformed frame
      });
    },
    onClose(fn) {
      conn.on('close', fn);
      conn.on('error', fn);
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
  private readonly dataFns: ((b: Uint8Array) => void)[] = [];
  private readonly closeFns: (() => void)[] = [];

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
    this.dataFns.push(fn);
  }

  onClose(fn: () => void): void {
    this.closeFns.push(fn);
  }

  onDrain(): void {
    // Nothing buffers in memory.
  }

  /** Bytes arriving from the far end (tests also inject raw bytes here). */
  deliver(bytes: Uint8Array): void {
    if (!this.closed) for (const fn of this.dataFns) fn(bytes);
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closeFns) fn();
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
