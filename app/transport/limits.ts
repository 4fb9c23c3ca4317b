/** Size and timing limits of a data link. Explicit constants (DESIGN.md, Bad input). */

/** Largest frame accepted from a peer; anything larger closes the link. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Payload bytes per chunk: 16 KiB is the size every WebRTC stack passes whole. */
export const CHUNK_BYTES = 16 * 1024;
/** Largest message (before chunking) a link carries, e.g. a video-mail fragment. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Sending pauses while the data channel buffers more than this… */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** …and resumes when it has drained below this. */
export const LOW_WATER_BYTES = 256 * 1024;
/** Bytes waiting in a link's own send queue before send() refuses more. */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/** A ping goes out when nothing has been heard for this long. @default 2000 */
export const KEEPALIVE_MS = 2000;
/** A link whose pings go unanswered this many times is dead. @default 3 */
export const KEEPALIVE_MISSES = 3;
/**
 * After this tab ran nothing for longer than a far side waits before it drops
 * a silent link (KEEPALIVE_MS × (KEEPALIVE_MISSES + 1): a hung renderer, a
 * suspended machine), a link whose far side does not answer a ping within
 * this is closed and re-made. @default 1500 (one RPC hop's timeout)
 */
export const RESUME_CHECK_MS = 1500;
/** The handshake must finish within this (the permission question has its own, longer timeout). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long a permission decision may take before the link gives up. */
export const PERMISSION_TIMEOUT_MS = 45_000;
/**
 * How long a closing link's data channel may take to send what it holds and
 * close by itself before its RTCPeerConnection is closed anyway.
 * @default 1000
 */
export const CLOSE_GRACE_MS = 1000;
/** An offered data connection that has not opened in this long is closed (the dialer gave up at its own timeout). */
export const INCOMING_OPEN_TIMEOUT_MS = 15_000;
