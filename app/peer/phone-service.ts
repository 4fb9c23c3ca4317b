/**
 * The phone as the app runs it: the person's name (claimed on the DHT and
 * remembered for every tab of the profile), the JsSIP phone on the overlay,
 * and the contact permission that decides who may reach this person.
 */
import { keyFingerprint, signBytes, type KeyValueStore, type UserIdentity } from '../identity';
import type { RecordSigner } from '../overlay';
import type { PermissionGate } from '../permissions';
import {
  DhtLocation,
  NameDirectory,
  OverlaySipNetwork,
  OverlayTimeoutError,
  Phone,
  RegistrationFailedError,
  formatIceServers,
  nameProblem,
  parseIceServers,
  type ContactPolicy,
  type NameClaim,
} from '../sip';
import { loadIceSetting, saveIceSetting } from './settings';
// eslint-disable-next-line no-restricted-imports -- Snapshots moves to app/common (issue 14, shared part); the merge points this at ../common.
import { Snapshots } from '../ui/data/snapshots';
import { MailService } from './mail-service';
import type { OverlayService } from './overlay-service';

const NAME_KEY = 'my-name';
/** A person allowed once may go on reaching this tab for this long (one conversation). */
const ALLOW_ONCE_MS = 10 * 60_000;
/** How long a start waits for the tab to join the ring before claiming anyway. */
const JOIN_WAIT_MS = 15_000;

export interface PhoneServiceSnapshot {
  status: 'no-name' | 'starting' | 'ready' | 'failed';
  name: string | null;
  /** What went wrong, in words. */
  error: string | null;
  /** The ICE servers calls use, as the person wrote them ('' for none). */
  iceText: string;
  /**
   * Whether this tab is in a ring with other peers. A name registered while
   * it is not sits on this tab alone: nobody can reach it there.
   */
  inRing: boolean;
  /** Why this tab's own answer keeps it out of the ring, in words (RingSnapshot.refusal); null otherwise. */
  ringRefusal: string | null;
}

export interface PhoneServiceOptions {
  overlay: OverlayService;
  user: UserIdentity;
  gate: PermissionGate;
  /** Where the chosen name is remembered (shared by the profile's tabs). */
  settings: KeyValueStore;
  /** Recent calls and chat history. */
  history: KeyValueStore;
  /** The sent list and played marks of video mail. */
  mailStore: KeyValueStore;
  domain: string;
}

export class PhoneService {
  phone: Phone | null = null;
  /** Video mail, once the person has a name. */
  mail: MailService | null = null;
  readonly directory: NameDirectory;
  private readonly snaps = new Snapshots<PhoneServiceSnapshot>({ status: 'starting', name: null, error: null, iceText: '', inRing: false, ringRefusal: null });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;
  private iceServers: RTCIceServer[] = [];
  private readonly allowedUntil = new Map<string, number>();
  private readonly fingerprints = new Map<string, string>();
  /** Bumped by every claim (and forget/stop), so an older claim that finishes late changes nothing. */
  private claims = 0;
  private unwatch: (() => void) | null = null;

  constructor(private readonly o: PhoneServiceOptions) {
    this.directory = new NameDirectory(o.overlay.node, this.signer(), o.user.ecdhSpki);
    // A saved list that no longer parses keeps its good lines; the field shows what is in use.
    this.iceServers = parseIceServers(loadIceSetting()).servers;
    this.snaps.update({ iceText: formatIceServers(this.iceServers) });
    o.overlay.subscribe(() => this.ringChanged());
    this.ringChanged();
  }

  /**
   * Follows the tab's place in the ring. When it joins other peers, a name
   * registered meanwhile (on this tab alone) is registered again at once, which
   * also checks the claim against the ring's replicas: a name someone else
   * holds there ends the phone with "taken".
   */
  private ringChanged(): void {
    const ring = this.o.overlay.getSnapshot();
    const inRing = ring.joined && ring.successors.length > 0;
    const was = this.getSnapshot().inRing;
    if (inRing === was && ring.refusal === this.getSnapshot().ringRefusal) return;
    this.update({ inRing, ringRefusal: ring.refusal });
    if (inRing && !was) void this.phone?.reregister();
  }

  /** Saves the ICE servers (one per line); returns the problems, and changes nothing when there are any. */
  setIceServers(text: string): string[] {
    const { servers, errors } = parseIceServers(text);
    if (errors.length > 0) return errors;
    this.iceServers = servers;
    saveIceSetting(formatIceServers(servers));
    this.phone?.setIceServers(servers);
    this.update({ iceText: formatIceServers(servers) });
    return [];
  }

  private update(patch: Partial<PhoneServiceSnapshot>): void {
    this.snaps.update(patch);
  }

  private signer(): RecordSigner {
    const u = this.o.user;
    return { spki: u.signingSpki, sign: (payload) => signBytes(u.signingPrivateKey, payload) };
  }

  /**
   * Starts with the name this person chose before, if any. While the
   * network does not answer, the phone keeps registering it by itself
   * (Phone's RetryLoop); only "the name is taken" stops it.
   */
  async start(): Promise<void> {
    let saved: unknown;
    try {
      saved = await this.o.settings.get(NAME_KEY);
    } catch {
      saved = undefined;
    }
    if (typeof saved === 'string' && nameProblem(saved) === null) {
      await this.waitForRing();
      await this.claim(saved);
    } else {
      this.update({ status: 'no-name' });
    }
  }

