/**
 * What a routed application message looks like inside and out once it is
 * encrypted for its target (the design is in message-routing.ts).
 *
 * Outside, for relays: `aid`, `to`, `from`, `spki` (the origin's node key,
 * whose hash is `from`), `at`, `eph` (the sender's conversation key), `box`,
 * `hops`, `sig` (the origin's node key over all but `hops`). Inside `box`,
 * sealed with AES-256-GCM under HKDF(ECDH(eph, target's agreement key)) and
 * authenticated together with the outside header: the canonical map
 * `{ aid, to, from, at, topic, body, bind? }`, padded to a bucket of
 * ROUTED_PAD_BUCKETS. `bind` is the sender's own agreement key with its node
 * key's signature, so the target can answer without asking for it.
 */
import {
  canonicalDecode,
  canonicalEncode,
  concatBytes,
  deriveSealingKey,
  equalBytes,
  openBytes,
  padToBucket,
  ROUTED_PAD_BUCKETS,
  sealBytes,
  unpadBucket,
  withinClockSkew,
} from '../identity';
import { MAX_APP_BODY_BYTES } from './constants';
import { isIdBytes, type Message } from './messages';

export type SealedAppMessage = Extract<Message, { t: 'app-sealed' }>;

/** A node's agreement key (65 raw bytes of an ECDH P-256 point) and its node key's signature over `bindingPayload`. */
export interface AgreementBinding {
  readonly key: Uint8Array;
  readonly sig: Uint8Array;
}

/**
 * A node's agreement key as others can check it without asking the node:
 * the binding and the node key (SPKI) that signed it, whose hash must be the
 * node's ID. Published in the node's SIP contact records (app/sip/dht-location.ts),
 * so a caller has the callee's key when its lookup returns the callee's nodes.
 */
export interface SignedAgreementKey extends AgreementBinding {
  readonly spki: Uint8Array;
}

/** Whether `v` has the shape of a SignedAgreementKey within the wire limits (key ≤ 128, sig and spki ≤ 512 bytes); nothing is verified. */
export function isSignedAgreementKey(v: unknown): v is SignedAgreementKey {
  if (!isBinding(v)) return false;
  const spki = (v as unknown as Record<string, unknown>)['spki'];
  return spki instanceof Uint8Array && spki.length <= 512;
}

/** The decrypted inside of a sealed routed message. */
export interface InnerMessage {
  readonly aid: number;
  readonly to: Uint8Array;
  readonly from: Uint8Array;
  readonly at: number;
  readonly topic: string;
  readonly body: Uint8Array;
  readonly bind?: AgreementBinding;
}

/** Why a sealed message was refused at its target; each is also the counter's name (`app-` + code). */
export type SealedRefusal = 'undecryptable' | 'bad-padding' | 'malformed-inner' | 'inner-mismatch' | 'bad-binding';

const SEALED_DOMAIN = 'p2p-sip/app-sealed/1';
const SIGNED_DOMAIN = 'p2p-sip/app-sealed-envelope/1';
const BINDING_DOMAIN = 'p2p-sip/agreement-key/1';

type Header = Pick<SealedAppMessage, 'aid' | 'to' | 'from' | 'at' | 'eph'>;

/** What the origin's node key signs: everything a relay sees but the hop count (which relays change). */
export function envelopeSigningPayload(m: Pick<SealedAppMessage, 'aid' | 'to' | 'from' | 'at' | 'eph' | 'box'>): Uint8Array {
  return canonicalEncode({ d: SIGNED_DOMAIN, aid: m.aid, to: m.to, from: m.from, at: m.at, eph: m.eph, box: m.box });
}

/** What a node key signs to bind an agreement key to node ID `node` (20 bytes). */
export function bindingPayload(node: Uint8Array, key: Uint8Array): Uint8Array {
  return canonicalEncode({ d: BINDING_DOMAIN, node, key });
}

/** The additional data AES-GCM authenticates: the header, so a box cannot move to another envelope. */
function aad(h: Header): Uint8Array {
  return canonicalEncode({ d: SEALED_DOMAIN, aid: h.aid, to: h.to, from: h.from, at: h.at, eph: h.eph });
}

/**
 * The AES key of the conversation from node `from` to node `to` whose sender
 * key is `eph` and whose target key is `targetKey` (both raw): HKDF salt is
 * both public keys, info names the purpose and both node IDs.
 */
export function conversationKey(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  from: Uint8Array,
  to: Uint8Array,
  eph: Uint8Array,
  targetKey: Uint8Array,
): Promise<CryptoKey> {
  return deriveSealingKey(privateKey, publicKey, concatBytes(eph, targetKey), canonicalEncode({ d: SEALED_DOMAIN, from, to }));
}

/** Encodes, pads and seals the inside of a message under its header. Throws RangeError when it fits no bucket. */
export async function sealInner(key: CryptoKey, inner: InnerMessage, eph: Uint8Array): Promise<Uint8Array> {
  const value = {
    aid: inner.aid,
    to: inner.to,
    from: inner.from,
    at: inner.at,
    topic: inner.topic,
    body: inner.body,
    ...(inner.bind ? { bind: { key: inner.bind.key, sig: inner.bind.sig } } : {}),
  };
  return sealBytes(key, padToBucket(canonicalEncode(value), ROUTED_PAD_BUCKETS), aad({ ...inner, eph }));
}

function isBinding(v: unknown): v is AgreementBinding {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  const b = v as Record<string, unknown>;
  return b['key'] instanceof Uint8Array && b['key'].length <= 128 && b['sig'] instanceof Uint8Array && b['sig'].length <= 512;
}

function isInner(v: unknown): v is InnerMessage {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  const m = v as Record<string, unknown>;
  return (
    typeof m['aid'] === 'number' &&
    isIdBytes(m['to']) &&
    isIdBytes(m['from']) &&
    typeof m['at'] === 'number' &&
    typeof m['topic'] === 'string' &&
    m['topic'].length <= 32 &&
    m['body'] instanceof Uint8Array &&
    m['body'].length <= MAX_APP_BODY_BYTES &&
    (m['bind'] === undefined || isBinding(m['bind']))
  );
}

/**
 * Opens a sealed message with its conversation key and checks what it
 * decrypts against the envelope (the same id, ends and time, and that time
 * within the tolerated skew of `now`). Returns the inside or why not; never throws.
 */
export async function openInner(key: CryptoKey, msg: SealedAppMessage, now: number): Promise<InnerMessage | SealedRefusal> {
  const padded = await openBytes(key, msg.box, aad(msg));
  if (!padded) return 'undecryptable';
  const encoded = unpadBucket(padded, ROUTED_PAD_BUCKETS);
  if (!encoded) return 'bad-padding';
  let inner: unknown;
  try {
    inner = canonicalDecode(encoded, { maxDepth: 3, maxItems: 16 });
  } catch {
    return 'malformed-inner';
  }
  if (!isInner(inner)) return 'malformed-inner';
  const same = inner.aid === msg.aid && equalBytes(inner.to, msg.to) && equalBytes(inner.from, msg.from) && inner.at === msg.at;
  if (!same || !withinClockSkew(inner.at, now)) return 'inner-mismatch';
  return inner;
}
