/**
 * `npm run bench -- --only nat [--calls 5] [--delay 30] [--hold 20] [--page settings|home]`: the
 * softphone across NATs against the same on loopback, in one run.
 *
 * Three settings, two people (alice and bob, one tab each, names claimed):
 * 1. loopback: both tabs in the suites' Chromium, the app on 127.0.0.1
 *    (the baseline);
 * 2. across NATs: alice in home 1 and bob in home 2 behind endpoint-dependent
 *    NATs (e2e/helpers/nat-hosts.ts), the node and coturn in the internet
 *    namespace, so links and media go through TURN;
 * 3. the same with `--delay` ms of one-way delay on each home's uplink
 *    (e2e/helpers/uplink-delay.ts: a user-space delaying forwarder in each
 *    router namespace, since this kernel has no netem).
 * In each, `--calls` times: the overlay link alice → bob is closed and made
 * again (link set-up: connect → handshaken link), then a SIP video call
 * (dial → ringing at the caller, dial → first remote video frame), whose
 * selected candidate pair is read from getStats before hang-up. Last, one
 * call held `--hold` s across the NATs gives the TURN relay bytes per
 * minute (alice's selected pair, bytes sent + received).
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPerson, openPeer } from '../helpers/browser.ts';
import { waitOnline } from '../helpers/harness.ts';
import { allowEverything, waitForRing } from '../helpers/ring.ts';
import { buildNatTopology, type NatTopology } from '../helpers/nat-hosts.ts';
import { launchHomeBrowser, startPublicNode, type HomeBrowser, type PublicNode } from '../helpers/nat-node.ts';
import { openAt, waitForRingWithOthers } from '../helpers/nat-tabs.ts';
import { startTurnServer, type TurnServer } from '../helpers/turn-server.ts';
import { addUplinkDelay, type UplinkDelay } from '../helpers/uplink-delay.ts';
import { startApp } from '../runner/server-process.ts';
import { addPageFigure, benchPage, claimForBench, numberArg, pct, showPage, type BenchPage } from './bench-people.ts';
import { installBench, type CallTimes, type PageBench } from './bench-calls-page.ts';
import { installPairRecorder, linkSetUp, relayBytesPerMinute, type PairWin } from './bench-nat-page.ts';

type Add = (name: string, value: number, unit: string, baseline?: string) => void;
type Win = { __bench: PageBench } & PairWin;

const SECRET = 'nat-bench-shared-secret';
const NODE_PORT = 8080;

interface Sample {
  link: number[];
  ring: number[];
  media: number[];
  relay: boolean[];
  failures: string[];
}

/** `calls` rounds of link set-up and call between `a` (alice) and `b` (bob). */
async function measure(a: Page, b: Page, calls: number): Promise<Sample> {
  const s: Sample = { link: [], ring: [], media: [], relay: [], failures: [] };
  const bobId = await b.evaluate(() => window.softphoneTest!.nodeId()!);
  for (let i = 0; i < calls; i++) {
    const link = await a.evaluate(linkSetUp, [bobId, null] as const);
    if (typeof link !== 'string') s.link.push(link.ms);
    else s.failures.push(`link: ${link}`);
    const c: CallTimes = await a.evaluate((t) => (window as unknown as Win).__bench.sipCall('bob', t), 30_000);
    if (c.tFirstFrame === null) s.failures.push(`call: ${c.outcome ?? c.how}`);
    else s.media.push(c.tFirstFrame - c.tDial);
    if (c.tRingBack !== null) s.ring.push(c.tRingBack - c.tDial);
    await a.waitForFunction((id) => (window as unknown as Win).__pairs[id] !== undefined, c.id, { timeout: 5000 }).catch(() => undefined);
    const pair = await a.evaluate((id) => (window as unknown as Win).__pairs[id] ?? null, c.id);
    if (pair) s.relay.push(pair.relay);
    await a.waitForTimeout(1000);
  }
  return s;
}

async function prepare(a: Page, b: Page, page: BenchPage): Promise<void> {
  await claimForBench(b, 'bob');
  await claimForBench(a, 'alice');
  // tsx names inner functions with a __name helper the page does not have.
  await Promise.all([a, b].map((p) => p.evaluate('globalThis.__name = (f) => f')));
  await Promise.all([a.evaluate(installBench), b.evaluate(installBench)]);
  await a.evaluate(installPairRecorder);
  // Meet first, as bench-calls does: bob allows alice once, so his contact question is out of the call figures
  // (unanswered, it held every call of the first runs, on loopback too).
  let settled = false;
  const sent = a.evaluate(() => window.softphoneTest!.phone()!.sendMessage('bob', 'hello from the benchmark')).finally(() => (settled = true));
  while (!settled) await allowEverything([b], 200);
  const m = await sent;
  if (m.status !== 'sent') throw new Error(`alice could not reach bob before the calls: ${m.error ?? m.status}`);
  await showPage([a, b], page);
}

