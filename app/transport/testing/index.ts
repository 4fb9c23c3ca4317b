/**
 * Test helpers of the transport: in-memory channels and a network of them
 * (links without PeerJS), a fake PeerJS DataConnection, and a LinkManager on
 * the in-memory network. Tests, benchmarks and e2e only.
 */
export { memoryChannelPair, MemoryChannel } from '../channel';
export { MemoryNetwork } from '../dialer';
export { memoryLinks, memoryLinksKeyed } from './memory-links';
export { FakeDataConnection, FakeDataChannel } from './fake-data-connection';
export { MemoryAttachHub, attachLinks, serverDown, wrtcPeerConnection, type AttachTap } from './memory-attach';
export { FakeRtc, FakeRtcDataChannel, FakeRtcPeerConnection } from './fake-rtc';
export { encodeAttach, decodeAttach, type AttachMessage } from '../attach-messages';
