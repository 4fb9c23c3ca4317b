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
import type { NameClaim } from './name-directory';
import type { LookupResult, SipLocation } from './types';

/** One registration of a name as the DHT holds it (a contact entry signed by the name's key, RFC 3261 §10). */
export interface Registration {
  /** The node ID the entry names. */
  node: string;
  /** True for the tombstone a tab writes when it unregisters (Expires: 0). */
  gone: boolean;
  /** When the entry was written, ms since the epoch (its version: the writer's clock). */
  writtenAt: number;
  /** When the entry lapses, ms since the epoch (the writer's clock). */
  expires: number;
}

/** A name's registrations, or why there are none to read. */
export type RegistrationsResult = { kind: 'unknown' } | { kind: 'timeout' } | { kind: 'found'; claim: NameClaim; registrations: Registration[] };

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
    const found = await this.registrations(name);
    if (found.kind !== 'found') return found;
    const now = this.node.clock.now();
    const nodes = new Set(found.registrations.filter((r) => !r.gone && !hasSurelyExpired(r.expires, now)).map((r) => r.node));
    return { kind: 'found', nodes: [...nodes] };
  }

  /**
   * Every registration of `name` the DHT holds (live, lapsed or removed),
   * with the times it carries: what presence is made of. Only entries signed
   * by the key that holds the name are kept. One claim lookup (cached by the
   * NameDirectory) and one read of the contact dictionary.
   */
  async registrations(name: string): Promise<RegistrationsResult> {
    try {
      // The name and its contacts are read at once: the contacts are kept only if the name's key signed them.
      const [claim, entries] = await Promise.all([this.directory.resolve(name), this.key(name).then((k) => this.node.get(k))]);
      if (!claim) return { kind: 'unknown' };
      const now = this.node.clock.now();
      const registrations: Registration[] = [];
      const keys: Promise<boolean>[] = [];
      for (const r of entries) {
        if (r.kind !== 'dict' || !equalBytes(r.owner, claim.signingSpki)) continue;
        const c = decodeContact(r);
        if (!c) continue;
        registrations.push({ node: c.node, gone: c.gone, writtenAt: r.version, expires: r.expires });
        if (c.ak && !c.gone && !hasSurelyExpired(r.expires, now)) keys.push(this.node.routed.learnAgreementKey(c.node, c.ak));
      }
      // Awaited, so the message the caller sends next is sealed at once; a key that fails the check is counted by the overlay.
      await Promise.all(keys);
      return { kind: 'found', claim, registrations };
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
