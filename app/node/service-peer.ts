/**
 * An always-on service peer: the tabs' own ring membership (RingMember from
 * app/transport), authenticated links and permission gate, run in Node 20
 * with WebRTC from @roamhq/wrtc, its node identity in a key file and its
 * records in LevelDB in its data directory. It presents itself as a service
 * peer in the link handshake, takes only overlay-scope links, and hands its
 * records to its successor when it stops.
 */
import { join } from 'node:path';
import { MemoryKeyValueStore, type NodeIdentity } from '../identity';
import { overlayLimits } from '../overlay';
import { LinkManager, PeerJsDialer, RingMember, SignalingClient, realClock, type LocalEndpoint } from '../transport';
import { diskUse, openNodeKey, openRecordDb, prepareDataDir, quarantineDamaged, RECORDS_DIR } from './data-dir';
import type { LevelKeyValueStore } from './level-store';
import type { ServicePeerConfig } from './service-config';
import { makeServicePolicy, type ServicePolicy } from './service-policy';
import { statusOf, type ServiceStatus } from './service-status';
import { installWebRtcGlobals } from './webrtc-env';

export type Log = (line: string) => void;

/** How long a stopping peer waits for its successor to take its records. */
const HANDOVER_MS = 4000;
const DISCOVERY_MS = 5000;

const short = (id: string): string => id.slice(0, 12);

export class ServicePeer {
  private discoveryTimer: ReturnType<typeof setInterval> | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private online: string[] = [];
  private lastRing = '';
  private lastRecords = -1;
  private stopping: Promise<void> | null = null;
  readonly startedAt = Date.now();

  private constructor(
    readonly config: ServicePeerConfig,
    readonly dataDir: string,
    readonly identity: NodeIdentity,
    readonly db: LevelKeyValueStore,
    readonly policy: ServicePolicy,
    readonly signaling: SignalingClient,
    readonly links: LinkManager,
    readonly member: RingMember,
    readonly quarantined: number,
    private readonly log: Log,
  ) {}

  /** Opens the data directory, connects and joins. Throws DataDirError/PolicyConfigError in words. */
  static async start(config: ServicePeerConfig, log: Log): Promise<ServicePeer> {
    const dataDir = prepareDataDir(config.dataDir);
    const policy = await makeServicePolicy(config.overlay, config.trustedRoot, log);
    const { identity, created } = await openNodeKey(dataDir, config.startFresh, log);
    log(`${created ? 'new node identity' : 'node identity'} ${identity.nodeId} (key file in ${dataDir})`);
    const db = await openRecordDb(dataDir, config.startFresh, log);
    let quarantined: number;
    try {
      quarantined = await quarantineDamaged(db, Date.now(), log);
    } catch (e) {
      await db.close();
      throw e;
    }
    installWebRtcGlobals();
    const { Peer } = await import('peerjs');
    const signaling = new SignalingClient({ nodeId: identity.nodeId, servers: config.signaling, createPeer: (id, options) => new Peer(id, { ...options, debug: 0 }) });
    const local: LocalEndpoint = { overlay: config.overlay, nodeId: identity.nodeId, spki: identity.spki, privateKey: identity.privateKey, role: 'service' };
    const dialer = new PeerJsDialer(signaling);
    dialer.watch();
    const links = new LinkManager({ dialer, local, clock: realClock, policy: policy.linkPolicy, maxLinks: config.maxLinks });
    let peer: ServicePeer | null = null;
    const member = new RingMember(links, config.inMemory ? new MemoryKeyValueStore() : db, db, () => peer?.online ?? []);
    peer = new ServicePeer(config, dataDir, identity, db, policy, signaling, links, member, quarantined, log);
    await peer.run();
    return peer;
  }

