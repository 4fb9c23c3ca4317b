/**
 * Reading session descriptions (SDP, RFC 8866) before anything acts on them:
 * whether an offer or answer can be used by a WebRTC peer at all, and what
 * it carries (which media, in which direction, RFC 3264 §5.1 and §6). The
 * parsing itself is sdp-transform's (the parser JsSIP uses); this module
 * checks the structure it returns, because sdp-transform skips lines it does
 * not understand instead of refusing them.
 */
import { parse, type MediaDescription } from 'sdp-transform';

/** RFC 3264 §5.1 directions, from the point of view of the side that wrote the description. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** What a description carries per kind; 'inactive' also when the kind is absent or its port is 0 (rejected). */
export interface SessionMedia {
  audio: MediaDirection;
  video: MediaDirection;
}

/** A description that can be used, with its media, or why it cannot (plain words, fit for a SIP reason phrase). */
export type SdpReading = { ok: true; media: SessionMedia } | { ok: false; reason: string };

/** More media sections than any call of ours has; a limit on the work an offer can ask for. */
export const MAX_MEDIA_SECTIONS = 16;
/** Lines an offer may have. A browser's audio+video offer has about 150; the parser tries every grammar rule on each line, so this bounds its work. */
export const MAX_SDP_LINES = 1000;

const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
/** WebRTC media is always DTLS-SRTP with RTCP feedback (RFC 8829 §5.1.2); older peers write the second form. */
const WEBRTC_PROTOCOLS = new Set(['UDP/TLS/RTP/SAVPF', 'RTP/SAVPF', 'TCP/DTLS/RTP/SAVPF', 'UDP/TLS/RTP/SAVP']);
/** RFC 8866 §5: every line is `<type>=<value>`, the type one lower-case letter, no space before the `=`. */
const LINE = /^[a-z]=[^\r\n]*$/;

/** Whether the side that wrote `d` sends media of that kind. */
export function sends(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly';
}

/** Whether the side that wrote `d` receives media of that kind. */
export function receives(d: MediaDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly';
}

/** Two sections of one kind act as one: it sends when either sends, receives when either receives. */
function merge(a: MediaDirection, b: MediaDirection): MediaDirection {
  const s = sends(a) || sends(b);
  const r = receives(a) || receives(b);
  return s && r ? 'sendrecv' : s ? 'sendonly' : r ? 'recvonly' : 'inactive';
}

function fail(reason: string): SdpReading {
  return { ok: false, reason };
}

/**
 * Reads an SDP offer or answer (the body of an INVITE, UPDATE, 2xx or ACK)
 * and says whether a browser can use it, before anyone is alerted or any
 * camera is opened. Checks the RFC 8866 grammar (every line `x=value`,
 * `v=0` first, `o=`, `s=`, `t=` present), at least one audio or video
 * section with a port, and, for each section in use, a WebRTC profile,
 * payload types, ICE credentials and a DTLS fingerprint (RFC 8829 §5.8).
 * Never throws: whatever the text, the answer is a reading.
 */
export function readSessionDescription(text: string): SdpReading {
  if (typeof text !== 'string' || text.trim() === '') return fail('the offer is empty');
  const lines = text.split(/\r\n|\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > MAX_SDP_LINES) return fail(`the offer has more than ${MAX_SDP_LINES} lines`);
  const bad = lines.findIndex((l) => !LINE.test(l));
  if (bad >= 0) return fail(`the offer is not SDP (line ${bad + 1} is not a type=value line)`);
  if (lines[0] !== 'v=0') return fail('the offer is not SDP version 0 (it must start with v=0)');
  let sdp: ReturnType<typeof parse>;
  try {
    sdp = parse(text);
  } catch {
    return fail('the offer is not SDP');
  }
  if (!sdp.origin) return fail('the offer has no valid origin (o=) line');
  if (!lines.some((l) => l.startsWith('s='))) return fail('the offer has no session name (s=) line');
  if (!sdp.timing) return fail('the offer has no valid timing (t=) line');
  const sections = sdp.media ?? [];
  if (sections.length === 0) return fail('the offer has no media');
  if (sections.length > MAX_MEDIA_SECTIONS) return fail(`the offer has more than ${MAX_MEDIA_SECTIONS} media sections`);
  const media: SessionMedia = { audio: 'inactive', video: 'inactive' };
  const sessionDirection = DIRECTIONS.has(String(sdp.direction)) ? (sdp.direction as MediaDirection) : 'sendrecv';
  for (const [i, m] of sections.entries()) {
    const problem = sectionProblem(m, sdp);
    if (problem) return fail(`media section ${i + 1}: ${problem}`);
    if ((m.type !== 'audio' && m.type !== 'video') || m.port === 0) continue;
    const direction = m.direction && DIRECTIONS.has(m.direction) ? m.direction : sessionDirection;
    media[m.type] = merge(media[m.type], direction);
  }
  if (!sections.some((m) => (m.type === 'audio' || m.type === 'video') && m.port !== 0)) return fail('the offer has no sound or video');
  return { ok: true, media };
}

type Session = ReturnType<typeof parse>;

/** What is wrong with one m= section, or null. Sections with port 0 are rejected ones (RFC 3264 §6) and need no more. */
function sectionProblem(m: MediaDescription, sdp: Session): string | null {
  if (typeof m.type !== 'string' || m.type === '') return 'its m= line cannot be read';
  if (!Number.isInteger(m.port) || m.port < 0 || m.port > 65535) return 'its port is not a number from 0 to 65535';
  if (m.port === 0) return null;
  if (m.type !== 'audio' && m.type !== 'video') return null;
  if (!WEBRTC_PROTOCOLS.has(String(m.protocol))) return `its transport ${String(m.protocol)} is not WebRTC's (UDP/TLS/RTP/SAVPF)`;
  const payloads = String(m.payloads ?? '').trim();
  if (!/^\d{1,3}( \d{1,3})*$/.test(payloads) || payloads.split(' ').some((p) => Number(p) > 127)) return 'its payload types are not numbers from 0 to 127';
  if (!(m.iceUfrag ?? sdp.iceUfrag) || !(m.icePwd ?? sdp.icePwd)) return 'it has no ICE credentials';
  if (!(m.fingerprint ?? sdp.fingerprint)) return 'it has no DTLS fingerprint';
  return null;
}

/** What a call carries once its offer is answered, the same on both sides, and whether this side's camera is sent. */
export interface NegotiatedMedia {
  /** Video flows in at least one direction. */
  video: boolean;
  /** This side sends video (its camera). */
  camera: boolean;
}

/**
 * Reads the answer of an offer/answer exchange (RFC 3264 §6): both sides see
 * the same answer, so both say the same about video. `role` is this side's
 * part in the exchange; the answer's directions are the answerer's.
 */
export function negotiatedMedia(answer: SessionMedia, role: 'offerer' | 'answerer'): NegotiatedMedia {
  return { video: answer.video !== 'inactive', camera: role === 'answerer' ? sends(answer.video) : receives(answer.video) };
}
