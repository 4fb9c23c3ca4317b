/**
 * coturn (Debian's `coturn` package, `turnserver`) in the internet namespace
 * of a NAT topology, with TURN REST credentials (`use-auth-secret`: the
 * shared-secret scheme of draft-uberti-behave-turn-rest, which the node's
 * /ice-servers endpoint hands out). The Debian package starts no daemon
 * here, so the suite runs `turnserver -c FILE` itself with a config it
 * writes, and reads coturn's per-session usage lines for relay byte counts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import type { NatTopology } from './nat-hosts.ts';

export interface TurnServer {
  /** `turn:<address>:<port>?transport=udp` */
  readonly url: string;
  readonly secret: string;
  /** Bytes coturn reported relayed (received + sent on relay sockets) by sessions that ended so far. */
  relayedBytes(): number;
  /** What coturn printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The coturn config: listens on the internet address only; relays on a small
 * port range there; lets relays reach the internet range and refuses the
 * homes' private range, so an allocation never tries to send to an address
 * that only means something inside a home (coturn then dropped allocations
 * in the checks we ran).
 */
export function turnConfig(address: string, port: number, secret: string, dir: string): string {
  return [
    `listening-ip=${address}`,
    `relay-ip=${address}`,
    `listening-port=${port}`,
    'min-port=49160',
    'max-port=49399',
    'use-auth-secret',
    `static-auth-secret=${secret}`,
    'realm=p2p.local',
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-tcp-relay',
    'allowed-peer-ip=203.0.113.0-203.0.113.255',
    'denied-peer-ip=192.0.2.0-192.0.2.255',
    'denied-peer-ip=198.51.100.0-198.51.100.255',
    `userdb=${join(dir, 'turndb')}`,
    `pidfile=${join(dir, 'turnserver.pid')}`,
    'log-file=stdout',
    'simple-log',
    '',
  ].join('\n');
}

/** Starts coturn in `topology`'s internet namespace and waits until it listens. */
export async function startTurnServer(topology: NatTopology, secret: string, port = 3478): Promise<TurnServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nat-turn-'));
  const file = join(dir, 'turnserver.conf');
  writeFileSync(file, turnConfig(topology.internetAddress, port, secret, dir));
  const child: ChildProcess = topology.start(topology.internetNs, ['turnserver', '-c', file]);
  let log = '';
  let relayed = 0;
  const onData = (d: Buffer): void => {
    const text = d.toString();
    log = (log + text).slice(-50_000);
    // "... usage: realm=<p2p.local>, username=<...>, rp=12, rb=3456, sp=12, sb=3456" at the end of each session
    for (const m of text.matchAll(/usage: .*?rb=(\d+), sp=\d+, sb=(\d+)/g)) relayed += Number(m[1]) + Number(m[2]);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 15_000;
  const listening = (): boolean => spawnSync('ip', ['netns', 'exec', topology.internetNs, 'ss', '-Hlun', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim() !== '';
  while (!listening()) {
    if (child.exitCode !== null) throw new Error(`turnserver exited (${child.exitCode}):\n${log.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`turnserver did not listen in 15 s:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `turn:${topology.internetAddress}:${port}?transport=udp`,
    secret,
    relayedBytes: () => relayed,
    output: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // gone
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
