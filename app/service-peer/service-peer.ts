/**
 * An always-on service peer: a Node entry over the same peer layer as a tab
 * (Peer in app/peer, role 'service': links decided by the permission gate,
 * discovery, ring membership), run in Node 20 with WebRTC from
 * @roamhq/wrtc, its node identity in a key file and its records in LevelDB
 * in its data directory. It presents itself as a service peer in the link
 * handshake, takes only overlay-scope links and no calls, and hands its
 * records to its successor when it stops.
 */
import { join } from 'node:path';
import { MemoryKeyValueStore, signBytes, type NodeIdentity } from '../identity';
import { overlayLimits } from '../overlay';
import { BootstrapPublisher, Peer, type OverlayService } from '../peer';
import { parseServerUrl, SignalingClient, type LinkManager, type LocalEndpoint, type PeerFactory } from '../transport';
import { startBootstrapEndpoint, type BootstrapEndpoint } from './bootstrap-endpoint';
import { diskUse, openNodeKey, openRecordDb, prepareDataDir, quarantineDamaged, RECORDS_DIR } from './data-dir';
import type { LevelKeyValueStore } from './level-store';
import type { ServicePeerConfig } from './service-config';
import { makeServicePolicy, type ServicePolicy } from './service-policy';
import { followNodeIce, type ServiceIce } from './service-ice';
import { statusOf, type ServiceStatus } from './service-status';
import { installWebRtcGlobals } from './webrtc-env';

export type Log = (line: string) => void;

/** How long a stopping peer waits for its successor to take its records. */
const HANDOVER_MS = 4000;
/** How long a starting peer waits for the signaling server before joining through remembered peers alone. */
const ONLINE_WITHIN_MS = 8000;
/** How long a starting peer waits for the node's ICE servers before making links without them (a tab waits 3 s too). */
const ICE_WAIT_MS = 3000;

const short = (id: string): string => id.slice(0, 12);

export class ServicePeer {
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private lastRing = '';
  private lastRecords = -1;
  private stopping: Promise<void> | null = null;
  /** The node's STUN/TURN list, followed while the peer runs; null with --ice-servers none. */
  private ice: ServiceIce | null = null;
  /** Keeps this peer's bootstrap entry in the DHT; null without --bootstrap-port. */
  private publisher: BootstrapPublisher | null = null;
  readonly startedAt = Date.now();

  private constructor(
    readonly config: ServicePeerConfig,
    readonly dataDir: string,
    readonly identity: NodeIdentity,
    readonly db: LevelKeyValueStore,
    readonly policy: ServicePolicy,
    readonly peer: Peer,
    readonly quarantined: number,
    private readonly log: Log,
    /** This peer's own bootstrap endpoint; null without --bootstrap-port. */
    readonly bootstrap: BootstrapEndpoint | null,
  ) {}

  get signaling(): SignalingClient {
    return this.peer.signaling;
  }

  get links(): LinkManager {
    return this.peer.links.manager;
  }

  /** The ring membership and overlay node. */
  get member(): OverlayService {
    return this.peer.overlay;
  }

  /** Opens the data directory, connects and joins. Throws DataDirError/PolicyConfigError in words. */
  static async start(config: ServicePeerConfig, log: Log): Promise<ServicePeer> {
    const dataDir = prepareDataDir(config.dataDir);
    const policy = await makeServicePolicy(config.overlay, config.trustedRoot);
    const { identity, created } = await openNodeKey(dataDir, config.startFresh, log, config.idPuzzle);
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
    const { Peer: PeerJs } = await import('peerjs');
    const createPeer: PeerFactory = (id, options) => new PeerJs(id, { ...options, debug: 0 });
    const keyProof = { spki: identity.spki, sign: (payload: Uint8Array) => signBytes(identity.privateKey, payload) };
    const signaling = new SignalingClient({ nodeId: identity.nodeId, servers: config.signaling, createPeer, keyProof });
    let bootstrap: BootstrapEndpoint | null = null;
    if (config.bootstrap) {
      try {
        bootstrap = await startBootstrapEndpoint(config.bootstrap, log);
      } catch (e) {
        await db.close();
        throw new Error(`the bootstrap endpoint could not listen on ${config.bootstrap.host}:${config.bootstrap.port}: ${(e as Error).message}`, { cause: e });
      }
      log(`bootstrap endpoint listening on ${bootstrap.localUrl}, advertised as ${bootstrap.urls.join(', ')}`);
    }
    // The peer holds its node ID on its own endpoint too (with the same proof), so tabs there can dial it.
    const endpointClient = bootstrap ? new SignalingClient({ nodeId: identity.nodeId, servers: [{ ...parseServerUrl(bootstrap.localUrl), bootstrap: true }], createPeer, keyProof }) : null;
    const local: LocalEndpoint = {
      overlay: config.overlay,
      nodeId: identity.nodeId,
      spki: identity.spki,
      privateKey: identity.privateKey,
      role: 'service',
      ...(identity.puzzle ? { puzzle: identity.puzzle } : {}),
    };
    const peer = new Peer({
      role: 'service',
      local,
      signaling,
      gate: policy.gate,
      records: config.inMemory ? new MemoryKeyValueStore() : db,
      ringSettings: db,
      maxLinks: config.maxLinks,
      idPuzzle: config.idPuzzle,
      log,
      ...(endpointClient ? { bootstrapEndpoint: endpointClient } : {}),
    });
    const service = new ServicePeer(config, dataDir, identity, db, policy, peer, quarantined, log, bootstrap);
    await service.run();
    return service;
  }