function report(add: Add, label: string, s: Sample, base?: Sample): void {
  add(`overlay link set-up ${label}, p50`, pct(s.link, 0.5), 'ms', base ? `loopback ${pct(base.link, 0.5)} ms` : '');
  add(`overlay link set-up ${label}, p95`, pct(s.link, 0.95), 'ms', base ? `loopback ${pct(base.link, 0.95)} ms` : '');
  add(`call dial to ringing ${label}, p50`, pct(s.ring, 0.5), 'ms', base ? `loopback ${pct(base.ring, 0.5)} ms` : '');
  add(`call dial to media ${label}, p50`, pct(s.media, 0.5), 'ms', base ? `loopback ${pct(base.media, 0.5)} ms` : '');
  add(`call dial to media ${label}, p95`, pct(s.media, 0.95), 'ms', base ? `loopback ${pct(base.media, 0.95)} ms` : '');
  if (s.failures.length > 0) add(`failures ${label}`, s.failures.length, 'count', s.failures.slice(0, 3).join('; '));
}

async function loopback(calls: number, page: BenchPage): Promise<Sample> {
  const app = await startApp();
  process.env['APP_URL'] = app.url;
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const b = await openPeer(await newPerson(browser));
    const a = await openPeer(await newPerson(browser));
    await Promise.all([waitOnline(a), waitOnline(b)]);
    await waitForRing([a, b], 120_000);
    await prepare(a, b, page);
    return await measure(a, b, calls);
  } finally {
    await browser?.close();
    await app.stop();
  }
}

/** Runs the NAT settings: relay, then relay with `delayMs` on each uplink, then the held call. */
export async function natBench(add: Add, argv: string[]): Promise<void> {
  const calls = numberArg(argv, 'calls', 5);
  const delayMs = numberArg(argv, 'delay', 30);
  const holdS = numberArg(argv, 'hold', 20);
  const pageAt = argv.indexOf('--page');
  const page = benchPage(pageAt >= 0 ? (argv[pageAt + 1] ?? '') : 'settings');
  add('calls per setting', calls, 'calls');
  addPageFigure(add, page, 2);
  const base = await loopback(calls, page);
  report(add, 'on loopback', base);

  let topology: NatTopology | null = null;
  let turn: TurnServer | null = null;
  let node: PublicNode | null = null;
  const browsers: HomeBrowser[] = [];
  const delays: UplinkDelay[] = [];
  try {
    topology = buildNatTopology(['endpoint-dependent', 'endpoint-dependent']);
    turn = await startTurnServer(topology, SECRET);
    // No service peer: the two homes' tabs are the whole ring, so every message between them crosses the NATs.
    node = await startPublicNode(topology, { TURN_URLS: turn.url, TURN_SECRET: SECRET, STUN_URLS: `stun:${topology.internetAddress}:3478` }, NODE_PORT, false);
    for (const home of topology.homes) browsers.push(await launchHomeBrowser(home, [node.url]));
    const errors: string[] = [];
    const b = await openAt(await browsers[1]!.newPerson(), node.url, errors);
    const a = await openAt(await browsers[0]!.newPerson(), node.url, errors);
    await Promise.all([waitOnline(a, 60_000), waitOnline(b, 60_000)]);
    await waitForRingWithOthers([a, b], 2, 120_000);
    await prepare(a, b, page);
    const nat = await measure(a, b, calls);
    report(add, 'across NAT (relay)', nat, base);
    add('call dial to media across NAT / loopback, p50 ratio', pct(nat.media, 0.5) / pct(base.media, 0.5), 'ratio', 'loopback in the same run');
    add('overlay link set-up across NAT / loopback, p50 ratio', pct(nat.link, 0.5) / pct(base.link, 0.5), 'ratio', 'loopback in the same run');

    for (const home of topology.homes) delays.push(await addUplinkDelay(topology, home, delayMs, { udp: [3478], tcp: [NODE_PORT] }));
    const slow = await measure(a, b, calls);
    report(add, `across NAT with ${delayMs} ms one-way uplink delay`, slow, base);
    const relayed = [...nat.relay, ...slow.relay];
    add('calls whose selected candidate pair was relay (%)', (100 * relayed.filter(Boolean).length) / Math.max(1, relayed.length), '%', `${relayed.length} calls across NAT`);

    // The timed figures above stand even when the held call fails: say why instead of losing the table.
    const bytes = await a.evaluate(relayBytesPerMinute, holdS).catch((e: unknown) => (e as Error).message);
    if (typeof bytes === 'string') add('TURN relay bytes per minute of a video call', NaN, 'bytes/min', `not measured: ${bytes}`);
    else add('TURN relay bytes per minute of a video call', bytes.perMinute, 'bytes/min', `alice's selected pair (${bytes.local} → ${bytes.remote}), ${holdS} s held`);
    if (errors.length > 0) add('page errors', errors.length, 'count', errors.slice(0, 2).join('; '));
  } finally {
    delays.forEach((d) => d.remove());
    for (const br of browsers) await br.close();
    await node?.stop();
    await turn?.stop();
    topology?.remove();
  }
}
