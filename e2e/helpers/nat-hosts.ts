/**
 * Simulated hosts for the NAT suite and benchmark: an "internet" and homes
 * behind NAT routers, each a Linux network namespace, wired with veth pairs.
 *
 * ```
 *   home i (192.0.2.64(i-1)+2/26) ── lan│router i│wan (203.0.113.100+i) ── br0 of the internet (203.0.113.10/24)
 * ```
 *
 * - Routers forward (ip_forward is set inside the router namespaces only) and
 *   masquerade with nftables. A router drops what arrives on its WAN side
 *   without a conntrack entry, as a home router does (unsolicited packets
 *   never reach the home).
 * - `endpoint-dependent` mapping (RFC 4787 §4.1, "symmetric NAT"): `masquerade
 *   fully-random`, so each new destination gets its own random external
 *   port; a STUN server's view of the home (server-reflexive candidate) then
 *   says nothing about the port another peer will see, and only TURN works.
 * - `endpoint-independent` mapping: plain `masquerade` keeps the source port,
 *   so one host port has one external port for every destination, and ICE
 *   hole punching works (RFC 8445 §2.1). Filtering stays address-and-port
 *   dependent (the drop above): bare masquerade without it is not permissive,
 *   since the far side's first check would make its own conntrack entry and
 *   the host's packet would be re-mapped.
 *
 * Only documentation ranges (RFC 5737) are used; no namespace has a route to
 * anything outside the topology; the machine's own namespace (and the e2e
 * runner's loopback-only one) gets no interface, address or route: every
 * veth pair is created with both ends inside the new namespaces. Names carry
 * this process's pid, so concurrent runs never collide, and a run removes
 * namespaces left by runs whose process is gone.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** RFC 4787 NAT mapping behaviour of a home's router. */
export type NatMapping = 'endpoint-dependent' | 'endpoint-independent';

/** One home: a host namespace behind its router namespace. */
export interface Home {
  /** 1-based. */
  readonly index: number;
  readonly mapping: NatMapping;
  /** The host's namespace (where the home's browser runs). */
  readonly ns: string;
  readonly routerNs: string;
  /** The host's private address. */
  readonly address: string;
  /** The router's public (WAN) address: what the internet sees. */
  readonly publicAddress: string;
}

export interface NatTopology {
  /** The namespace of the internet, where the node and coturn run. */
  readonly internetNs: string;
  /** The internet host's address (node, signaling, coturn). */
  readonly internetAddress: string;
  readonly homes: readonly Home[];
  /** Runs a command in `ns` and waits; throws with its output when it fails. */
  run(ns: string, command: string[]): string;
  /** Starts a long-running command in `ns` (its own process group); `remove()` ends what is left. */
  start(ns: string, command: string[], options?: SpawnOptions): ChildProcess;
  /** Ends every process started in the topology's namespaces and deletes the namespaces. Safe to call twice. */
  remove(): void;
}

const PREFIX = 'p2pnat';
export const INTERNET_ADDRESS = '203.0.113.10';

function sh(args: string[], allowFail = false): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0 && !allowFail) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout ?? '';
}

function namespaces(): string[] {
  return sh(['ip', 'netns', 'list'], true)
    .split('\n')
    .map((l) => l.split(' ')[0]!.trim())
    .filter(Boolean);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills every process inside `ns` and deletes it. */
function deleteNamespace(ns: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    const pids = sh(['ip', 'netns', 'pids', ns], true).split('\n').map(Number).filter((p) => p > 0);
    if (pids.length === 0) break;
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('sleep', ['0.2']);
  }
  sh(['ip', 'netns', 'del', ns], true);
}

