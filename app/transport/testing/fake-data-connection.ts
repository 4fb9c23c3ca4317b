/**
 * A stand-in for a PeerJS 1.5 DataConnection with 'raw' serialization, for
 * unit tests of how links end. It keeps the library's own close behaviour
 * (node_modules/peerjs, DataConnection.close): `close({ flush: true })`
 * pushes PeerJS's internal close object through the serializer (the raw one
 * turns it into the text "[object Object]") and closes nothing; a plain
 * `close()` closes the RTCPeerConnection and emits 'close' once; the data
 * channel's `close` event makes PeerJS close the whole connection. The
 * end-to-end suite proves the same against real WebRTC.
 */
type Fn = (arg?: unknown) => void;

export class FakeDataChannel {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  onclose: (() => void) | null = null;
  closeCalls = 0;
  /** What went onto the wire, as the data channel would send it. */
  readonly sent: (ArrayBuffer | string)[] = [];

  send(data: unknown): void {
    if (this.readyState !== 'open') throw new Error('InvalidStateError: the data channel is not open');
    // RTCDataChannel.send() stringifies what is neither binary nor text, as browsers do.
    this.sent.push(data instanceof ArrayBuffer ? data : String(data));
  }

  /** Starts the closing procedure; the close event comes when `finishClosing` is called (the stream reset is answered). */
  close(): void {
    this.closeCalls++;
    if (this.readyState === 'open') this.readyState = 'closing';
  }

  finishClosing(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.onclose?.();
  }
}

export class FakeDataConnection {
  readonly serialization = 'raw';
  label = 'p2p-link';
  open = true;
  dataChannel: FakeDataChannel | null = new FakeDataChannel();
  peerConnection: { signalingState: RTCSignalingState } | null = { signalingState: 'stable' };
  /** The RTCPeerConnection, kept after PeerJS lets go of it, to see whether it was closed. */
  readonly pc = this.peerConnection!;
  private readonly handlers = new Map<string, Fn[]>();

  constructor(readonly peer = 'b'.repeat(40)) {
    this.dataChannel!.onclose = () => this.close();
  }

  on(ev: string, fn: Fn): this {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), fn]);
    return this;
  }

  once(ev: string, fn: Fn): this {
    const wrapped: Fn = (arg) => {
      this.handlers.set(ev, (this.handlers.get(ev) ?? []).filter((f) => f !== wrapped));
      fn(arg);
    };
    return this.on(ev, wrapped);
  }

  emit(ev: string, arg?: unknown): void {
    for (const fn of [...(this.handlers.get(ev) ?? [])]) fn(arg);
  }

  send(data: unknown): void {
    if (!this.open) return this.emit('error', new Error('Connection is not open.'));
    this.dataChannel!.send(data);
  }

  close(options?: { flush?: boolean }): void {
    if (options?.flush) {
      this.send({ __peerData: { type: 'close' } });
      return;
    }
    if (this.peerConnection) {
      this.peerConnection.signalingState = 'closed';
      this.peerConnection = null;
    }
    if (this.dataChannel) {
      this.dataChannel.onclose = null;
      this.dataChannel = null;
    }
    if (!this.open) return;
    this.open = false;
    this.emit('close');
  }
}
