/**
 * Records as DESIGN.md (Storage) defines them: signed by their owner,
 * checked on every write and every read. One type serves the wire, the store
 * and persistence, so nothing is converted on the hot path.
 */
import { canonicalEncode, compareBytes, fitsUtf8, hasSurelyExpired, isSurelyAhead, MAX_SPKI_BYTES, toHex, utf8Length } from '../../identity';
import { MAX_BLOB_BYTES, MAX_SUBKEY_BYTES, MAX_TTL_MS, MAX_VALUE_BYTES } from '../constants';
import { bytesToHexId, ID_BYTES } from '../id';

/**
 * - `single`: one value per key.
 * - `dict`: many entries per key, each with its own sub-key, owner, version and signature.
 * - `blob`: immutable bytes whose key is the first 160 bits of their SHA-256.
 */
export type RecordKind = 'single' | 'dict' | 'blob';

export interface WireRecord {
  /** The 160-bit DHT key. */
  readonly k: Uint8Array;
  readonly kind: RecordKind;
  /** Sub-key of a dictionary entry; '' for single values and blobs. */
  readonly sub: string;
  /** SPKI of the owner's ECDSA P-256 key. */
  readonly owner: Uint8Array;
  readonly value: Uint8Array;
  /** Higher wins when replicas merge. */
  readonly version: number;
  /**
   * Milliseconds since the epoch, by the writer's clock, after which every node drops the
   * record; readers honour it for MAX_CLOCK_SKEW_MS more (identity/clock-skew.ts).
   */
  readonly expires: number;
  /** Owner's signature over `signingPayload(record)`. */
  readonly sig: Uint8Array;
}

/** Why a write or a read was refused. */
export type RefusalReason =
  | 'malformed'
  | 'unsigned'
  | 'bad-signature'
  | 'bad-blob-hash'
  | 'wrong-owner'
  | 'expired'
  | 'bad-expiry'
  | 'too-large'
  | 'over-quota'
  | 'wrong-kind'
  | 'nothing-to-delete'
  | 'not-replica';

/** Signs bytes as the owner; what `createRecord` needs. */
export interface RecordSigner {
  readonly spki: Uint8Array;
  sign(payload: Uint8Array): Promise<Uint8Array>;
}

/** What a node needs to check records; injected so a simulator can use a cheap one. */
export interface RecordVerifier {
  verify(spki: Uint8Array, payload: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** SHA-256 of the bytes (blob keys). */
  digest(bytes: Uint8Array): Promise<Uint8Array>;
}

const KINDS: ReadonlySet<string> = new Set(['single', 'dict', 'blob']);
const DOMAIN = 'p2p-sip/overlay-record/1';

/** Shape only: types and hard bounds; semantic checks come in `checkRecord`. */
export function isWireRecord(v: unknown): v is WireRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false;
  const r = v as Record<string, unknown>;
  return (
    r['k'] instanceof Uint8Array &&
    r['k'].length === ID_BYTES &&
    typeof r['kind'] === 'string' &&
    KINDS.has(r['kind']) &&
    typeof r['sub'] === 'string' &&
    fitsUtf8(r['sub'], 4 * MAX_SUBKEY_BYTES) &&
    r['owner'] instanceof Uint8Array &&
    r['owner'].length <= 4 * MAX_SPKI_BYTES &&
    r['value'] instanceof Uint8Array &&
    typeof r['version'] === 'number' &&
    Number.isSafeInteger(r['version']) &&
    r['version'] >= 0 &&
    typeof r['expires'] === 'number' &&
    Number.isSafeInteger(r['expires']) &&
    r['sig'] instanceof Uint8Array &&
    r['sig'].length <= 512 &&
    Object.keys(r).length === 8
  );
}

/** The bytes the owner signs: every field but the signature, under a domain tag. */
export function signingPayload(r: Omit<WireRecord, 'sig'>): Uint8Array {
  return canonicalEncode({
    d: DOMAIN,
    k: r.k,
    kind: r.kind,
    sub: r.sub,
    owner: r.owner,
    value: r.value,
    version: r.version,
    expires: r.expires,
  });
}

/** Identity of a stored entry: key and sub-key. */
export function entryId(r: Pick<WireRecord, 'k' | 'sub'>): string {
  return bytesToHexId(r.k) + '/' + r.sub;
}

export function ownerId(r: Pick<WireRecord, 'owner'>): string {
  return toHex(r.owner);
}

/** Bytes a record costs against its owner's quota (the sub-key in UTF-8, as stored). */
export function recordCost(r: WireRecord): number {
  return r.value.length + utf8Length(r.sub) + 64;
}

/**
 * The merge order: higher version wins, then the greater signature bytes.
 * Total on distinct records, so every replica picks the same winner.
 */
export function compareRecords(a: WireRecord, b: WireRecord): number {
  if (a.version !== b.version) return a.version - b.version;
  return compareBytes(a.sig, b.sig);
}

/** Checks that need no crypto. */
export function checkRecordStatic(r: WireRecord, now: number): RefusalReason | null {
  const maxValue = r.kind === 'blob' ? MAX_BLOB_BYTES : MAX_VALUE_BYTES;
  if (r.value.length > maxValue || !fitsUtf8(r.sub, MAX_SUBKEY_BYTES)) return 'too-large';
  if (r.kind !== 'dict' && r.sub !== '') return 'malformed';
  if (r.owner.length === 0 || r.owner.length > MAX_SPKI_BYTES) return 'malformed';
  if (r.sig.length === 0) return 'unsigned';
  // The writer's clock may be off from ours by the tolerated skew either way.
  if (hasSurelyExpired(r.expires, now)) return 'expired';
  if (isSurelyAhead(r.expires, now, MAX_TTL_MS)) return 'bad-expiry';
  return null;
}

/** Every check on one record alone: static checks, signature, blob hash. */
export async function checkRecord(r: WireRecord, now: number, verifier: RecordVerifier): Promise<RefusalReason | null> {
  const problem = checkRecordStatic(r, now);
  if (problem) return problem;
  // An empty blob is a tombstone: it has no bytes to hash, and the access rule lets only the live blob's owner write it.
  if (r.kind === 'blob' && r.value.length > 0) {
    const hash = await verifier.digest(r.value);
    if (compareBytes(hash.subarray(0, ID_BYTES), r.k) !== 0) return 'bad-blob-hash';
  }
  const ok = await verifier.verify(r.owner, signingPayload(r), r.sig);
  return ok ? null : 'bad-signature';
}

export interface RecordFields {
  key: Uint8Array;
  kind: RecordKind;
  sub?: string;
  value: Uint8Array;
  version: number;
  expires: number;
}

/** Builds and signs a record as its owner. */
export async function createRecord(signer: RecordSigner, f: RecordFields): Promise<WireRecord> {
  const unsigned = { k: f.key, kind: f.kind, sub: f.sub ?? '', owner: signer.spki, value: f.value, version: f.version, expires: f.expires };
  return { ...unsigned, sig: await signer.sign(signingPayload(unsigned)) };
}

/** The key of a blob: the first 160 bits of SHA-256 over its bytes. */
export async function blobKey(bytes: Uint8Array, verifier: Pick<RecordVerifier, 'digest'>): Promise<Uint8Array> {
  return (await verifier.digest(bytes)).slice(0, ID_BYTES);
}
