/**
 * An in-memory RTCPeerConnection and RTCDataChannel: just what overlay link
 * signaling (attach.ts, rtc-channel.ts) uses of them, with the delivery
 * order made deterministic, for tests.
 *
 * An offer's SDP names the connection that made it; setting the answer on
 * the dialer connects the pair in one later macrotask, in the order
 * libwebrtc (as in @roamhq/wrtc) can hand it to JavaScript as one batch with
 * no microtask checkpoint in between:
 * 1. the answering side's `datachannel` event, its channel already open (as
 *    @roamhq/wrtc reports it); what that side sends at once is held for the
 *    dialer's channel, which is still connecting;
 * 2. the dialer's channel `open` event, and right after it, in the same
 *    turn, the held messages as `message` events.
 * Later messages arrive one macrotask after they were sent, in order.
 * `createPeerConnection` of OverlayAttach takes `fakeRtc().factory`.
 */
import type { PeerConnectionFactory } from '../rtc-channel';

const OFFER_PREFIX = 'v=0 fake-offer ';
const ANSWER_PREFIX = 'v=0 fake-answer ';

function event<T extends object>(type: string, fields?: T): Event & T {
  return Object.assign(new Event(type), fields);
}

/** One end of a fake data channel pair. */
export class FakeRtcDataChannel extends EventTarget {
  readyState: RTCDataChannelState = 'connecting';
  binaryType: BinaryType = 'blob';
  readonly bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  peer: FakeRtcDataChannel | null = null;
  /** Messages that came while this end was still connecting. */
  private readonly held: ArrayBuffer[] = [];

  constructor(readonly label: string) {
    super();
  }

  /** Sends bytes to the far end; throws, as a real channel does, unless open. */
  send(data: ArrayBuffer | ArrayBufferView): void {
    if (this.readyState !== 'open') throw new DOMException('the data channel is not open', 'InvalidStateError');
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer : data.slice(0);
    this.peer?.arrive(bytes);
  }

  close(): void {
    if (this.readyState === 'closed' || this.readyState === 'closing') return;
    this.readyState = 'closing';
    setTimeout(() => {
      this.shut();
      this.peer?.shut();
    }, 0);
  }

  /** Opens this end and, in the same turn, delivers what came while it was connecting. */
  open(): void {
    if (this.readyState !== 'connecting') return;
    this.readyState = 'open';
    this.dispatchEvent(event('open'));
    for (const data of this.held.splice(0)) this.dispatchEvent(event('message', { data }));
  }

  /** Marks this end open without an event (the answering side's channel, open when it is announced). */
  openQuietly(): void {
    this.readyState = 'open';
  }

  private arrive(data: ArrayBuffer): void {
    if (this.readyState === 'connecting') this.held.push(data);
    else if (this.readyState === 'open') setTimeout(() => this.readyState === 'open' && this.dispatchEvent(event('message', { data })), 0);
  }

  private shut(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.dispatchEvent(event('close'));
  }
}

/** A fake peer connection; made through a FakeRtc, which pairs offers with answers. */
export class FakeRtcPeerConnection extends EventTarget {
  localDescription: RTCSessionDescriptionInit | null = null;
  iceGatheringState: RTCIceGatheringState = 'new';
  connectionState: RTCPeerConnectionState = 'new';
  private readonly channels: FakeRtcDataChannel[] = [];
  private offerer: FakeRtcPeerConnection | null = null;

  constructor(
    private readonly rtc: FakeRtc,
    readonly serial: number,
  ) {
    super();
  }

  createDataChannel(label: string): FakeRtcDataChannel {
    const dc = new FakeRtcDataChannel(label);
    this.channels.push(dc);
    return dc;
  }

  createOffer(): Promise<RTCSessionDescriptionInit> {
    return Promise.resolve({ type: 'offer', sdp: `${OFFER_PREFIX}${this.serial}` });
  }

  createAnswer(): Promise<RTCSessionDescriptionInit> {
    return Promise.resolve({ type: 'answer', sdp: `${ANSWER_PREFIX}${this.serial}` });
  }

  setLocalDescription(d: RTCSessionDescriptionInit): Promise<void> {
    this.localDescription = d;
    // Gathering has nothing to find in memory.
    this.iceGatheringState = 'complete';
    return Promise.resolve();
  }

  /** Takes an offer (rejects one no fake connection made) or, on the dialer, the answer that connects the pair. */
  setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    const prefix = d.type === 'offer' ? OFFER_PREFIX : ANSWER_PREFIX;
    const other = d.sdp?.startsWith(prefix) ? this.rtc.connection(Number(d.sdp.slice(prefix.length))) : undefined;
    if (!other || this.connectionState === 'closed') return Promise.reject(new DOMException('the SDP is not one this fake made', 'OperationError'));
    if (d.type === 'offer') this.offerer = other;
    else if (other.offerer === this) setTimeout(() => this.connect(other), 0);
    return Promise.resolve();
  }

  close(): void {
    if (this.connectionState === 'closed') return;
    this.connectionState = 'closed';
    for (const dc of this.channels) dc.close();
    this.dispatchEvent(event('connectionstatechange'));
  }

  /** Runs the connected batch (see the header) from the dialer's side. */
  private connect(answerer: FakeRtcPeerConnection): void {
    if (this.connectionState === 'closed' || answerer.connectionState === 'closed') return;
    const pairs = this.channels.map((mine) => {
      const theirs = answerer.createDataChannel(mine.label);
      mine.peer = theirs;
      theirs.peer = mine;
      return [mine, theirs] as const;
    });
    for (const pc of [this, answerer]) pc.connectionState = 'connected';
    for (const [, theirs] of pairs) {
      theirs.openQuietly();
      answerer.dispatchEvent(event('datachannel', { channel: theirs }));
    }
    for (const [mine] of pairs) mine.open();
  }
}

/** A switchboard of fake peer connections. */
export class FakeRtc {
  private readonly made = new Map<number, FakeRtcPeerConnection>();
  private next = 1;

  /** The PeerConnectionFactory to hand OverlayAttach. */
  readonly factory: PeerConnectionFactory = () => {
    const pc = new FakeRtcPeerConnection(this, this.next++);
    this.made.set(pc.serial, pc);
    return pc as unknown as RTCPeerConnection;
  };

  connection(serial: number): FakeRtcPeerConnection | undefined {
    return this.made.get(serial);
  }

  /** Every connection made so far. */
  connections(): FakeRtcPeerConnection[] {
    return [...this.made.values()];
  }
}
