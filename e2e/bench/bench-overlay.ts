/**
 * `npm run bench -- --only overlay [--tabs 16]`: the live overlay in real
 * tabs. One tab loads first and waits online; the rest load at once. Then:
 * how long each tab takes from its page load to sitting at its right place
 * in the ring (p50, max), and the whole ring from the last load; lookup
 * latency next to one data-channel round trip measured in the same run;
 * put/get; maintenance traffic; heap. A timeline of the ring forming goes to
 * stderr, so a slow run says where the time went.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { started } from '../helpers/harness.ts';

type Add = (name: string, value: number, unit: string, baseline?: string) => void;

export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

/** The maintenance message types (Chord upkeep and replica sync; not lookups or unification probes). */
const MAINT = ['ping', 'pong', 'neighbors', 'neighbors-reply', 'notify', 'leave', 'sync', 'sync-reply'];

interface TabView {
  self: string;
  joined: boolean;
  status: string;
  predecessor: string | null;
  successor: string | null;
}

const viewOf = (p: Page): Promise<TabView | null> =>
  p
    .evaluate(() => {
      const s = window.softphoneTest?.ring();
      if (!s) return null;
      return { self: s.self, joined: s.joined, status: s.status, predecessor: s.predecessor, successor: s.successors[0] ?? null };
    })
    .catch(() => null);

/**
 * Opens a tab like the harness's openPeer, with room for 30 or more tabs
 * loading at once from the dev server (each fetches the app's modules one by one).
 */
async function openSlowly(ctx: BrowserContext, url: string, errors: string[]): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  await page.goto(url, { timeout: 180_000 });
  await started(page).waitFor({ timeout: 180_000 });
  return page;
}

/** Answers "Always allow" to the permission question showing in any of `pages`; returns how many. */
async function answerOnce(pages: Page[]): Promise<number> {
  let n = 0;
  for (const p of pages) {
    const dialog = p.getByRole('alertdialog');
    if ((await dialog.count().catch(() => 0)) === 0) continue;
    await dialog.getByRole('button', { name: 'Always allow', exact: true }).click({ timeout: 2000 }).catch(() => undefined);
    n++;
  }
  return n;
}

/**
 * Polls every tab until each one's successor and predecessor agree with the
 * sorted IDs of all tabs; answers permission questions on the way. Returns,
 * per tab, the time it first sat right, and when the whole ring did; logs a
 * line per second.
 */