  private async run(): Promise<void> {
    const { log, links, signaling, member } = this;
    if (this.config.iceServersUrl) {
      const endpoint = this.peer.bootstrapEndpoint;
      const apply = (servers: RTCIceServer[]): void => {
        signaling.setIceServers(servers);
        endpoint?.setIceServers(servers);
      };
      const ice = followNodeIce({ url: this.config.iceServersUrl, apply, log });
      this.ice = ice;
      // Links made before the list arrives could not use the node's relay: wait for it, a little.
      await Promise.race([ice.ready, new Promise((r) => setTimeout(r, ICE_WAIT_MS).unref?.())]);
    }
    log(`links allowed: ${this.policy.describe}; calls refused`);
    this.peer.bootstrapEndpoint?.onState((s) => {
      if (s.kind === 'online') log('registered on its own bootstrap endpoint');
    });
    signaling.onState((s) => {
      if (s.kind === 'online') log(`online via ${s.server}`);
      else if (s.kind === 'offline' && !this.stopping) log(`signaling offline (${s.reason}); retrying in ${Math.round(s.retryInMs / 1000)} s`);
    });
    links.onLinkUp((l) => log(`link up ${short(l.nodeId)} (${l.direction}${l.peer.role === 'service' ? ', service peer' : ''}${l.peer.user?.name ? `, ${l.peer.user.name}` : ''})`));
    links.onLinkDown((id, reason) => log(`link down ${short(id)}: ${reason}`));
    member.subscribe(() => this.logRingChanges());
    // The damage scan before start checked every stored record's signature already.
    await this.peer.start({ onlineWithinMs: ONLINE_WITHIN_MS, storedChecked: true });
    if (this.bootstrap) {
      const signer = { spki: this.identity.spki, sign: (payload: Uint8Array) => signBytes(this.identity.privateKey, payload) };
      this.publisher = new BootstrapPublisher({ node: member.node, signer, overlay: this.config.overlay, urls: this.bootstrap.urls, log });
      this.publisher.start();
    }
    log(`records: ${member.loaded} loaded from disk${this.quarantined ? `, ${this.quarantined} damaged kept aside` : ''}; serving ${process.uptime().toFixed(1)} s after the process started`);
    if (this.config.statusEverySeconds > 0) this.statusTimer = setInterval(() => log(this.statusLine()), this.config.statusEverySeconds * 1000);
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

  /** Whether this peer holds its node ID on its own bootstrap endpoint, and how many entries it wrote to the DHT. */
  get bootstrapState(): { registered: boolean; published: number } {
    return { registered: this.peer.bootstrapEndpoint?.state.kind === 'online', published: this.publisher?.published ?? 0 };
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
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.ice?.stop();
    this.publisher?.stop();
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
    this.peer.leave();
    // Let the goodbye messages and the remembered peers reach the wire and the disk.
    await new Promise((r) => setTimeout(r, 300));
    this.peer.close('leaving');
    this.signaling.stop('stopping');
    this.peer.bootstrapEndpoint?.stop('stopping');
    await this.bootstrap?.close();
    this.policy.gate.close();
    await this.db.close();
    this.log('stopped');
  }
}