  /** A lone tab would claim in a ring of its own; give the join a moment first. */
  private waitForRing(): Promise<void> {
    const overlay = this.o.overlay;
    if (overlay.getSnapshot().joined) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, JOIN_WAIT_MS);
      const off = overlay.subscribe(() => {
        if (overlay.getSnapshot().joined) done();
      });
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }

  /**
   * Claims `name` and starts the phone with it. Returns what went wrong, in
   * words, when the name cannot be had (malformed, or someone else's); null
   * otherwise. When the network does not answer, the phone is kept and goes
   * on registering by itself with back-off: its page says so, with a
   * "Try again now" button.
   */
  async claim(name: string): Promise<string | null> {
    const problem = nameProblem(name);
    if (problem) return problem;
    const attempt = ++this.claims;
    this.dropPhone();
    this.update({ status: 'starting', name, error: null });
    const node = this.o.overlay.node;
    const phone = new Phone({
      network: new OverlaySipNetwork(node),
      location: new DhtLocation(node, this.directory, this.signer(), this.o.domain),
      policy: this.policy,
      domain: this.o.domain,
      name,
      history: this.o.history,
      iceServers: this.iceServers,
      log: (line) => console.info(`[sip] ${line}`),
    });
    try {
      await phone.start();
    } catch (e) {
      // A failure that can pass leaves the phone retrying by itself; anything else ends this name.
      if (!(e instanceof RegistrationFailedError) || attempt !== this.claims) {
        phone.stop();
        if (attempt !== this.claims) return null;
        const words = (e as Error).message;
        this.update({ status: 'failed', error: words });
        return words;
      }
    }
    if (attempt !== this.claims) {
      // The person chose another name meanwhile.
      phone.stop();
      return null;
    }
    this.phone = phone;
    this.unwatch = phone.subscribe(() => this.watch(phone, name));
    this.mail?.close();
    this.mail = new MailService({
      node,
      user: this.o.user,
      name,
      store: this.o.mailStore,
      resolve: async (who) => {
        const c = await this.resolve(who);
        return c && { name: who, signSpki: c.signingSpki, ecdhPublicKey: c.ecdhSpki };
      },
    });
    void this.mail.start().catch((e: unknown) => console.warn('[mail] could not start', e));
    try {
      await this.o.settings.set(NAME_KEY, name);
    } catch {
      // The name still works in this tab; the next visit asks again.
    }
    this.update({ status: 'ready', name, error: null });
    return null;
  }

  /** A registration refused for good later on (a refresh found the name someone else's) ends the phone: the person chooses again. */
  private watch(phone: Phone, name: string): void {
    const s = phone.getSnapshot();
    if (s.registration !== 'failed' || this.phone !== phone) return;
    this.dropPhone();
    this.update({ status: 'failed', name, error: s.registrationError ?? `the name ${name} could not be registered` });
  }

  private dropPhone(): void {
    this.unwatch?.();
    this.unwatch = null;
    this.phone?.stop();
    this.phone = null;
    this.mail?.close();
    this.mail = null;
  }

  /** Forgets the name in this profile and stops the phone (the claim itself lapses unless refreshed). */
  async forgetName(): Promise<void> {
    this.claims++;
    this.dropPhone();
    await this.o.settings.del(NAME_KEY).catch(() => undefined);
    this.update({ status: 'no-name', name: null, error: null });
  }

  /** The fingerprint of the key that holds `name`, once it has been looked up. */
  fingerprintOf(name: string): string | null {
    return this.fingerprints.get(name) ?? null;
  }

  /** The public keys behind a name (video mail needs the ECDH key); null when nobody holds it. */
  async resolve(name: string): Promise<NameClaim | null> {
    const claim = await this.directory.resolve(name);
    if (claim) this.fingerprints.set(name, await keyFingerprint(claim.signingSpki));
    return claim;
  }

  /**
   * Who may call or message this person: the permission gate, in the
   * contact scope, about the caller's user key (from the name's claim) and
   * the node key that signed the request.
   */
  readonly policy: ContactPolicy = async ({ name, nodeId }) => {
    const nodeSpki = this.o.overlay.node.apps.spkiOf(nodeId);
    if (!nodeSpki) return { allow: false, reason: 'the caller’s node key is not known' };
    let claim: NameClaim | null;
    try {
      claim = await this.resolve(name);
    } catch (e) {
      return { allow: false, reason: e instanceof OverlayTimeoutError ? 'the network did not answer' : String(e) };
    }
    if (!claim) return { allow: false, reason: `${name} is not a known name` };
    const key = `${name}/${await keyFingerprint(claim.signingSpki)}`;
    if ((this.allowedUntil.get(key) ?? 0) > Date.now()) return { allow: true, reason: 'allowed a moment ago' };
    const d = await this.o.gate.decide({
      peerNodeId: nodeId,
      peerNodeSpki: nodeSpki,
      user: { signingSpki: claim.signingSpki, name },
      scope: 'contact',
      direction: 'inbound',
      overlay: this.o.domain,
    });
    // Only an "allow once" is stretched over the conversation; remembered rules are asked each time, so a revoke bites at once.
    if (d.allow && d.reason === 'user') this.allowedUntil.set(key, Date.now() + ALLOW_ONCE_MS);
    return { allow: d.allow, reason: d.detail };
  };

  stop(): void {
    this.claims++;
    this.dropPhone();
  }
}
