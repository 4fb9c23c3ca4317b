/**
 * One-way delay on a home's uplink (nat-hosts.ts), without netem (this
 * kernel has none): the home's router redirects its UDP and TCP to the
 * internet host's given ports into e2e/tools/delay-forwarder.ts, which sends
 * them on after the delay. Covers every path the benchmark's traffic takes
 * from a home (TURN on UDP, the app and signaling on TCP), since a home
 * behind an endpoint-dependent NAT talks to the other home only through TURN.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Home, NatTopology } from './nat-hosts.ts';

const FORWARDER = fileURLToPath(new URL('../tools/delay-forwarder.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
/** Local ports are the destination port plus this. */
const OFFSET = 10_000;

export interface UplinkDelay {
  remove(): void;
}

/** Delays `home`'s packets to the internet host's `udp` and `tcp` ports by `delayMs`. */
export async function addUplinkDelay(topology: NatTopology, home: Home, delayMs: number, ports: { udp: number[]; tcp: number[] }): Promise<UplinkDelay> {
  const target = topology.internetAddress;
  const args = ['--delay', String(delayMs), '--target', target, ...ports.udp.flatMap((p) => ['--udp', `${p + OFFSET}:${p}`]), ...ports.tcp.flatMap((p) => ['--tcp', `${p + OFFSET}:${p}`])];
  const child = topology.start(home.routerNs, [TSX, FORWARDER, ...args]);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the delaying forwarder did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (c) => reject(new Error(`the delaying forwarder exited (${c}): ${err}`)));
  });
  const rules = [
    'table ip uplinkdelay {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...ports.udp.map((p) => `    iifname "lan" ip daddr ${target} udp dport ${p} redirect to :${p + OFFSET}`),
    ...ports.tcp.map((p) => `    iifname "lan" ip daddr ${target} tcp dport ${p} redirect to :${p + OFFSET}`),
    '  }',
    '}',
    '',
  ].join('\n');
  const r = spawnSync('ip', ['netns', 'exec', home.routerNs, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
  if (r.status !== 0) {
    child.kill('SIGKILL');
    throw new Error(`nft in ${home.routerNs}: ${r.stderr}`);
  }
  return {
    remove: () => {
      spawnSync('ip', ['netns', 'exec', home.routerNs, 'nft', 'delete', 'table', 'ip', 'uplinkdelay']);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}
