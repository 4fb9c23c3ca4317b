/**
 * The simulated hosts of the NAT suite behave as the suite claims, checked
 * with plain UDP sockets before any browser is blamed: homes 1 and 2 map
 * each destination to its own external port (endpoint-dependent, so a
 * STUN-learned address is useless to a peer), home 3 keeps one mapping for
 * every destination, and the namespaces go away when removed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNatTopology, canBuildNatHosts, type NatTopology } from '../helpers/nat-hosts.ts';
import { mappingOf, punch } from '../helpers/udp-probe.ts';

const can = canBuildNatHosts();
let topology: NatTopology | null = null;
const dir = mkdtempSync(join(tmpdir(), 'nat-probe-'));

describe.skipIf(!can.ok)('NAT hosts', () => {
  beforeAll(() => {
    topology = buildNatTopology(['endpoint-dependent', 'endpoint-dependent', 'endpoint-independent']);
  });
  afterAll(() => {
    topology?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('homes 1 and 2 get a new external port per destination; home 3 keeps one', async () => {
    const t = topology!;
    for (const home of t.homes) {
      const [one, two] = await mappingOf(t, home);
      console.log(`[nat-hosts] home ${home.index} (${home.mapping}) seen as ${one} and ${two}`);
      expect(one.split(':')[0]).toBe(home.publicAddress);
      if (home.mapping === 'endpoint-dependent') expect(one).not.toBe(two);
      else expect(one).toBe(two);
    }
  });

  it('a mapping learned from a STUN-like reflector does not let home 1 and home 2 reach each other', async () => {
    const t = topology!;
    const r = await punch(t, t.homes[0]!, t.homes[1]!, dir);
    expect(r).toEqual({ aHeard: false, bHeard: false });
  });

  it('removing the topology deletes its namespaces and leaves none behind', () => {
    const names = [topology!.internetNs, ...topology!.homes.flatMap((h) => [h.ns, h.routerNs])];
    topology!.remove();
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    for (const n of names) expect(left).not.toContain(n);
  });
});

it.runIf(!can.ok)('NAT hosts need root, iproute2 and nftables', () => {
  console.warn(`[nat-hosts] skipped: ${can.why}`);
});
