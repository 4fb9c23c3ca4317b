import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DataConnection } from 'peerjs';
import { peerJsChannel, releaseDataConnection } from './channel';
import { CLOSE_GRACE_MS } from './limits';
import { FakeDataConnection } from './testing/fake-data-connection';

const asPeerJs = (c: FakeDataConnection): DataConnection => c as unknown as DataConnection;

describe('closing a PeerJS link channel (issue 13: closed links must release their WebRTC connection)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the last frame and nothing else, closes the data channel, and the connection once that closes', () => {
    const conn = new FakeDataConnection();
    const dc = conn.dataChannel!;
    const channel = peerJsChannel(asPeerJs(conn));
    const closed = vi.fn();
    channel.onClose(closed);
    channel.send(new Uint8Array([1, 2, 3]));
    channel.close();
    expect(dc.sent.map((d) => (typeof d === 'string' ? `text: ${d}` : [...new Uint8Array(d)]))).toEqual([[1, 2, 3]]);
    expect(dc.closeCalls).toBe(1);
    dc.finishClosing();
    expect(conn.pc.signalingState).toBe('closed');
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it(`closes the RTCPeerConnection anyway when the data channel has not closed after ${CLOSE_GRACE_MS} ms`, () => {
    const conn = new FakeDataConnection();
    peerJsChannel(asPeerJs(conn)).close();
    vi.advanceTimersByTime(CLOSE_GRACE_MS - 1);
    expect(conn.pc.signalingState).not.toBe('closed');
    vi.advanceTimersByTime(1);
    expect(conn.pc.signalingState).toBe('closed');
  });

  it('closes a connection that never opened, or whose channel is already closing, at once; twice is harmless', () => {
    const unopened = new FakeDataConnection();
    unopened.open = false;
    unopened.dataChannel!.readyState = 'connecting';
    releaseDataConnection(asPeerJs(unopened));
    expect(unopened.pc.signalingState).toBe('closed');
    const closing = new FakeDataConnection();
    closing.dataChannel!.readyState = 'closing';
    const channel = peerJsChannel(asPeerJs(closing));
    channel.close();
    channel.close();
    expect(closing.pc.signalingState).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });
});
