/**
 * Names on the DHT (DESIGN.md, Identity): the record at H("user:" + name)
 * binds a name to a person's signing key and ECDH key, signed by that key,
 * first come first served. The default access rule keeps a live record in
 * its owner's hands, so a second person's claim is refused by the replicas;
 * a claim that nobody refreshes lapses after CLAIM_TTL_MS.
 */
import { canonicalDecode, canonicalEncode, equalBytes, honouredUntil, sha256, toBase64Url, utf8 } from '../identity';
import { LookupError, compareRecords, createRecord, type OverlayNode, type RecordSigner, type WireRecord } from '../overlay';
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
    const found = await this.read(name);
    if (!found) return null;
    this.recent.delete(name);
    this.recent.set(name, { claim: found.claim, until: Math.min(honouredUntil(found.record.expires), now + CLAIM_CACHE_MS) });
    if (this.recent.size > CLAIM_CACHE_ENTRIES) this.recent.delete(this.recent.keys().next().value!);
    return found.claim;
  }

  /**
   * The claim most replicas hold (ties: the one nearest the key's successor),
   * in the newest version any replica has of it.
   * Replicas refuse a second owner, yet two people can each claim a name
   * while the network is split, or at the same moment at different replicas,
   * and the replicas then keep their rival claims. Reading one replica made
   * the owner whoever that replica had, changing when it left; every reader
   * counting the replicas gets the same owner, and the one most copies back.
   */
  private async read(name: string): Promise<{ claim: NameClaim; record: WireRecord } | null> {
    const answers = await this.node.getFromEach(await dhtKey('user:', name)).catch(asTimeout);
    const tally = new Map<string, { claim: NameClaim; record: WireRecord; copies: number; first: number }>();
    answers.forEach(({ records }, i) => {
      for (const record of records) {
        const claim = decodeClaim(record, name);
        if (!claim) continue;
        const owner = toBase64Url(claim.signingSpki);
        const t = tally.get(owner);
        if (!t) tally.set(owner, { claim, record, copies: 1, first: i });
        else {
          t.copies++;
          // The owner's newest claim, wherever it is: a replica that missed a refresh holds an older one.
          if (compareRecords(record, t.record) > 0) Object.assign(t, { claim, record });
        }
        break;
      }
    });
    let best: { claim: NameClaim; record: WireRecord; copies: number; first: number } | null = null;
    for (const t of tally.values()) if (!best || t.copies > best.copies || (t.copies === best.copies && t.first < best.first)) best = t;
    return best && { claim: best.claim, record: best.record };
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
    const existing = await this.read(name);
    if (existing && !equalBytes(existing.claim.signingSpki, this.signer.spki)) throw new NameTakenError(`the name ${name} is taken by someone else`);
    if (existing && existing.record.expires - CLAIM_TTL_MS > now - REFRESH_AFTER_MS) return;
    const record = await createRecord(this.signer, {
      key,
      kind: 'single',
      value: canonicalEncode({ v: 1, name, sign: this.signer.spki, ecdh: this.ecdhSpki }),
      // Versions are clock readings: one of this person's other tabs, its clock ahead, may have written the last one.
      version: Math.max(now, (existing?.record.version ?? 0) + 1),
      expires: now + CLAIM_TTL_MS,
    });
    const result = await this.node.put(record).catch(asTimeout);
    if (result.stored.length === 0 && !Object.values(result.refused).includes('wrong-owner')) throw new OverlayTimeoutError('no peer stored the name');
    // Someone else's copies at some replicas (claimed at the same moment, or while the network was
    // split) refuse this write; whose the name is, is what most replicas hold.
    const after = await this.resolve(name, { fresh: true });
    if (!after) throw new OverlayTimeoutError('no peer stored the name');
    if (!equalBytes(after.signingSpki, this.signer.spki)) throw new NameTakenError(`the name ${name} is taken by someone else`);
  }
}
