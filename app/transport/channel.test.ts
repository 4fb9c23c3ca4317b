import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DataConnection } from 'peerjs';
import { memoryChannelPair, peerJsChannel, releaseDataConnection, type Channel } from './channel';
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

describe('a channel whose link is built after it opened (Channel.onData, onClose)', () => {
  // Each kind, with a way to make bytes arrive from the far side and to close it from there.
  const kinds: [string, () => { ch: Channel; arrive: (b: number[]) => void; shut: () => void }][] = [
    [
      'in memory',
      () => {
        const [near, far] = memoryChannelPair('a'.repeat(40), 'b'.repeat(40));
        return { ch: near, arrive: (b) => near.deliver(new Uint8Array(b)), shut: () => far.close() };
      },
    ],
    [
      'PeerJS',
      () => {
        const conn = new FakeDataConnection();
        return { ch: peerJsChannel(asPeerJs(conn)), arrive: (b) => conn.emit('data', new Uint8Array(b).buffer), shut: () => conn.emit('close') };
      },
    ],
  ];

  for (const [kind, make] of kinds) {
    it(`${kind}: hands the listener what came before it, first and in order, and tells a late close listener`, async () => {
      const { ch, arrive, shut } = make();
      arrive([1]);
      arrive([2]);
      const got: number[] = [];
      ch.onData((b) => got.push(...b));
      arrive([3]);
      await Promise.resolve();
      arrive([4]);
      expect(got).toEqual([1, 2, 3, 4]);
      shut();
      await Promise.resolve();
      const closed = vi.fn();
      ch.onClose(closed);
      await Promise.resolve();
      expect(closed).toHaveBeenCalledTimes(1);
    });
  }
});
