/**
 * The wire form of overlay link signaling (attach.ts), after RELOAD's
 * AppAttach request and answer (RFC 6940 §6.5.1): an offer carries the
 * dialer's whole SDP with every ICE candidate it gathered (no trickle), the
 * answer the far side's, both under one fresh attach id. A refusal says why
 * the far side will not answer. Canonical encoding, checked field by field:
 * these bytes come from another peer.
 */
import { canonicalDecode, canonicalEncode, type CanonicalValue } from '../identity';

/** Bytes in an attach id: random per offer, so a replayed offer is recognised. */
export const ATTACH_ID_BYTES = 16;
/** Largest SDP an offer or answer may carry, in UTF-8 bytes (a data-channel SDP with a few dozen candidates is 1–3 KiB). */
export const MAX_ATTACH_SDP_BYTES = 16 * 1024;

/** Why a far side turned an offer down. */
export type AttachRefusal = 'busy' | 'bad-offer';

export type AttachMessage =
  | { t: 'offer'; id: Uint8Array; sdp: string }
  | { t: 'answer'; id: Uint8Array; sdp: string }
  | { t: 'refuse'; id: Uint8Array; why: AttachRefusal };

export function encodeAttach(m: AttachMessage): Uint8Array {
  return canonicalEncode(m as unknown as CanonicalValue);
}

const REFUSALS: ReadonlySet<string> = new Set<AttachRefusal>(['busy', 'bad-offer']);

/** Reads an attach message; null when the bytes are not one (malformed, unknown type, wrong fields, SDP too big). */
export function decodeAttach(bytes: Uint8Array): AttachMessage | null {
  let v: CanonicalValue;
  try {
    v = canonicalDecode(bytes, { maxDepth: 2, maxItems: 8 });
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return null;
  const m = v as Record<string, CanonicalValue | undefined>;
  const { t, id } = m;
  if (!(id instanceof Uint8Array) || id.length !== ATTACH_ID_BYTES) return null;
  const keys = Object.keys(m).sort().join(',');
  if (t === 'offer' || t === 'answer') {
    if (keys !== 'id,sdp,t' || typeof m['sdp'] !== 'string') return null;
    const sdp = m['sdp'];
    if (sdp.length === 0 || new TextEncoder().encode(sdp).length > MAX_ATTACH_SDP_BYTES) return null;
    return { t, id, sdp };
  }
  if (t === 'refuse') {
    if (keys !== 'id,t,why' || typeof m['why'] !== 'string' || !REFUSALS.has(m['why'])) return null;
    return { t, id, why: m['why'] as AttachRefusal };
  }
  return null;
}
