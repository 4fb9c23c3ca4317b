/**
 * Test helpers of sip: an in-memory SipNetwork that delivers between UAs
 * without an overlay, forged requests, and the WebRTC globals for Node.
 * Tests only.
 */
export { MemorySipOverlay } from './memory-sip';
export { forgedMessage } from './forged';
export { installNodeWebRtc } from './node-webrtc';
export { when, type Subscribe } from './when';
