/**
 * `npm run bench -- --only service-peer [--records 10000]`: what one
 * service peer holds and serves. A Node client (the same RingMember, links
 * and WebRTC as the service peer) joins a ring with one service peer and
 * stores signed 1 KiB records on it, then fetches them back, all over a real
 * data channel on loopback. Run twice in the same benchmark: records in
 * memory (the baseline, `--in-memory`) and on LevelDB with synced writes.
 * Then memory at that many records, and how long the LevelDB peer takes,
 * after SIGKILL, from process start to serving a record to a new client
 * (baseline: the same for an empty peer).
 */
import { rmSync } from 'node:fs';
import { DEFAULT_ID_PUZZLE, exportSpki, generatePuzzleKeyPair, generateSigningKeyPair, MemoryKeyValueStore, nodeIdFromSpki, signBytes, solveDynamicPuzzle, toHex, type KeyValueStore } from '../../app/identity/index.ts';
import { createRecord, recordBatches, type WireRecord } from '../../app/overlay/index.ts';
import { systemClock } from '../../app/common/index.ts';
import { installWebRtcGlobals } from '../../app/service-peer/webrtc-env.ts';
import { startSignaling } from '../runner/server-process.ts';
import { startServicePeer, tempDataDir, type ServicePeerProcess } from '../helpers/service-peer.ts';

type Add = (name: string, value: number, unit: string, baseline?: string) => void;

const VALUE_BYTES = 1024;
/** Per-owner quota is 1,000 records; spread the records over owners. */
const PER_OWNER = 500;
const READS = 2000;
const CONCURRENCY = 8;

interface Client {
  member: import('../../app/peer/index.ts').RingMember;
  close(): void;
}

async function openClient(signaling: string, target: string): Promise<Client> {
  installWebRtcGlobals();
  const { Peer } = await import('peerjs');
  const t = await import('../../app/transport/index.ts');
  const peerLayer = await import('../../app/peer/index.ts');
  // The service peer refuses a key without the overlay's node ID puzzle solved.
  const { keys, spki } = await generatePuzzleKeyPair(DEFAULT_ID_PUZZLE.staticBits);
  const nodeId = await nodeIdFromSpki(spki);
  const sig = new t.SignalingClient({ nodeId, servers: [t.parseServerUrl(signaling)], createPeer: (id, o) => new Peer(id, { ...o, debug: 0 }),
    keyProof: { spki, sign: (p) => signBytes(keys.privateKey, p) },
  });
  const dialer = new t.PeerJsDialer(sig);
  dialer.watch();
  const { x: puzzle } = await solveDynamicPuzzle(spki, DEFAULT_ID_PUZZLE.dynamicBits);
  const links = new t.LinkManager({ dialer, local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey, puzzle }, idPuzzle: DEFAULT_ID_PUZZLE, policy: async () => ({ allow: true, reason: 'bench' }), clock: systemClock });
  const kv: KeyValueStore = new MemoryKeyValueStore();
  const member = new peerLayer.RingMember({ ...peerLayer.liveRingComponents(links), records: kv, settings: new MemoryKeyValueStore(), onlinePeers: () => [target] });
  await new Promise<void>((resolve) => {
    if (sig.state.kind === 'online') resolve();
    sig.onState((s) => s.kind === 'online' && resolve());
    sig.start();
  });
  await member.start();
  return {
    member,
    close: () => {
      member.leave();
      links.close('bench done');
      sig.stop('bench done');
    },
  };
}


async function makeRecords(n: number): Promise<WireRecord[]> {
  const out: WireRecord[] = [];
  for (let o = 0; o * PER_OWNER < n; o++) {
    const k = await generateSigningKeyPair();
    const signer = { spki: await exportSpki(k.publicKey), sign: (p: Uint8Array) => signBytes(k.privateKey, p) };
    for (let i = o * PER_OWNER; i < Math.min(n, (o + 1) * PER_OWNER); i++) {
      const value = crypto.getRandomValues(new Uint8Array(VALUE_BYTES));
      out.push(await createRecord(signer, { key: crypto.getRandomValues(new Uint8Array(20)), kind: 'single', value, version: 1, expires: Date.now() + 3_600_000 }));
    }
  }
  return out;
}

/** Runs `jobs` with at most CONCURRENCY in flight. */
async function pool<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

async function storeAll(c: Client, sp: string, records: WireRecord[]): Promise<{ ms: number; stored: number; bytes: number }> {
  const t0 = performance.now();
  const results = await pool(recordBatches(records).map((batch) => () => c.member.node.handOver(sp, batch, { timeoutMs: 60_000 })));
  const ms = performance.now() - t0;
  const stored = results.reduce<number>((n, r) => n + r.taken, 0);
  return { ms, stored, bytes: stored * VALUE_BYTES };
}

async function fetchSome(c: Client, sp: string, records: WireRecord[]): Promise<{ ms: number; got: number; bytes: number }> {
  const sample = records.slice(0, READS);
  const t0 = performance.now();
  const results = await pool(sample.map((r) => () => c.member.node.readFrom(sp, r.k)));
  const ms = performance.now() - t0;
  const got = results.filter((r) => (r?.records.length ?? 0) > 0);
  return { ms, got: got.length, bytes: got.length * VALUE_BYTES };
}

