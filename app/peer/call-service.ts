/**
 * The phone as a tab runs it: the person's name (claimed on the DHT and
 * remembered for every tab of the profile) and the JsSIP phone on the
 * overlay. Who may reach this person is the injected contact policy
 * (call-policy.ts); video mail follows the name in peer-mail.ts.
 */
import { keyFingerprint, nodeIdFromSpki, signBytes, type KeyValueStore, type UserIdentity } from '../identity';
import type { RecordSigner } from '../overlay';
import {
  DhtLocation,
  NameDirectory,
  OverlaySipNetwork,
  UserAgent,
  RegistrationFailedError,
  formatIceServers,
  nameProblem,
  parseIceServers,
  type ContactPolicy,
  type NameClaim,
  type RegistrationsResult,
  type TrackSwitch,
} from '../sip';
import type { DeviceChoice } from './media-devices';
import type { Conversations, ConversationStart } from '../permissions';
import { loadIceSetting, saveIceSetting } from './settings';
import { mergeIceServers } from './ice-answer';
import { Snapshots } from '../common';
import type { OverlayService } from './overlay-service';

const NAME_KEY = 'my-name';
/** The routed-message topic of presence probes: an empty body, answered by the acknowledgement alone. */
const PRESENCE_TOPIC = 'presence';
/** How long a start waits for the tab to join the ring before claiming anyway. */
const JOIN_WAIT_MS = 15_000;

export interface CallServiceSnapshot {
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

export interface CallServiceOptions {
  overlay: OverlayService;
  user: UserIdentity;
  /** Who may call or message this person (callPolicy in call-policy.ts). */
  policy: ContactPolicy;
  /** Where the chosen name is remembered (shared by the profile's tabs). */
  settings: KeyValueStore;
  /** Recent calls and chat history. */
  history: KeyValueStore;
  domain: string;
  /** The permission gate's conversations: whom this person calls or writes to may answer without a question. */
  conversations?: Conversations;
}

export class CallService {
  ua: UserAgent | null = null;
  readonly directory: NameDirectory;
  private readonly snaps = new Snapshots<CallServiceSnapshot>({ status: 'starting', name: null, error: null, iceText: '', inRing: false, ringRefusal: null });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;
  /** The servers the person added (their STUN/TURN setting). */
  private iceServers: RTCIceServer[] = [];
  /** The servers the node that served the tab names (node-ice-config.ts). */
  private nodeIceServers: RTCIceServer[] = [];
  private readonly fingerprints = new Map<string, string>();
  /** Bumped by every claim (and forget/stop), so an older claim that finishes late changes nothing. */
  private claims = 0;
  private unwatch: (() => void) | null = null;
  /** Calls this person placed that the conversations were told of and that have not ended. */
  private readonly placedCalls = new Set<string>();
  /** Reads registrations for presence (registrations()). */
  private reader: DhtLocation | null = null;
  /** The person's chosen camera and microphone (a tab's DeviceChoice); null: the browser's defaults. */
  private devices: DeviceChoice | null = null;

  constructor(private readonly o: CallServiceOptions) {
    this.directory = new NameDirectory(o.overlay.node, this.signer(), o.user.ecdhSpki);
    // A saved list that no longer parses keeps its good lines; the field shows what is in use.
    this.iceServers = parseIceServers(loadIceSetting()).servers;
    this.snaps.update({ iceText: formatIceServers(this.iceServers) });
    o.overlay.subscribe(() => this.ringChanged());
    this.ringChanged();
    // Presence probes (nodeAnswers) need only the router's end-to-end acknowledgement; the listener keeps them from counting as stray.
    o.overlay.node.routed.on(PRESENCE_TOPIC, () => undefined);
  }

  /**
   * Whether the tab `nodeId` answers a routed message now (the router's
   * end-to-end acknowledgement, message-routing.ts): a registration can
   * outlive a tab that closed or crashed without unregistering, by up to its
   * expiry. Never rejects.
   */
  async nodeAnswers(nodeId: string, timeoutMs = 4_000): Promise<boolean> {
    try {
      return (await this.o.overlay.node.routed.send(nodeId, PRESENCE_TOPIC, new Uint8Array(0), { ackTimeoutMs: timeoutMs })).outcome === 'delivered';
    } catch {
      return false;
    }
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
    if (inRing && !was) void this.ua?.reregister();
  }

  /** Saves the ICE servers (one per line); returns the problems, and changes nothing when there are any. */
  setIceServers(text: string): string[] {
    const { servers, errors } = parseIceServers(text);
    if (errors.length > 0) return errors;
    this.iceServers = servers;
    saveIceSetting(formatIceServers(servers));
    this.ua?.setIceServers(this.iceServersInUse());
    this.update({ iceText: formatIceServers(servers) });
    return [];
  }

  /** The servers the person added, as they are in use. */
  get ownIceServers(): readonly RTCIceServer[] {
    return this.iceServers;
  }

  /** Takes the node's list (a refresh brings new TURN credentials); calls made from now on use it. */
  setNodeIceServers(servers: RTCIceServer[]): void {
    this.nodeIceServers = [...servers];
    this.ua?.setIceServers(this.iceServersInUse());
  }

