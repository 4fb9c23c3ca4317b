/**
 * The byte pipe of a link whose WebRTC session was signaled through the
 * overlay (attach.ts): a plain RTCPeerConnection and one reliable, ordered
 * RTCDataChannel, wrapped to the same Channel contract as a PeerJS data
 * connection, so the link handshake and the link manager treat both alike.
 */
import { CloseListeners, HeldData, type Channel, type LinkVia } from './channel';
import { CLOSE_GRACE_MS } from './limits';

/** Makes an RTCPeerConnection: the browser's in a tab, @roamhq/wrtc's in Node (tests, the service peer). */
export type PeerConnectionFactory = (config: RTCConfiguration) => RTCPeerConnection;

/** The platform's RTCPeerConnection (a global in browsers; installed by webrtc-env.ts in Node). */
export const platformPeerConnection: PeerConnectionFactory = (config) => new RTCPeerConnection(config);

/**
 * Resolves once ICE gathering is complete, or after `capMs` with what was
 * gathered by then. RELOAD's AppAttach (RFC 6940 §6.5.1.1) carries all of a
 * node's candidates in one message rather than trickling them, which costs
 * one routed message each way instead of one per candidate; on a network
 * with a slow STUN/TURN server the cap keeps a dial from waiting on it.
 */
export function gatheringDone(pc: RTCPeerConnection, capMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      pc.removeEventListener('icecandidate', onCandidate);
      resolve();
    };
    const check = (): void => {
      if (pc.iceGatheringState === 'complete') done();
    };
    // Some stacks signal the end of gathering only with a null candidate.
    const onCandidate = (e: RTCPeerConnectionIceEvent): void => {
      if (e.candidate === null) done();
    };
    const timer = setTimeout(done, capMs);
    pc.addEventListener('icegatheringstatechange', check);
    pc.addEventListener('icecandidate', onCandidate);
  });
}

/**
 * Closes the data channel (its closing procedure still sends what is queued,
 * W3C WebRTC §6.2 close()) and the peer connection after it, or after
 * `graceMs` when the channel does not report its close.
 */
export function releasePeerConnection(pc: RTCPeerConnection, dc: RTCDataChannel | null, graceMs = CLOSE_GRACE_MS): void {
  const closePc = (): void => {
    try {
      pc.close();
    } catch {
      // already closed
    }
  };
  if (!dc || dc.readyState !== 'open') {
    try {
      dc?.close();
    } catch {
      // never opened
    }
    closePc();
    return;
  }
  const timer = setTimeout(closePc, graceMs);
  dc.addEventListener('close', () => {
    clearTimeout(timer);
    closePc();
  });
  dc.close();
}

/**
 * Wraps a data channel (binaryType set to arraybuffer here) as a Channel.
 * Call it as soon as the channel exists, before it opens: from that moment
 * every message is kept, and the messages that arrive before the link
 * registers its `onData` listener are handed to that listener first, in
 * order. The far side's hello can arrive in the same turn as this side's
 * `open` event (libwebrtc, as in @roamhq/wrtc, hands JavaScript a batch of
 * events with no microtask checkpoint between them), while the dialer only
 * builds its link a few awaits later; a hello dropped there made the far
 * side's proof arrive "out of turn" and failed the link. `remoteId` is the
 * node ID the far side's routed, signed offer or answer came from; the link
 * handshake still makes it prove that key.
 */
export function rtcChannel(pc: RTCPeerConnection, dc: RTCDataChannel, remoteId: string, via: LinkVia): Channel {
  dc.binaryType = 'arraybuffer';
  let closing = false;
  const closes = new CloseListeners();
  const data = new HeldData();
  dc.addEventListener('message', (e: MessageEvent) => data.arrive(bytesOf(e.data)));
  const fireClose = (): void => closes.fire();
  dc.addEventListener('close', fireClose);
  dc.addEventListener('error', fireClose);
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed' || pc.connectionState === 'closed') fireClose();
  });
  return {
    remoteId,
    via,
    get bufferedAmount() {
      return dc.bufferedAmount;
    },
    send(bytes) {
      if (dc.readyState !== 'open') return;
      try {
        dc.send(bytes.buffer.byteLength === bytes.length && bytes.byteOffset === 0 ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer);
      } catch {
        // A channel closing under us: its close event ends the link.
      }
    },
    close() {
      if (closing) return;
      closing = true;
      releasePeerConnection(pc, dc);
    },
    onData(fn) {
      data.listen(fn);
    },
    onClose(fn) {
      closes.listen(fn);
    },
    onDrain(threshold, fn) {
      dc.bufferedAmountLowThreshold = threshold;
      dc.addEventListener('bufferedamountlow', fn);
    },
  };
}

/** A data channel message's bytes; text (which no link frame is) becomes no bytes, which the link refuses as a malformed frame. */
function bytesOf(d: unknown): Uint8Array {
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint8Array(0);
}