/** From spawning the peer to a new client's first answered fetch of `probe`. */
async function restartToServing(sigUrl: string, dataDir: string, extra: string[], probe: WireRecord | null): Promise<{ healthMs: number; servingMs: number }> {
  const t0 = performance.now();
  const sp = await startServicePeer(sigUrl, dataDir, extra);
  const healthMs = performance.now() - t0;
  const spId = (await sp.status()).nodeId;
  const c = await openClient(sigUrl, spId);
  try {
    for (;;) {
      const r = await c.member.node.readFrom(spId, probe?.k ?? new Uint8Array(20));
      if (r !== null && (probe === null || r.records.length > 0)) break;
      if (performance.now() - t0 > 120_000) throw new Error('the restarted peer did not serve within 120 s');
    }
    return { healthMs, servingMs: performance.now() - t0 };
  } finally {
    c.close();
    await sp.stop();
  }
}

export async function servicePeerBench(add: Add, argv: string[]): Promise<void> {
  const i = argv.indexOf('--records');
  const n = i >= 0 ? Number(argv[i + 1]) : 10_000;
  if (!Number.isInteger(n) || n < PER_OWNER) throw new Error(`--records must be a whole number of at least ${PER_OWNER}`);
  const signaling = await startSignaling();
  const sigUrl = `${signaling.url}/peerjs`;
  const dirs: string[] = [];
  const peers: ServicePeerProcess[] = [];
  try {
    console.error(`[bench] signing ${n} records of ${VALUE_BYTES} bytes…`);
    const records = await makeRecords(n);
    add('records stored', n, 'records', `${VALUE_BYTES}-byte values, ${PER_OWNER} per owner`);
    const result: Record<string, { write: Awaited<ReturnType<typeof storeAll>>; read: Awaited<ReturnType<typeof fetchSome>>; heap: number; rss: number; disk: number; idle: { heap: number; rss: number } }> = {};
    for (const kind of ['memory', 'leveldb'] as const) {
      const dir = tempDataDir(`bench-${kind}`);
      dirs.push(dir);
      const sp = await startServicePeer(sigUrl, dir, kind === 'memory' ? ['--in-memory'] : []);
      peers.push(sp);
      const spId = (await sp.status()).nodeId;
      const idle = await sp.status();
      const c = await openClient(sigUrl, spId);
      console.error(`[bench] ${kind}: storing…`);
      const write = await storeAll(c, spId, records);
      console.error(`[bench] ${kind}: fetching…`);
      const read = await fetchSome(c, spId, records);
      const s = await sp.status();
      result[kind] = { write, read, heap: s.heapBytes, rss: s.rssBytes, disk: s.diskBytes, idle: { heap: idle.heapBytes, rss: idle.rssBytes } };
      c.close();
      if (kind === 'memory') await sp.stop();
    }
    const m = result['memory']!;
    const l = result['leveldb']!;
    const rate = (count: number, ms: number): number => count / (ms / 1000);
    add('records stored per second (LevelDB, synced)', rate(l.write.stored, l.write.ms), 'records/s', `in memory: ${rate(m.write.stored, m.write.ms).toFixed(0)}`);
    add('MiB stored per second (LevelDB, synced)', rate(l.write.bytes, l.write.ms) / 1048576, 'MiB/s', `in memory: ${(rate(m.write.bytes, m.write.ms) / 1048576).toFixed(2)}`);
    add('records accepted of those sent (LevelDB)', l.write.stored, 'records', `in memory: ${m.write.stored}`);
    add('records served per second (fetch, LevelDB peer)', rate(l.read.got, l.read.ms), 'records/s', `in memory: ${rate(m.read.got, m.read.ms).toFixed(0)}`);
    add('MiB served per second (LevelDB peer)', rate(l.read.bytes, l.read.ms) / 1048576, 'MiB/s', `in memory: ${(rate(m.read.bytes, m.read.ms) / 1048576).toFixed(2)}`);
    add(`JS heap at ${n} records (LevelDB peer)`, l.heap / 1048576, 'MiB', `empty: ${(l.idle.heap / 1048576).toFixed(1)}; in-memory peer: ${(m.heap / 1048576).toFixed(1)}`);
    add(`resident memory at ${n} records (LevelDB peer)`, l.rss / 1048576, 'MiB', `empty: ${(l.idle.rss / 1048576).toFixed(1)}; in-memory peer: ${(m.rss / 1048576).toFixed(1)}`);
    add(`disk use at ${n} records`, l.disk / 1048576, 'MiB', `values alone: ${((n * VALUE_BYTES) / 1048576).toFixed(1)}`);

    // Restart: SIGKILL the LevelDB peer, start it again on its data.
    const sp = peers[1]!;
    await sp.stop('SIGKILL');
    const probe = records[records.length - 1]!;
    const full = await restartToServing(sigUrl, sp.dataDir, [], probe);
    const emptyDir = tempDataDir('bench-empty');
    dirs.push(emptyDir);
    const empty = await restartToServing(sigUrl, emptyDir, [], null);
    add(`restart to health endpoint, ${n} records`, full.healthMs, 'ms', `empty peer: ${empty.healthMs.toFixed(0)}`);
    add(`restart to serving a record to a new client, ${n} records`, full.servingMs, 'ms', `empty peer: ${empty.servingMs.toFixed(0)}`);
    console.error(`[bench] probe key ${toHex(probe.k).slice(0, 12)} served after restart`);
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    await signaling.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
