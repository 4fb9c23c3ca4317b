/**
 * The SIP registrar and location service on the DHT (DESIGN.md, SIP over the
 * overlay): REGISTER writes a contact entry, signed by the person's key,
 * into the dictionary at H("sip:" + aor), one entry per node; a lookup reads
 * the name's claim and keeps only the entries signed by the key that owns
 * the name, so nobody can register as somebody else.
 *
 * A contact entry also carries the node's signed agreement key (`ak`: its
 * node key, agreement key and the node key's signature binding the two,
 * app/overlay/message-sealing.ts), so the lookup that finds a callee's nodes
 * hands their keys to the overlay and the first encrypted message to them
 * needs no agreement-ask round trip. The key is checked by the overlay
 * against the node ID, not trusted because the person signed the entry; an
 * entry without one (older code) or with one that fails is still a contact.
 */
import { canonicalDecode, canonicalEncode, equalBytes, hasSurelyExpired, MAX_CLOCK_SKEW_MS } from '../identity';
import { LookupError, isHexId, isSignedAgreementKey, createRecord, type OverlayNode, type RecordSigner, type SignedAgreementKey, type WireRecord } from '../overlay';
import { ClockSkewError, OverlayTimeoutError } from './errors';
import { dhtKey, type NameDirectory } from './name-directory';
import type { LookupResult, SipLocation } from './types';

/** A removed entry stays this long, so replicas learn of the removal and drop the old one. */
const TOMBSTONE_MS = 60_000;

interface Contact {
  node: string;
  gone: boolean;
  /** The node's signed agreement key, when the entry carries a well-formed one (not yet verified). */
  ak: SignedAgreementKey | null;
}

function decodeContact(r: WireRecord): Contact | null {
  try {
    // maxDepth 2, maxItems 4: what readers before `ak` allow, so they still read these entries.
    const v = canonicalDecode(r.value, { maxDepth: 2, maxItems: 4 }) as Record<string, unknown>;
    const node = v['node'];
    if (typeof node !== 'string' || !isHexId(node) || typeof v['gone'] !== 'boolean') return null;
    const ak = v['ak'];
    return { node, gone: v['gone'], ak: isSignedAgreementKey(ak) ? { spki: ak.spki, key: ak.key, sig: ak.sig } : null };
  } catch {
    return null;
  }
}

export class DhtLocation implements SipLocation {
  /** The sub-key this node's entry lives under (changes if someone squats on the usual one). */
  private sub: string;
  /**
   * The version last written per name. Versions are clock readings, and a
   * clock the system sets back would make the next write older than the last
   * one, so replicas would keep the old entry (an unregister would not take).
   */
  private readonly lastVersion = new Map<string, number>();

  constructor(
    private readonly node: OverlayNode,
    private readonly directory: NameDirectory,
    private readonly signer: RecordSigner,
    private readonly domain: string,
  ) {
    this.sub = node.id;
  }

  private key(name: string): Promise<Uint8Array> {
    return dhtKey('sip:', `${name}@${this.domain}`);
  }

  async lookup(name: string): Promise<LookupResult> {
    try {
      // The name and its contacts are read at once: the contacts are kept only if the name's key signed them.
      const [claim, entries] = await Promise.all([this.directory.resolve(name), this.key(name).then((k) => this.node.get(k))]);
      if (!claim) return { kind: 'unknown' };
      const now = this.node.clock.now();
      const nodes = new Set<string>();
      const keys: Promise<boolean>[] = [];
      for (const r of entries) {
        if (r.kind !== 'dict' || hasSurelyExpired(r.expires, now) || !equalBytes(r.owner, claim.signingSpki)) continue;
        const c = decodeContact(r);
        if (!c || c.gone) continue;
        nodes.add(c.node);
        if (c.ak) keys.push(this.node.routed.learnAgreementKey(c.node, c.ak));
      }
      // Awaited, so the message the caller sends next is sealed at once; a key that fails the check is counted by the overlay.
      await Promise.all(keys);
      return { kind: 'found', nodes: [...nodes] };
    } catch (e) {
      if (e instanceof OverlayTimeoutError || e instanceof LookupError) return { kind: 'timeout' };
      throw e;
    }
  }

  /** This node's signed agreement key, or null when its overlay cannot give one (callers then ask for it). */
  private async ownAgreementKey(): Promise<SignedAgreementKey | null> {
    try {
      return await this.node.routed.ownAgreementKey();
    } catch {
      return null;
    }
  }

  /** Registers (expiresSec > 0) or removes this node's contact for `name`; claims the name first. */
  async register(name: string, expiresSec: number): Promise<void> {
    if (expiresSec > 0) await this.directory.claim(name);
    const now = this.node.clock.now();
    const gone = expiresSec <= 0;
    const version = Math.max(now, (this.lastVersion.get(name) ?? 0) + 1);
    this.lastVersion.set(name, version);
    const ak = gone ? null : await this.ownAgreementKey();
    const write = async (sub: string) =>
      this.node.put(
        await createRecord(this.signer, {
          key: await this.key(name),
          kind: 'dict',
          sub,
          value: canonicalEncode({ node: this.node.id, gone, ...(ak ? { ak: { spki: ak.spki, key: ak.key, sig: ak.sig } } : {}) }),
          version,
          expires: now + (gone ? TOMBSTONE_MS : expiresSec * 1000),
        }),
      ).catch((e: unknown) => {
        if (e instanceof LookupError) throw new OverlayTimeoutError('the network did not answer in time');
        throw e;
      });
    let result = await write(this.sub);
    if (result.stored.length === 0 && Object.values(result.refused).includes('wrong-owner') && !gone) {
      // Someone else wrote an entry under this node's ID first: use a sub-key of our own.
      this.sub = `${this.node.id}/${Math.random().toString(36).slice(2, 10)}`;
      result = await write(this.sub);
    }
    // Our own check passed (this node may even hold a copy), so when every other replica refuses
    // the entry as expired, their clocks are ahead of ours by more than the tolerated skew and
    // no caller would read it.
    const refusals = Object.values(result.refused);
    if (!gone && !result.stored.some((hex) => hex !== this.node.id) && refusals.length > 0 && refusals.every((r) => r === 'expired')) {
      throw new ClockSkewError(`this computer's clock is more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes behind the other peers' clocks; set it right, then reload`);
    }
    // `stored` lists only the key's true replicas (put.ts): every caller's read asks them all.
    if (result.stored.length === 0) throw new OverlayTimeoutError('no peer stored the registration');
  }
}
