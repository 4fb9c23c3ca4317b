/**
 * The bootstrap directory's record format. Every service peer that runs a
 * bootstrap endpoint (a PeerJS signaling server of its own, with the same
 * proof of key) publishes where it is in the DHT, so tabs can remember
 * several and come back through any of them when the signaling servers are
 * down. RELOAD's idea (RFC 6940 §11.4: a joining node contacts a bootstrap
 * node, then attaches through the overlay; §6.4.2.4 AppAttach), with the
 * list kept in the overlay itself instead of in a configuration document.
 *
 * Layout: one dictionary at `H("bootstrap:" + overlay)` (first 160 bits of
 * SHA-256), one entry per service peer, sub-key = its node ID, signed by
 * its node key, value = canonical `{ urls: string[] }` (1..4 signaling URLs
 * such as `http://198.51.100.7:9443/peerjs`), version = the writer's clock
 * (ms), expires ≤ version + BOOTSTRAP_TTL_MS. The writer refreshes it well
 * before it lapses.
 *
 * Everything read from the DHT is untrusted: `checkBootstrapEntry` refuses,
 * with a reason, an entry of the wrong kind, a sub-key that is no node ID,
 * a value too large or not in the layout above, a missing or bad signature,
 * an entry not signed by the node it names (nodeIdFromSpki(owner) must be
 * the sub-key, so nobody can advertise an endpoint under another node's
 * name), one that expired, and one whose expiry lies further ahead than the
 * TTL allows. A refused entry never hides the good ones beside it.
 */
import { canonicalDecode, canonicalEncode, isSurelyAhead, nodeIdFromSpki } from '../identity';
import { checkRecord, createRecord, isHexId, type RecordSigner, type RecordVerifier, type WireRecord } from '../overlay';
import { dhtKey } from '../sip';
import { parseServerUrl, type SignalingServerConfig } from '../transport';

/** How long a published entry lives (ms); the publisher refreshes it every BOOTSTRAP_REFRESH_MS. */
export const BOOTSTRAP_TTL_MS = 30 * 60_000;
/** How often a service peer writes its entry again (ms). */
export const BOOTSTRAP_REFRESH_MS = 10 * 60_000;
/** Most URLs one entry may name. */
export const MAX_BOOTSTRAP_URLS = 4;
/** Longest URL accepted, in UTF-16 code units (ASCII in practice). */
export const MAX_BOOTSTRAP_URL_LENGTH = 256;
/** Largest entry value accepted, in bytes. */
export const MAX_BOOTSTRAP_VALUE_BYTES = 1200;

/** One service peer's bootstrap endpoint, as read and checked. */
export interface BootstrapEntry {
  /** The service peer's node ID (40 lower-case hex digits). */
  nodeId: string;
  /** Its endpoint's URLs, as the signaling client takes them, each marked `bootstrap`. */
  servers: SignalingServerConfig[];
  /** When the entry was written (ms since the epoch, the writer's clock). */
  writtenAt: number;
  /** When it lapses (ms since the epoch, the writer's clock). */
  expires: number;
}

/** Why an entry was refused. */
export type BootstrapRefusal =
  | 'malformed'
  | 'wrong-kind'
  | 'not-a-node-id'
  | 'too-large'
  | 'unsigned'
  | 'bad-signature'
  | 'not-signed-by-its-node'
  | 'expired'
  | 'bad-expiry'
  | 'malformed-value'
  | 'bad-url';

/** The plain words for each refusal, for logs and the Network page. */
export const BOOTSTRAP_REFUSAL_WORDS: Record<BootstrapRefusal, string> = {
  malformed: 'it is not a well-formed record',
  'wrong-kind': 'it is not a dictionary entry',
  'not-a-node-id': 'its sub-key is not a node ID',
  'too-large': 'it is larger than a bootstrap entry may be',
  unsigned: 'it carries no signature',
  'bad-signature': 'its signature does not match',
  'not-signed-by-its-node': 'it is not signed by the node it names',
  expired: 'it has expired',
  'bad-expiry': 'its expiry lies further ahead than a bootstrap entry may',
  'malformed-value': 'its value is not a list of addresses',
  'bad-url': 'one of its addresses is not a usable signaling address',
};

/** The directory's DHT key for `overlay`: the first 160 bits of SHA-256("bootstrap:" + overlay). */
export function bootstrapKey(overlay: string): Promise<Uint8Array> {
  return dhtKey('bootstrap:', overlay);
}