  private async run(): Promise<void> {
    const { log, links, signaling, member } = this;
    log(`links allowed: ${this.policy.describe}; calls refused`);
    signaling.onState((s) => {
      if (s.kind === 'online') log(`online via ${s.server}`);
      else if (s.kind === 'offline' && !this.stopping) log(`signaling offline (${s.reason}); retrying in ${Math.round(s.retryInMs / 1000)} s`);
    });
    links.onLinkUp((l) => log(`link up ${short(l.nodeId)} (${l.direction}${l.peer.role === 'service' ? ', service peer' : ''}${l.peer.user?.name ? `, ${l.peer.user.name}` : ''})`));
    links.onLinkDown((id, reason) => log(`link down ${short(id)}: ${reason}`));
    member.subscribe(() => this.logRingChanges());
    signaling.start();
    await this.whenOnline(8000);
    await this.discover();
    this.discoveryTimer = setInterval(() => void this.discover(), DISCOVERY_MS);
    // The damage scan before start checked every stored record's signature already.
    await member.start({ storedChecked: true });
    log(`records: ${member.loaded} loaded from disk${this.quarantined ? `, ${this.quarantined} damaged kept aside` : ''}; serving ${process.uptime().toFixed(1)} s after the process started`);
    if (this.config.statusEverySeconds > 0) this.statusTimer = setInterval(() => log(this.statusLine()), this.config.statusEverySeconds * 1000);
  }

  private whenOnline(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.signaling.state.kind === 'online') return resolve();
      const timer = setTimeout(done, ms);
      const off = this.signaling.onState((s) => s.kind === 'online' && done());
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }

  /** Asks the signaling server who is online (PeerJS discovery); errors keep the last list. */
  private async discover(): Promise<void> {
    const server = this.signaling.serverList[0];
    if (!server || this.signaling.state.kind !== 'online') return;
    try {
      const r = await fetch(`${server.secure ? 'https' : 'http'}://${server.host}:${server.port}${server.path}/peerjs/peers`, { signal: AbortSignal.timeout(4000) });
      if (!r.ok) return;
      const list: unknown = await r.json();
      if (!Array.isArray(list)) return;
      this.online = list.filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{40}$/.test(x) && x !== this.identity.nodeId).slice(0, 500);
    } catch {
      // The signaling state line already says when the server is away.
    }
  }

  private logRingChanges(): void {
    const s = this.member.getSnapshot();
    const ring = `${s.status}|${s.predecessor}|${s.successors.join(',')}`;
    if (ring !== this.lastRing) {
      this.lastRing = ring;
      this.log(`ring: ${s.status}; predecessor ${s.predecessor ? short(s.predecessor) : 'none'}; successors ${s.successors.map(short).join(' ') || 'none'}`);
    }
    if (s.records !== this.lastRecords && (this.lastRecords < 0 || Math.abs(s.records - this.lastRecords) >= Math.max(1, this.lastRecords / 10))) {
      this.lastRecords = s.records;
      this.log(`storage: ${s.records} records, ${(diskUse(join(this.dataDir, RECORDS_DIR)) / 1048576).toFixed(2)} MiB on disk`);
    }
  }

  status(): ServiceStatus {
    return statusOf(this);
  }

  statusLine(): string {
    const s = this.status();
    return `status: ${s.ring.status}; ${s.ring.successors.length} successors; ${s.links.length} links; ${s.records} records; ${(s.diskBytes / 1048576).toFixed(2)} MiB on disk`;
  }

  /**
   * Stops cleanly: gives every record to the successor and waits (bounded)
   * until it says it has them, tells the neighbours, closes links and the
   * database. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.discoveryTimer) clearInterval(this.discoveryTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    const node = this.member.node;
    const succ = node.successors()[0] ?? node.id;
    const records = node.localRecords();
    if (succ !== node.id && records.length > 0) {
      this.log(`stopping: handing ${records.length} records to ${short(succ)}`);
      const { taken, badReplies } = await node.handOver(succ, records, { timeoutMs: Math.min(HANDOVER_MS, overlayLimits.RPC_TIMEOUT_MS * 2) });
      for (const e of badReplies) this.log(`stopping: ${e.message}`);
      this.log(`stopping: ${short(succ)} took ${taken} of ${records.length} records`);
    } else {
      this.log('stopping');
    }
    this.member.leave();
    // Let the goodbye messages and the remembered peers reach the wire and the disk.
    await new Promise((r) => setTimeout(r, 300));
    this.links.close('leaving');
    this.signaling.stop('stopping');
    this.policy.gate.close();
    await this.db.close();
    this.log('stopped');
  }
}