async function watchRing(pages: Page[], loadedAt: number[], timeoutMs: number): Promise<{ rightAt: (number | null)[]; ringAt: number | null }> {
  const t0 = Date.now();
  const rightAt: (number | null)[] = pages.map(() => null);
  let lastLog = 0;
  while (Date.now() - t0 < timeoutMs) {
    const answered = await answerOnce(pages);
    const views = await Promise.all(pages.map(viewOf));
    const now = Date.now();
    const ids = views.map((v) => v?.self ?? '').sort();
    let right = 0;
    views.forEach((v, i) => {
      if (!v) return;
      const k = ids.indexOf(v.self);
      const ok = v.successor === ids[(k + 1) % ids.length] && v.predecessor === ids[(k - 1 + ids.length) % ids.length];
      if (ok) right++;
      if (ok && rightAt[i] === null) rightAt[i] = now;
    });
    if (now - lastLog >= 1000 || right === pages.length) {
      lastLog = now;
      const statuses = new Map<string, number>();
      for (const v of views) {
        const s = v ? v.status.replace(/[0-9]+/g, '#') : 'no overlay yet';
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
      const joined = views.filter((v) => v?.joined).length;
      console.error(
        `[ring +${((now - Math.max(...loadedAt)) / 1000).toFixed(1)} s] joined ${joined}/${pages.length}, right ${right}/${pages.length}` +
          `${answered ? `, answered ${answered} questions` : ''}; ${[...statuses].map(([s, n]) => `${n}× ${s}`).join('; ')}`,
      );
    }
    if (right === pages.length) return { rightAt, ringAt: now };
    await new Promise((r) => setTimeout(r, 250));
  }
  return { rightAt, ringAt: null };
}

type EchoWin = { __echoConn: EchoConn; __echoConns: Record<string, EchoConn> };
interface EchoConn {
  send(d: string): void;
  once(e: 'data', f: () => void): void;
}

/**
 * Raw PeerJS echo round trips: `hot` 50 in a row on one pair; `isolated` one
 * at a time after 25 ms of quiet, from up to four tabs to three partners each.
 */
async function echoRoundTrips(
  pages: Page[],
  openEchoLink: (p: Page, target: string) => Promise<void>,
  serveEcho: (p: Page) => Promise<void>,
): Promise<{ hot: number[]; isolated: number[] }> {
  const hot: number[] = [];
  const isolated: number[] = [];
  const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.softphoneTest!.nodeId()!)));
  const origins = Math.min(4, Math.floor(pages.length / 2));
  const serving = new Set<number>();
  for (let o = 0; o < origins; o++) {
    const partners: string[] = [];
    for (let j = 0; j < 3; j++) {
      const k = origins + ((o * 3 + j) % (pages.length - origins));
      try {
        if (!serving.has(k)) await serveEcho(pages[k]!);
        serving.add(k);
        await openEchoLink(pages[o]!, ids[k]!);
        partners.push(ids[k]!);
      } catch (e) {
        console.error(`[bench] echo link ${o} → ${k} failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    if (partners.length === 0) continue;
    const r = await pages[o]!.evaluate(
      async ({ partners, first }) => {
        const w = window as unknown as EchoWin;
        // No named helper here: the page gets this function's text, without the bundler's name shims.
        const plan: { conn: EchoConn; quiet: boolean; hot: boolean }[] = [];
        for (let i = 0; first && i < 50; i++) plan.push({ conn: w.__echoConns[partners[0]!]!, quiet: false, hot: true });
        for (let i = 0; i < 30; i++) plan.push({ conn: w.__echoConns[partners[i % partners.length]!]!, quiet: true, hot: false });
        const hot: number[] = [];
        const isolated: number[] = [];
        for (const [i, step] of plan.entries()) {
          if (step.quiet) await new Promise((res) => setTimeout(res, 25));
          const t0 = performance.now();
          await new Promise<void>((res) => {
            step.conn.once('data', () => res());
            step.conn.send(`rtt-${i}`);
          });
          (step.hot ? hot : isolated).push(performance.now() - t0);
        }
        return { hot, isolated };
      },
      { partners, first: o === 0 },
    );
    hot.push(...r.hot);
    isolated.push(...r.isolated);
  }
  return { hot, isolated };
}

export async function overlayBench(add: Add, tabs: number): Promise<void> {
  const { startApp } = await import('../runner/server-process.ts');
  const app = await startApp();
  process.env['APP_URL'] = app.url;
  const { appURL, launchChromium, newPerson, openPeer, pageErrors } = await import('../helpers/browser.ts');
  const { waitOnline, goTo } = await import('../helpers/harness.ts');
  const { allowEverything } = await import('../helpers/ring.ts');
  const { openEchoLink, serveEcho } = await import('../helpers/peer-link.ts');
  const browser = await launchChromium();
  try {
    const ctx = await newPerson(browser);
    // tsx names arrow functions with a `__name` helper that page.evaluate's copy of them lacks.
    await ctx.addInitScript('globalThis.__name ??= (f) => f;');
    // The person allows the network once, in the first tab (as "Always allow" to the once-per-network
    // question would); the rest load at once. The ring's time is then the overlay's, not a person's clicks.
    const first = await openPeer(ctx);
    await waitOnline(first);
    await first.evaluate(() =>
      window.softphoneTest!.allowOverlay('p2p.local'),
    );
    const pages: Page[] = [first];
    const loadedAt: number[] = [Date.now()];
    const loadStart = Date.now();
    await Promise.all(
      Array.from({ length: tabs - 1 }, async () => {
        const p = await openSlowly(ctx, appURL(), pageErrors);
        pages.push(p);
        loadedAt.push(Date.now());
      }),
    );
    const lastLoaded = Date.now();
    console.error(`[bench] ${tabs - 1} tabs loaded at once in ${lastLoaded - loadStart} ms`);
    add('tabs', tabs, 'tabs');
    add('loading the tabs that load at once', lastLoaded - loadStart, 'ms', 'dev server, all tabs in one Chromium');
    const target = 'target ≤ 10,000 ms at 16 tabs; the Rings project did not converge 16 nodes in 5 min';
    const { rightAt, ringAt } = await watchRing(pages, loadedAt, 180_000);
    const perTab = rightAt.map((t, i) => (t === null ? NaN : t - loadedAt[i]!)).slice(1);
    if (ringAt !== null) {
      add('ring consistent after the last tab loaded', ringAt - lastLoaded, 'ms', target);
      add('tab load → its place in the ring right, p50', pct(perTab, 0.5), 'ms');
      add('tab load → its place in the ring right, max', Math.max(...perTab), 'ms');
    } else {
      // Reported, not fatal: the other figures still mean something on the ring as it stands.
      add('ring consistent after the last tab loaded (NOT within 180 s)', NaN, 'ms', target);
    }
    await allowEverything(pages, 500);
    const unification = await Promise.all(pages.map((p) => p.evaluate(() => window.softphoneTest!.unificationStats())));
    add('ring-unification probes per tab while forming', unification.reduce((s, u) => s + u.probes, 0) / tabs, 'probes');
    add('ring-unification probes that changed a successor, per tab', unification.reduce((s, u) => s + u.merges, 0) / tabs, 'probes');

    // Baseline: one data-channel round trip (a raw PeerJS echo, no overlay code), in this run, two ways.
    // Back to back: 50 echoes in a row on one pair, both tabs awake. One at a time: single echoes
    // after ~25 ms of quiet, from four tabs to three partners each, which is what every hop of a
    // lookup meets (a message arriving at a tab that was idle). Traced per hop, the overlay's own code
    // costs ~6 µs per message (codec) and 0.1–0.2 ms per hop in all; a one-way delivery to an idle tab
    // is 0.5–0.8 ms on this 2-core machine against ~0.3 ms between two tabs trading messages.
    // Timed from send to the 'data' event itself: polling for the echo would add the 4 ms minimum timer.
    const { hot, isolated } = await echoRoundTrips(pages, openEchoLink, serveEcho);
    add('data-channel round trip p50, back to back', pct(hot, 0.5), 'ms', 'PeerJS echo, 50 in a row on one pair, this run');
    add('data-channel round trip p50, one at a time (baseline)', pct(isolated, 0.5), 'ms', 'PeerJS echo after 25 ms idle, 4 tabs × 3 partners, this run');
    // The same on the overlay's own links: a ping RPC to each tab's successor (framing, handshake-made link, handler).
    // One tab at a time: pinging from every tab at once measures the tabs' contention, not the link.
    const pings: number[] = [];
    for (const p of pages) {
      const out = await p.evaluate(async () => {
        const h = window.softphoneTest!;
        const succ = h.ring()!.successors[0];
        const times: number[] = [];
        for (let i = 0; succ && i < 10; i++) {
          const t0 = performance.now();
          const ok = await h.ping(succ, 1500);
          if (ok) times.push(performance.now() - t0);
        }
        return times;
      });
      pings.push(...out);
    }
    add('overlay link ping round trip p50, back to back', pct(pings, 0.5), 'ms', 'one hop on the links lookups use');
    // The ratio's round trip: the raw data channel one at a time, or the overlay's own ping if no echo link could be made.
    const hopRtt = Number.isFinite(pct(isolated, 0.5)) ? pct(isolated, 0.5) : pct(pings, 0.5);
    const hotRtt = Number.isFinite(pct(hot, 0.5)) ? pct(hot, 0.5) : pct(pings, 0.5);

    const passedBack = () => Promise.all(pages.map((p) => p.evaluate(() => window.softphoneTest!.overlayCounters().answersPassedBack)));
    const passedBefore = await passedBack();
    // Lookups from every tab, each after the same ~25 ms of quiet as the one-at-a-time round trips.
    const lat: number[] = [];
    const hops: number[] = [];
    let failed = 0;
    for (const p of pages) {
      const r = await p.evaluate(async () => {
        const out: { hops: number; ms: number }[] = [];
        const failures: string[] = [];
        const h = window.softphoneTest!;
        for (let i = 0; i < 8; i++) {
          await new Promise((res) => setTimeout(res, 25));
          const key = [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');
          const events: string[] = [];
          const t0 = performance.now();
          try {
            const res = await h.lookup(key, { mode: 'recursive', onProgress: (e) => events.push(`${(performance.now() - t0).toFixed(0)} ms ${JSON.stringify(e)}`) });
            out.push({ hops: res.hops, ms: performance.now() - t0 });
          } catch (e) {
            const dead = events.filter((x) => x.includes('"timeout"')).map((x) => x.replace(/.*"peer":"([0-9a-f]+)".*/, '$1'));
            const tries: string[] = [];
            for (const d of dead) tries.push(`${d.slice(0, 6)} live=${h.linkedIds().includes(d)} connect: ${await h.connectLink(d).then(() => 'ok', (err: Error) => err.message)}`);
            failures.push(`${(e as Error).message} after ${(performance.now() - t0).toFixed(0)} ms; ${tries.join(', ')}; refusals ${JSON.stringify(Object.entries(h.refusals()))}; ${events.slice(0, 6).join('; ')}`);
          }
        }
        return { out, failures };
      });
      for (const f of r.failures) console.error(`[lookup failed] ${f}`);
      failed += r.failures.length;
      for (const x of r.out) {
        lat.push(x.ms);
        hops.push(x.hops);
      }
    }
    add('lookups failed', failed, 'lookups', `of ${pages.length * 8}; expected 0`);
    const passedAfter = await passedBack();
    add('lookup answers handed back along the route', passedAfter.reduce((s, n, i) => s + n - passedBefore[i]!, 0), 'hand-overs', 'the answering node had no link to the origin');
    const meanHops = hops.reduce((a, b) => a + b, 0) / hops.length;
    add('lookup latency p50 (recursive)', pct(lat, 0.5), 'ms', `1.5 × hops × round trip = ${(1.5 * meanHops * hopRtt).toFixed(1)} ms`);
    add('lookup latency p99 (recursive)', pct(lat, 0.99), 'ms');
    add('lookup hops mean', meanHops, 'hops', `½·log2 N = ${(0.5 * Math.log2(tabs)).toFixed(2)}`);
    add('lookup latency p50 / (hops × round trip one at a time)', pct(lat, 0.5) / Math.max(0.01, meanHops * hopRtt), 'ratio', 'target ≤ 1.5');
    add('lookup latency p99 / (hops × round trip one at a time)', pct(lat, 0.99) / Math.max(0.01, meanHops * hopRtt), 'ratio');
    add('lookup latency p50 / (hops × round trip back to back)', pct(lat, 0.5) / Math.max(0.01, meanHops * hotRtt), 'ratio', 'the stricter reading');

    // Put and get.
    const pg = await pages[0]!.evaluate(async () => {
      const h = window.softphoneTest!;
      const puts: number[] = [];
      const gets: number[] = [];
      for (let i = 0; i < 10; i++) {
        const key = [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');
        let t0 = performance.now();
        await h.putNote(key, `bench ${i}`);
        puts.push(performance.now() - t0);
        t0 = performance.now();
        await h.getNote(key);
        gets.push(performance.now() - t0);
      }
      return { puts, gets };
    });
    add('put latency p50', pct(pg.puts, 0.5), 'ms');
    add('get latency p50', pct(pg.gets, 0.5), 'ms');

    // Maintenance traffic and memory over half a minute of quiet.
    const sample = (p: Page) =>
      p.evaluate((types) => {
        const c = window.softphoneTest!.overlayCounters();
        let messages = 0;
        let bytes = 0;
        for (const t of types) {
          messages += c.sent.get(t) ?? 0;
          bytes += c.sentBytes.get(t) ?? 0;
        }
        const all = [...c.sent.values()].reduce((a, b) => a + b, 0);
        const allBytes = [...c.sentBytes.values()].reduce((a, b) => a + b, 0);
        return { messages, bytes, all, allBytes };
      }, MAINT);
    const before = await Promise.all(pages.map(sample));
    const windowMs = 30_000;
    await new Promise((r) => setTimeout(r, windowMs));
    const after = await Promise.all(pages.map(sample));
    const perMin = (k: 'messages' | 'bytes' | 'all' | 'allBytes') => (after.reduce((s, a, i) => s + a[k] - before[i]![k], 0) / pages.length) * (60_000 / windowMs);
    add('maintenance messages per tab per minute', perMin('messages'), 'messages/min', 'simulator at N = 100: 150');
    add('maintenance bytes per tab per minute', perMin('bytes'), 'bytes/min', 'simulator at N = 100: 6,300');
    add('all overlay messages per tab per minute, idle', perMin('all'), 'messages/min', 'maintenance + fix-fingers lookups + unification probes');
    add('all overlay bytes per tab per minute, idle', perMin('allBytes'), 'bytes/min');
    const heaps = await Promise.all(pages.map((p) => p.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0)));
    add('JS heap per tab, mean', heaps.reduce((a, b) => a + b, 0) / heaps.length / 1048576, 'MiB');
    add('JS heap per tab, max', Math.max(...heaps) / 1048576, 'MiB');

    await goTo(pages[0]!, 'Network');
    await pages[0]!.screenshot({ path: `e2e/artifacts/ring-${tabs}.png`, fullPage: true });
    add('errors thrown in pages', pageErrors.length, 'errors', 'expected 0');
    for (const e of pageErrors.slice(0, 10)) console.error(`[page error] ${e}`);
  } finally {
    await browser.close();
    await app.stop();
  }
}
