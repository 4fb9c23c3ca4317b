/**
 * Browser benchmarks: `npm run bench -- [--tabs 16] [--only overlay] [--json FILE]`.
 * Real tabs of the system Chromium against the app served by `npm start`,
 * inside a loopback-only network namespace. Prints a table and writes JSON
 * with every figure, its unit and its baseline (measured in the same run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureLoopbackNamespace } from './netns.ts';

const argv = process.argv.slice(2);
ensureLoopbackNamespace('e2e/bench.ts', argv);

const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const tabs = Number(arg('tabs', '16'));
const only = arg('only', 'overlay');
const jsonFile = arg('json', only === 'service-peer' ? 'bench-results/service-peer.json' : only === 'calls' ? 'bench-results/calls.json' : 'bench-results/browser.json');

interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: string;
}
const figures: Figure[] = [];
const add = (name: string, value: number, unit: string, baseline = ''): void => {
  figures.push({ name, value: Math.round(value * 100) / 100, unit, baseline });
};
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

type Win = {
  __softphone: {
    overlay: {
      node: { counters: { totalSent(types?: ReadonlySet<string>): { messages: number; bytes: number }; sent: Map<string, number>; sentBytes: Map<string, number> } };
      lookup(k: string, m: 'recursive' | 'iterative'): Promise<{ hops: number; latencyMs: number }>;
      putNote(k: string, text: string, signer: unknown): Promise<{ stored: string[] }>;
      getNote(k: string): Promise<string | null>;
    };
    recordSigner(): Promise<unknown>;
  };
};

async function overlayBench(): Promise<void> {
  const { startApp } = await import('./server-process.ts');
  const app = await startApp();
  process.env['APP_URL'] = app.url;
  const { launchChromium, newPerson, openPeer, waitOnline, goTo } = await import('./harness.ts');
  const { allowEverything, waitForRing } = await import('./ring.ts');
  const { echo, openEchoLink, serveEcho } = await import('./peer-link.ts');
  const browser = await launchChromium();
  try {
    const ctx = await newPerson(browser);
    // The person allows the network once, in the first tab; the rest load at once.
    const first = await openPeer(ctx);
    await waitOnline(first);
    const pages: Page[] = [first];
    const loadStart = Date.now();
    await Promise.all(
      Array.from({ length: tabs - 1 }, async () => {
        const p = await openPeer(ctx);
        pages.push(p);
      }),
    );
    const lastLoaded = Date.now();
    await allowEverything(pages, 1500);
    add('tabs', tabs, 'tabs');
    const target = 'target ≤ 10,000 ms at 16 tabs; the Rings project did not converge 16 nodes in 5 min';
    try {
      await waitForRing(pages, 180_000);
      const ringAt = Date.now();
      add('ring consistent after the last tab loaded', ringAt - lastLoaded, 'ms', target);
      add('ring consistent after the first of the tabs started loading', ringAt - loadStart, 'ms');
    } catch (e) {
      // Reported, not fatal: the other figures still mean something on the ring as it stands.
      console.error(`[bench] ${(e as Error).message.slice(0, 300)}`);
      add('ring consistent after the last tab loaded (NOT within 180 s)', NaN, 'ms', target);
    }

    // Baseline: one data-channel round trip between two tabs, in this run.
    await serveEcho(pages[1]!);
    const id1 = await pages[1]!.evaluate(() => (window as unknown as { __softphone: { nodeIdentity: { nodeId: string } } }).__softphone.nodeIdentity.nodeId);
    await openEchoLink(pages[0]!, id1);
    const rtts: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = await pages[0]!.evaluate(async () => {
        const w = window as unknown as { __echoConn: { send(d: string): void }; __echoed: string[] };
        const before = w.__echoed.length;
        const t0 = performance.now();
        w.__echoConn.send(`rtt-${t0}`);
        while (w.__echoed.length === before) await new Promise((r) => setTimeout(r, 0));
        return performance.now() - t0;
      });
      rtts.push(t);
    }
    void echo;
    const rtt = pct(rtts, 0.5);
    add('data-channel round trip p50 (baseline)', rtt, 'ms', 'measured in this run');

    // Lookups from every tab.
    const lat: number[] = [];
    const hops: number[] = [];
    for (const p of pages) {
      const r = await p.evaluate(async () => {
        const out: { hops: number; ms: number }[] = [];
        for (let i = 0; i < 8; i++) {
          const key = [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');
          const t0 = performance.now();
          const res = await (window as unknown as Win).__softphone.overlay.lookup(key, 'recursive');
          out.push({ hops: res.hops, ms: performance.now() - t0 });
        }
        return out;
      });
      for (const x of r) {
        lat.push(x.ms);
        hops.push(x.hops);
      }
    }
    const meanHops = hops.reduce((a, b) => a + b, 0) / hops.length;
    add('lookup latency p50 (recursive)', pct(lat, 0.5), 'ms', `1.5 × hops × round trip = ${(1.5 * meanHops * rtt).toFixed(1)} ms`);
    add('lookup latency p99 (recursive)', pct(lat, 0.99), 'ms');
    add('lookup hops mean', meanHops, 'hops', `½·log2 N = ${(0.5 * Math.log2(tabs)).toFixed(2)}`);
    add('lookup latency p50 / (hops × round trip)', pct(lat, 0.5) / Math.max(0.01, meanHops * rtt), 'ratio', 'target ≤ 1.5');

    // Put and get.
    const pg = await pages[0]!.evaluate(async () => {
      const w = (window as unknown as Win).__softphone;
      const signer = await w.recordSigner();
      const puts: number[] = [];
      const gets: number[] = [];
      for (let i = 0; i < 10; i++) {
        const key = [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');
        let t0 = performance.now();
        await w.overlay.putNote(key, `bench ${i}`, signer);
        puts.push(performance.now() - t0);
        t0 = performance.now();
        await w.overlay.getNote(key);
        gets.push(performance.now() - t0);
      }
      return { puts, gets };
    });
    add('put latency p50', pct(pg.puts, 0.5), 'ms');
    add('get latency p50', pct(pg.gets, 0.5), 'ms');

    // Maintenance traffic and memory over half a minute of quiet.
    const MAINT = ['ping', 'pong', 'neighbors', 'neighbors-reply', 'notify', 'leave', 'sync', 'sync-reply'];
    const sample = (p: Page) =>
      p.evaluate((types) => {
        const c = (window as unknown as Win).__softphone.overlay.node.counters;
        let messages = 0;
        let bytes = 0;
        for (const t of types) {
          messages += c.sent.get(t) ?? 0;
          bytes += c.sentBytes.get(t) ?? 0;
        }
        return { messages, bytes };
      }, MAINT);
    const before = await Promise.all(pages.map(sample));
    const windowMs = 30_000;
    await new Promise((r) => setTimeout(r, windowMs));
    const after = await Promise.all(pages.map(sample));
    const perMin = (k: 'messages' | 'bytes') => (after.reduce((s, a, i) => s + a[k] - before[i]![k], 0) / pages.length) * (60_000 / windowMs);
    add('maintenance messages per tab per minute', perMin('messages'), 'messages/min', 'simulator at N = 100: 150');
    add('maintenance bytes per tab per minute', perMin('bytes'), 'bytes/min', 'simulator at N = 100: 6,300');
    const heaps = await Promise.all(pages.map((p) => p.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0)));
    add('JS heap per tab, mean', heaps.reduce((a, b) => a + b, 0) / heaps.length / 1048576, 'MiB');

    await goTo(pages[0]!, 'Network');
    await pages[0]!.screenshot({ path: `e2e/artifacts/ring-${tabs}.png`, fullPage: true });
  } finally {
    await browser.close();
    await app.stop();
  }
}

async function main(): Promise<void> {
  if (only !== 'overlay' && only !== 'service-peer' && only !== 'calls') {
    console.error(`unknown benchmark "${only}"; known: overlay, service-peer, calls`);
    process.exit(2);
  }
  const started = Date.now();
  if (only === 'service-peer') await (await import('./bench-service-peer.ts')).servicePeerBench(add, argv);
  else if (only === 'calls') await (await import('./bench-calls.ts')).callsBench(add, tabs, argv);
  else await overlayBench();
  add('wall time', (Date.now() - started) / 1000, 's');
  const width = Math.max(...figures.map((f) => f.name.length));
  console.log(`\n${'figure'.padEnd(width)}  ${'value'.padStart(10)}  unit          baseline`);
  for (const f of figures) console.log(`${f.name.padEnd(width)}  ${String(f.value).padStart(10)}  ${f.unit.padEnd(12)}  ${f.baseline}`);
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, JSON.stringify({ benchmark: only, tabs, date: new Date().toISOString(), figures }, null, 2) + '\n');
  console.log(`\nwrote ${jsonFile}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