/**
 * Parses bootstrap URLs as people and the DHT give them; each is marked as a
 * bootstrap endpoint. Throws ServerUrlError (from parseServerUrl) on a bad one.
 */
export function bootstrapServer(url: string): SignalingServerConfig {
  if (url.length > MAX_BOOTSTRAP_URL_LENGTH) throw new RangeError(`a bootstrap address is at most ${MAX_BOOTSTRAP_URL_LENGTH} characters`);
  return { ...parseServerUrl(url), bootstrap: true };
}

/**
 * Builds this service peer's signed entry: `urls` (1..4, checked as above),
 * written at `now` (ms) and lasting BOOTSTRAP_TTL_MS. `signer` is the node
 * key, whose node ID becomes the sub-key. Throws RangeError on bad URLs.
 */
export async function makeBootstrapEntry(signer: RecordSigner, overlay: string, urls: readonly string[], now: number): Promise<WireRecord> {
  if (urls.length === 0 || urls.length > MAX_BOOTSTRAP_URLS) throw new RangeError(`a bootstrap entry names 1 to ${MAX_BOOTSTRAP_URLS} addresses`);
  const normal = urls.map((u) => bootstrapServer(u).url);
  return createRecord(signer, {
    key: await bootstrapKey(overlay),
    kind: 'dict',
    sub: await nodeIdFromSpki(signer.spki),
    value: canonicalEncode({ urls: normal }),
    version: now,
    expires: now + BOOTSTRAP_TTL_MS,
  });
}

/** Reads the value's URLs; null when it is not `{ urls: string[] }` of 1..4 entries. */
function decodeUrls(value: Uint8Array): string[] | null {
  try {
    const v = canonicalDecode(value, { maxDepth: 2, maxItems: MAX_BOOTSTRAP_URLS + 1 }) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return null;
    const urls = v['urls'];
    if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_BOOTSTRAP_URLS) return null;
    return urls.every((u) => typeof u === 'string') ? (urls as string[]) : null;
  } catch {
    return null;
  }
}

/** Checks one record read from the directory at `now` (ms): the entry, or why it is refused. */
export async function checkBootstrapEntry(r: WireRecord, now: number, verifier: RecordVerifier): Promise<BootstrapEntry | { refused: BootstrapRefusal }> {
  if (r.kind !== 'dict') return { refused: 'wrong-kind' };
  if (!isHexId(r.sub) || r.sub !== r.sub.toLowerCase()) return { refused: 'not-a-node-id' };
  if (r.value.length > MAX_BOOTSTRAP_VALUE_BYTES) return { refused: 'too-large' };
  if (isSurelyAhead(r.expires, now, BOOTSTRAP_TTL_MS)) return { refused: 'bad-expiry' };
  const problem = await checkRecord(r, now, verifier);
  if (problem === 'unsigned' || problem === 'bad-signature' || problem === 'expired' || problem === 'bad-expiry' || problem === 'too-large') return { refused: problem };
  if (problem) return { refused: 'malformed' };
  if ((await nodeIdFromSpki(r.owner)) !== r.sub) return { refused: 'not-signed-by-its-node' };
  const urls = decodeUrls(r.value);
  if (!urls) return { refused: 'malformed-value' };
  const servers: SignalingServerConfig[] = [];
  for (const u of urls) {
    try {
      const s = bootstrapServer(u);
      if (!servers.some((x) => x.url === s.url)) servers.push(s);
    } catch {
      return { refused: 'bad-url' };
    }
  }
  return { nodeId: r.sub, servers, writtenAt: r.version, expires: r.expires };
}

/** What a read of the directory gave: the good entries, and each refused one with its sub-key and reason. */
export interface BootstrapRead {
  entries: BootstrapEntry[];
  refused: { sub: string; reason: BootstrapRefusal }[];
}

/** Checks every record of one read; a bad one is set aside with its reason and the rest are kept. */
export async function checkBootstrapEntries(records: readonly WireRecord[], now: number, verifier: RecordVerifier): Promise<BootstrapRead> {
  const out: BootstrapRead = { entries: [], refused: [] };
  for (const r of records) {
    const c = await checkBootstrapEntry(r, now, verifier);
    if ('refused' in c) out.refused.push({ sub: r.sub.slice(0, 80), reason: c.refused });
    else out.entries.push(c);
  }
  return out;
}
