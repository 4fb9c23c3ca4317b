/**
 * The public node and the homes' browsers of a NAT topology (nat-hosts.ts):
 * - `startPublicNode`: `npm start` (the app, its signaling server and a
 *   service peer) in the internet namespace, bound to the internet address,
 *   with the node's ICE settings (STUN_URLS, TURN_URLS, TURN_SECRET,
 *   TURN_TTL_S) so it hands tabs their STUN/TURN list at /ice-servers;
 * - `launchHomeBrowser`: the system Chromium inside a home's namespace,
 *   driven by Playwright over its pipe (the executable is a wrapper that
 *   runs `ip netns exec <home> chromium "$@"`), run as people's browsers
 *   run: without `--allow-loopback-in-peer-connection` and without turning
 *   off the mDNS hiding of host candidates. The app is served over plain
 *   http from the internet address, which is no secure context, so the
 *   browser is told to treat that one origin as secure
 *   (`--unsafely-treat-insecure-origin-as-secure`), as a developer would.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { chromiumPath } from '../runner/chromium-path.ts';
import { CHROMIUM_ARGS, NO_THROTTLING_SWITCHES } from './browser.ts';
import type { Home, NatTopology } from './nat-hosts.ts';

export interface PublicNode {
  /** `http://203.0.113.10:<port>` */
  readonly url: string;
  /** The last 30,000 characters the node printed. */
  output(): string;
  /** Every line the node printed that contains `text`, from its start (the output above keeps only its end). */
  linesWith(text: string): string[];
  stop(): Promise<void>;
}

/** The node's ICE settings, as its environment variables (the /ice-servers contract). */
export interface NodeIceSettings {
  STUN_URLS?: string;
  TURN_URLS?: string;
  TURN_SECRET?: string;
  TURN_TTL_S?: string;
}

/** Starts the node in the internet namespace (with its service peer unless `servicePeer` is false) and waits until its signaling server answers there. */
export async function startPublicNode(topology: NatTopology, ice: NodeIceSettings, port = 8080, servicePeer = true): Promise<PublicNode> {
  const data = mkdtempSync(join(tmpdir(), 'nat-node-'));
  const child = topology.start(topology.internetNs, ['npm', 'start', '--silent'], {
    env: {
      ...process.env,
      ...ice,
      PORT: String(port),
      HOST: topology.internetAddress,
      SOFTPHONE_WATCH: '0',
      SERVICE_PEER: servicePeer ? '1' : '0',
      SERVICE_PEER_DATA: join(data, 'service-peer'),
    },
  });
  let log = '';
  const lines: string[] = [];
  let partial = '';
  const keep = (b: Buffer): void => {
    log = (log + b.toString()).slice(-30_000);
    const parts = (partial + b.toString()).split('\n');
    partial = parts.pop() ?? '';
    // The service peer's first lines (its identity, its media servers) are worth more than its link chatter.
    for (const l of parts) if (lines.length < 200) lines.push(l);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://${topology.internetAddress}:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    rmSync(data, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the node exited (${child.exitCode}):\n${log}`);
    const r = spawnSync('ip', ['netns', 'exec', topology.internetNs, 'curl', '-sf', '-o', '/dev/null', `${url}/peerjs/`]);
    if (r.status === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the node did not answer at ${url} in 90 s:\n${log}`);
    }
    await new Promise((res) => setTimeout(res, 300));
  }
  return { url, output: () => log, linesWith: (text) => lines.filter((l) => l.includes(text)), stop };
}

/** The loopback suites' switches that people's browsers do not have: loopback ICE candidates, and mDNS hiding off. */
const LOOPBACK_SWITCHES = new Set(['--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns']);

/** Chromium's switches for a home's browser: the suites' own (CHROMIUM_ARGS) but none of the loopback/mDNS ones. */
export function homeBrowserArgs(origins: string[]): string[] {
  return [
    ...CHROMIUM_ARGS.filter((a) => !LOOPBACK_SWITCHES.has(a)),
    `--unsafely-treat-insecure-origin-as-secure=${origins.join(',')}`,
    '--mute-audio',
  ];
}

export interface HomeBrowser {
  readonly home: Home;
  readonly browser: Browser;
  /** A new person in this home: a context allowed the (fake) camera and microphone. */
  newPerson(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Launches Chromium inside `home`'s namespace; `origins` are the nodes' http origins it treats as secure. */
export async function launchHomeBrowser(home: Home, origins: string[]): Promise<HomeBrowser> {
  const dir = mkdtempSync(join(tmpdir(), `nat-chromium-${home.index}-`));
  const wrapper = join(dir, 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${home.ns}' '${chromiumPath()}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const browser = await chromium.launch({ executablePath: wrapper, args: homeBrowserArgs(origins), ignoreDefaultArgs: NO_THROTTLING_SWITCHES, headless: true });
  return {
    home,
    browser,
    newPerson: () => browser.newContext({ permissions: ['camera', 'microphone'] }),
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