  /** What call media uses: the node's servers, then the person's. */
  iceServersInUse(): RTCIceServer[] {
    return mergeIceServers(this.nodeIceServers, this.iceServers);
  }

  private update(patch: Partial<CallServiceSnapshot>): void {
    this.snaps.update(patch);
  }

  private signer(): RecordSigner {
    const u = this.o.user;
    return { spki: u.signingSpki, sign: (payload) => signBytes(u.signingPrivateKey, payload) };
  }

  /**
   * Starts with the name this person chose before, if any. While the
   * network does not answer, the phone keeps registering it by itself
   * (UserAgent's RetryLoop); only "the name is taken" stops it.
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
    const ua = new UserAgent({
      network: new OverlaySipNetwork(node),
      location: new DhtLocation(node, this.directory, this.signer(), this.o.domain),
      policy: this.o.policy,
      domain: this.o.domain,
      name,
      history: this.o.history,
      iceServers: this.iceServersInUse(),
      log: (line) => console.info(`[sip] ${line}`),
      onOutgoingMessage: (peer) => this.conversationWith(peer, 'wrote'),
      mediaConstraints: (video) => this.devices?.constraints(video) ?? { audio: true, video },
    });
    try {
      await ua.start();
    } catch (e) {
      // A failure that can pass leaves the phone retrying by itself; anything else ends this name.
      if (!(e instanceof RegistrationFailedError) || attempt !== this.claims) {
        ua.stop();
        if (attempt !== this.claims) return null;
        const words = (e as Error).message;
        this.update({ status: 'failed', error: words });
        return words;
      }
    }
    if (attempt !== this.claims) {
      // The person chose another name meanwhile.
      ua.stop();
      return null;
    }
    this.ua = ua;
    this.unwatch = ua.subscribe(() => this.watch(ua, name));
    try {
      await this.o.settings.set(NAME_KEY, name);
    } catch {
      // The name still works in this tab; the next visit asks again.
    }
    this.update({ status: 'ready', name, error: null });
    return null;
  }

  /** A registration refused for good later on (a refresh found the name someone else's) ends the phone: the person chooses again. */
  private watch(phone: UserAgent, name: string): void {
    const s = phone.getSnapshot();
    for (const c of s.calls) {
      if (c.direction !== 'out') continue;
      if (c.state !== 'ended' && !this.placedCalls.has(c.id)) {
        this.placedCalls.add(c.id);
        this.conversationWith(c.peer, 'called', c.id);
      } else if (c.state === 'ended' && this.placedCalls.delete(c.id)) {
        this.o.conversations?.callEnded(c.id);
      }
    }
    if (s.registration !== 'failed' || this.ua !== phone) return;
    this.dropPhone();
    this.update({ status: 'failed', name, error: s.registrationError ?? `the name ${name} could not be registered` });
  }

  private dropPhone(): void {
    this.unwatch?.();
    this.unwatch = null;
    this.ua?.stop();
    this.ua = null;
  }

  /** Forgets the name in this profile and stops the phone (the claim itself lapses unless refreshed). */
  async forgetName(): Promise<void> {
    this.claims++;
    this.dropPhone();
    await this.o.settings.del(NAME_KEY).catch(() => undefined);
    this.update({ status: 'no-name', name: null, error: null });
  }

  /**
   * This person called or wrote to `peer`: tells the gate's conversations,
   * under the user key that holds the name now, so the answer asks nothing.
   * A name nobody holds, or a network that does not answer, starts nothing.
   */
  private conversationWith(peer: string, why: ConversationStart, callId?: string): void {
    const conversations = this.o.conversations;
    if (!conversations) return;
    void this.resolve(peer)
      .then(async (claim) => {
        if (!claim) return;
        conversations.started(await nodeIdFromSpki(claim.signingSpki), peer, why, callId);
        // Ended while the name was looked up.
        if (callId !== undefined && !this.placedCalls.has(callId)) conversations.callEnded(callId);
      })
      .catch(() => undefined);
  }

  /** Calls placed or answered from now on open the devices `devices` chose. */
  useDevices(devices: DeviceChoice): void {
    this.devices = devices;
  }

  /**
   * Switches call `callId` to another camera or microphone (null: the
   * default) and remembers the choice: the device is opened and its track
   * replaces the one the call sends, with no new offer (UserAgent.replaceTrack).
   * Rejects with the browser's error when the device cannot be opened; the
   * call then goes on with the device it had.
   */
  async switchDevice(callId: string, kind: 'camera' | 'microphone', deviceId: string | null): Promise<TrackSwitch> {
    const devices = this.devices;
    const ua = this.ua;
    if (!devices || !ua) throw new Error('the phone is not started');
    await devices.choose(kind, deviceId);
    return ua.replaceTrack(callId, await devices.openTrack(kind));
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
   * Every registration of `name` in the DHT with its times (presence.ts
   * reads them); needs no name of this person's own. Rejects only on a
   * programming error: a silent network is `{ kind: 'timeout' }`.
   */
  registrations(name: string): Promise<RegistrationsResult> {
    this.reader ??= new DhtLocation(this.o.overlay.node, this.directory, this.signer(), this.o.domain);
    return this.reader.registrations(name);
  }

  stop(): void {
    this.claims++;
    this.dropPhone();
  }
}
