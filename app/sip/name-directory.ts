/**
 * Names on the DHT (DESIGN.md, Identity): the record at H("user:" + name)
 * binds a name to a person's signing key and ECDH key, signed by that key,
 * first come first served. The default access rule keeps a live record in
 * its owner's hands, so a second person's claim is refused by the replicas;
 * a claim that nobody refreshes lapses after CLAIM_TTL_MS.
 */
import { canonicalDecode, canonicalEncode, equalBytes, sha256, utf8 } from '../identity';
import { LookupError, createRecord, getRecords, putRecord, type OverlayNode, type RecordSigner, type WireRecord } from '../overlay';
import { NameTakenError, OverlayTimeoutError } from './errors';

/** What a name stands for. */
export interface NameClaim {
  readonly name: string;
  readonly signingSpki: Uint8Array;
  readonly ecdhSpki: Uint8Array;
}

/** A claim lives this long after its last refresh. */
export const CLAIM_TTL_MS = 30 * 24 * 3600_000;
/** A claim older than this is refreshed on start. */
const REFRESH_AFTER_MS = 24 * 3600_000;

/** Lower-case letters, digits, dot, dash and underscore; starts with a letter or digit; 1..32 long. */
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/** Why `name` cannot be a name, in words; null when it can. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'Type a name.';
  if (name.length > 32) return 'A name can be at most 32 characters long.';
  if (!NAME_RE.test(name)) return 'A name uses lower-case letters, digits, dots, dashes and underscores, and starts with a letter or a digit.';
  return null;
}

export async function dhtKey(prefix: string, name: string): Promise<Uint8Array> {
  return (await sha256(utf8(prefix + name))).slice(0, 20);
}

function decodeClaim(r: WireRecord, name: string): NameClaim | null {
  try {
    const v = canonicalDecode(r.value, { maxDepth: 2, maxItems: 8 }) as Record<string, unknown>;
    if (v['v'] !== 1 || v['name'] !== name) return null;
    const sign = v['sign'];
    const ecdh = v['ecdh'];
    if (!(sign instanceof Uint8Array) || !(ecdh instanceof Uint8Array) || ecdh.length > 256) return null;
    // The key named inside must be the key that signed it.
    if (!equalBytes(sign, r.owner)) return null;
    return { name, signingSpki: sign, ecdhSpki: ecdh };
  } catch {
    return null;
  }
}

function asTimeout(e: unknown): never {
  if (e instanceof LookupError) throw new OverlayTimeoutError('the network did not answer in time');
  throw e;
}

/** How long a claim found is reused, and how many are kept. */
const CLAIM_CACHE_MS = 60_000;
const CLAIM_CACHE_ENTRIES = 256;

export class NameDirectory {
  private readonly recent = new Map<string, { claim: NameClaim; until: number }>();

  constructor(
    private readonly node: OverlayNode,
    private readonly signer: RecordSigner,
    private readonly ecdhSpki: Uint8Array,
  ) {}

  /**
   * The claim on `name`, or null when nobody holds it. Throws
   * OverlayTimeoutError. A claim found lately is reused (a live claim cannot
   * change hands), so a call costs one name lookup, not one per check.
   */
  async resolve(name: string, opts: { fresh?: boolean } = {}): Promise<NameClaim | null> {
    const now = this.node.clock.now();
    const hit = this.recent.get(name);
    if (!opts.fresh && hit && hit.until > now) return hit.claim;
    const key = await dhtKey('user:', name);
    const records = await getRecords(this.node, key).catch(asTimeout);
    for (const r of records) {
      const claim = decodeClaim(r, name);
      if (!claim) continue;
      this.recent.delete(name);
      this.recent.set(name, { claim, until: Math.min(r.expires, now + CLAIM_CACHE_MS) });
      if (this.recent.size > CLAIM_CACHE_ENTRIES) this.recent.delete(this.recent.keys().next().value!);
      return claim;
    }
    return null;
  }

  /**
   * Claims `name` for this person, or refreshes their claim. Throws
   * NameTakenError when it is someone else's, OverlayTimeoutError when the
   * network does not answer.
   */
  async claim(name: string): Promise<void> {
    const problem = nameProblem(name);
    if (problem) throw new RangeError(problem);
    const key = await dhtKey('user:', name);
    const now = this.node.clock.now();
    const existing = (await getRecords(this.node, key).catch(asTimeout)).find((r) => decodeClaim(r, name));
    if (existing && !equalBytes(existing.owner, this.signer.spki)) throw new NameTakenError(`the name ${name} is taken by someone else`);
    if (existing && existing.expires - CLAIM_TTL_MS > now - REFRESH_AFTER_MS) return;
    const record = await createRecord(this.signer, {
      key,
      kind: 'single',
      value: canonicalEncode({ v: 1, name, sign: this.signer.spki, ecdh: this.ecdhSpki }),
      version: now,
      expires: now + CLAIM_TTL_MS,
    });
    const result = await putRecord(this.node, record).catch(asTimeout);
    if (Object.values(result.refused).includes('wrong-owner')) throw new NameTakenError(`the name ${name} is taken by someone else`);
    if (result.stored.length === 0) throw new OverlayTimeoutError('no peer stored the name');
    // Two people claiming at the same moment at different replicas: the replicas
    // converge on one, so read back and let the loser know.
    const after = await this.resolve(name, { fresh: true });
    if (after && !equalBytes(after.signingSpki, this.signer.spki)) throw new NameTakenError(`the name ${name} is taken by someone else`);
  }
}