/** Deletes namespaces of this prefix whose creating process is gone (a run killed before its cleanup). */
export function removeStaleNamespaces(): string[] {
  const stale = namespaces().filter((ns) => {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(ns);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  stale.forEach(deleteNamespace);
  return stale;
}

/** Whether this process may build namespaces (root, iproute2 and nftables present). */
export function canBuildNatHosts(): { ok: boolean; why: string } {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root' };
  for (const tool of ['ip', 'nft']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return { ok: false, why: `${tool} is missing` };
  return { ok: true, why: '' };
}

function routerRules(mapping: NatMapping): string {
  return `table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade${mapping === 'endpoint-dependent' ? ' fully-random' : ''}
  }
}
table ip filter {
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "wan" ct state new drop
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state new drop
  }
}
`;
}

/**
 * Builds the internet and one home per entry of `mappings` (at most 3).
 * On any failure it removes what it made and throws.
 */
export function buildNatTopology(mappings: NatMapping[]): NatTopology {
  if (mappings.length < 1 || mappings.length > 3) throw new Error('one to three homes');
  removeStaleNamespaces();
  const tag = `${PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const made: string[] = [];
  const children: ChildProcess[] = [];
  let removed = false;
  const run = (ns: string, command: string[]): string => sh(['ip', 'netns', 'exec', ns, ...command]);
  const addNs = (name: string): string => {
    const ns = `${tag}-${name}`;
    sh(['ip', 'netns', 'add', ns]);
    made.push(ns);
    run(ns, ['ip', 'link', 'set', 'lo', 'up']);
    run(ns, ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    run(ns, ['sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
    return ns;
  };
  const remove = (): void => {
    if (removed) return;
    removed = true;
    for (const c of children) {
      try {
        if (c.pid && c.exitCode === null) process.kill(-c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const ns of made.reverse()) deleteNamespace(ns);
  };
  try {
    const internetNs = addNs('inet');
    run(internetNs, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    run(internetNs, ['ip', 'addr', 'add', `${INTERNET_ADDRESS}/24`, 'dev', 'br0']);
    run(internetNs, ['ip', 'link', 'set', 'br0', 'up']);
    const homes: Home[] = mappings.map((mapping, i) => {
      const index = i + 1;
      const routerNs = addNs(`r${index}`);
      const ns = addNs(`h${index}`);
      const publicAddress = `203.0.113.${100 + index}`;
      const base = 64 * i;
      const gateway = `192.0.2.${base + 1}`;
      const address = `192.0.2.${base + 2}`;
      // Both ends are made inside the new namespaces: nothing ever appears in ours.
      run(internetNs, ['ip', 'link', 'add', `r${index}`, 'type', 'veth', 'peer', 'name', 'wan', 'netns', routerNs]);
      run(internetNs, ['ip', 'link', 'set', `r${index}`, 'master', 'br0', 'up']);
      run(routerNs, ['ip', 'link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      run(routerNs, ['ip', 'addr', 'add', `${publicAddress}/24`, 'dev', 'wan']);
      run(routerNs, ['ip', 'addr', 'add', `${gateway}/26`, 'dev', 'lan']);
      run(routerNs, ['ip', 'link', 'set', 'wan', 'up']);
      run(routerNs, ['ip', 'link', 'set', 'lan', 'up']);
      run(routerNs, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      const rules = spawnSync('ip', ['netns', 'exec', routerNs, 'nft', '-f', '-'], { input: routerRules(mapping), encoding: 'utf8' });
      if (rules.status !== 0) throw new Error(`nft in ${routerNs}: ${rules.stderr}`);
      run(ns, ['ip', 'addr', 'add', `${address}/26`, 'dev', 'eth0']);
      run(ns, ['ip', 'link', 'set', 'eth0', 'up']);
      // A default route as a home has; it ends at the router, which knows only the topology's own networks.
      run(ns, ['ip', 'route', 'add', 'default', 'via', gateway]);
      return { index, mapping, ns, routerNs, address, publicAddress };
    });
    return {
      internetNs,
      internetAddress: INTERNET_ADDRESS,
      homes,
      run,
      start: (ns, command, options = {}) => {
        const child = spawn('ip', ['netns', 'exec', ns, ...command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...options });
        children.push(child);
        return child;
      },
      remove,
    };
  } catch (e) {
    remove();
    throw e;
  }
}
