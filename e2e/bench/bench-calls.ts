/**
 * `npm run bench -- --only calls [--tabs 16] [--calls 20] [--seed 1] [--page settings|home]`: call
 * setup in a live overlay of real tabs, one person (browser context) per tab,
 * each with a claimed name. For each of `--calls` random caller/callee pairs:
 * a SIP video call over the overlay (dial → the callee's phone has the
 * incoming call → answered at once by the benchmark → first remote video
 * frame at the caller), and, between the same two tabs in the same minute, a
 * direct PeerJS media call to the callee's known peer ID (the floor; media
 * and ICE only, no lookup, no SIP). Every DHT read the phones make on the
 * way is timed in the tabs, so the table says how much of the setup is
 * lookup. The order of the two calls alternates from pair to pair.
 *
 * The tabs show one page during the calls (`--page`, Settings by default):
 * the floor's calls draw nothing on the page, so the ratio compares the two
 * ways of setting a call up with the same page on screen. With `--page home`
 * each SIP call's view (local preview, remote video, statistics) is drawn
 * too; on a 2-core machine with software compositing that adds hundreds of
 * ms to the first frame, and the figures say which page was shown.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import { addPageFigure, benchPage, claimForBench, pct, showPage, withPeopleRing } from './bench-people.ts';
import { installBench, type CallTimes, type CalleeTimes, type DhtSpan, type PageBench, type TraceEvent } from './bench-calls-page.ts';
import { allowEverything } from '../helpers/ring.ts';
import { sealingBench } from './bench-sealing.ts';

type Add = (name: string, value: number, unit: string, baseline?: string) => void;
type Win = { __bench: PageBench };

const CALL_TIMEOUT_MS = 30_000;
const DETAIL_FILE = 'bench-results/calls-detail.json';

/** A small seeded generator (mulberry32), so a run's pairs can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Length of the union of `spans` clipped to [from, to]: DHT reads on the critical path, overlapping ones counted once. */
export function coveredMs(spans: readonly DhtSpan[], from: number, to: number): number {
  const iv = spans.map((s) => [Math.max(from, s.t0), Math.min(to, s.t1)] as const).filter(([a, b]) => b > a);
  iv.sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of iv) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

const traceIn = (p: Page, from: number, to: number): Promise<TraceEvent[]> =>
  p.evaluate(([a, b]) => (window as unknown as Win).__bench.trace.filter((e) => e.t0 >= a && e.t0 <= b), [from, to] as const);

/** Where one SIP call's time went, from the traces of its caller and callee (ms; NaN when a step was not seen). */
export interface CallSteps {
  /** When the caller's socket handed the INVITE to the overlay (Date.now() ms). */
  inviteOutAt: number;
  /** The INVITE handed to the caller's overlay → delivered, opened, at the callee (seal, sign, route, verify, open). */
  inviteTransit: number;
  /** The INVITE delivered → the callee's phone rings (the caller check on the DHT, the permission gate, JsSIP). */
  inviteToRing: number;
  /** Answered → the 200 OK handed to the callee's overlay (the callee's media, its SDP answer and first ICE candidate). */
  answerToOk: number;
  /** The 200 OK handed → delivered at the caller. */
  okTransit: number;
  /** The 200 OK delivered → ICE connected at the caller. */
  okToIce: number;
  /** ICE connected → DTLS connected (the PeerConnection's connectionState) at the caller. */
  iceToDtls: number;
  /** DTLS connected → the first remote video frame. */
  dtlsToFrame: number;
  /** agreement-asks either side sent between dial and media (the round trip for a target's agreement key). */
  asks: number;
}

/** The steps of the call `callId`/`sessionId` between `tDial` and `tFrame`, from both tabs' traces. */
export function callSteps(caller: TraceEvent[], callee: TraceEvent[], sessionId: string, answerAt: number, tFrame: number): CallSteps {
  const inviteOut = caller.find((e) => e.what === 'out' && e.line === 'INVITE');
  const callId = inviteOut?.callId ?? '';
  const at = (evs: TraceEvent[], what: TraceEvent['what'], line: string, id = callId): number => evs.find((e) => e.what === what && e.line === line && e.callId === id)?.t0 ?? NaN;
  const inviteIn = at(callee, 'in', 'INVITE');
  const ringAt = at(callee, 'out', 'SIP/2.0 180 INVITE');
  const okOut = at(callee, 'out', 'SIP/2.0 200 INVITE');
  const okIn = at(caller, 'in', 'SIP/2.0 200 INVITE');
  const ice = at(caller, 'ice', '', sessionId);
  const dtls = at(caller, 'dtls', '', sessionId);
  return {
    inviteOutAt: inviteOut?.t0 ?? NaN,
    inviteTransit: inviteIn - (inviteOut?.t0 ?? NaN),
    inviteToRing: ringAt - inviteIn,
    answerToOk: okOut - answerAt,
    okTransit: okIn - okOut,
    okToIce: ice - okIn,
    iceToDtls: dtls - ice,
    dtlsToFrame: tFrame - dtls,
    asks: [...caller, ...callee].filter((e) => e.what === 'ask').length,
  };
}

const spansIn = (p: Page, from: number, to: number): Promise<DhtSpan[]> =>
  p.evaluate(([a, b]) => (window as unknown as Win).__bench.dht.filter((s) => s.t1 >= a && s.t0 <= b), [from, to] as const);

async function waitEnded(p: Page): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const open = await p.evaluate(() => window.softphoneTest!.phone()?.getSnapshot().calls.filter((c) => c.state !== 'ended').length ?? 0);
    if (open === 0) return;
    await p.waitForTimeout(100);
  }
  await p.evaluate(() => (window as unknown as Win).__bench.hangUpAll());
}

interface Row {
  caller: string;
  callee: string;
  sip: {
    dialToRing: number;
    dialToInvite: number;
    ringToAnswer: number;
    answerToFrame: number;
    dialToMedia: number;
    dht: number;
    dhtCaller: number;
    dhtCallee: number;
    dhtReads: number;
    how: string;
    outcome: string | null;
    steps: CallSteps;
  };
  floor: { dialToAlert: number; answerToFrame: number; dialToMedia: number; how: string; outcome: string | null };
}

export async function callsBench(add: Add, tabs: number, argv: string[]): Promise<void> {
  const arg = (name: string, dflt: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
  };
  const nCalls = Number(arg('calls', '20'));
  const rnd = random(Number(arg('seed', '1')));
  await withPeopleRing(add, tabs, 'setup, not a call figure', async (pages) => {

    const names = pages.map((_, i) => `caller${String(i).padStart(2, '0')}`);
    const claimFailures: string[] = [];
    for (const [i, p] of pages.entries()) claimFailures.push(...(await claimForBench(p, names[i]!)));
    add('name claims that had to be made again', claimFailures.length, 'claims', claimFailures.join('; ').slice(0, 300));
    for (const p of pages) {
      // tsx names inner functions with a __name helper the page does not have.
      await p.evaluate('globalThis.__name = (f) => f');
      await p.evaluate(installBench);
      // The SIP texts the tab's overlay delivers (decrypted), for the per-message cost of encryption (bench-sealing.ts).
      await p.evaluate(() => {
        const w = window as unknown as { sipTexts: string[] };
        w.sipTexts = [];
        window.softphoneTest!.onRouted('sip', (_from, body) => {
          if (w.sipTexts.length < 200) w.sipTexts.push(new TextDecoder().decode(body));
        });
      });
      // The first camera opening in a tab is slow; it would fall on whichever call came first.
      await p.evaluate(async () => (await navigator.mediaDevices.getUserMedia({ audio: true, video: true })).getTracks().forEach((t) => t.stop()));
    }
    const page = benchPage(arg('page', 'settings'));
    await showPage(pages, page);
    addPageFigure(add, page, tabs);
    const nodeIds = await Promise.all(pages.map((p) => p.evaluate(() => window.softphoneTest!.nodeId()!)));

    const pairs = Array.from({ length: nCalls }, () => {
      const a = Math.floor(rnd() * tabs);
      const b = (a + 1 + Math.floor(rnd() * (tabs - 1))) % tabs;
      return [a, b] as const;
    });
    // The callee is asked about a caller it has never met; a message first, answered "Always allow", keeps that question (human time) out of the calls.
    const met = new Set<string>();
    const warmUpFailures: string[] = [];
    for (const [a, b] of pairs) {
      if (met.has(`${a}>${b}`)) continue;
      met.add(`${a}>${b}`);
      // A registration just written can be missed by a lookup while the ring settles: a few tries, each one counted.
      for (let attempt = 1; ; attempt++) {
        let settled = false;
        const sent = pages[a]!.evaluate((to) => window.softphoneTest!.phone()!.sendMessage(to, 'hello from the benchmark'), names[b]!).finally(() => (settled = true));
        while (!settled) await allowEverything([pages[b]!], 200);
        const m = await sent;
        if (m.status === 'sent') break;
        warmUpFailures.push(`${names[a]} → ${names[b]}: ${m.error ?? m.status}`);
        if (attempt === 3) throw new Error(`${names[a]} could not reach ${names[b]} before the calls: ${warmUpFailures.join('; ')}`);
        await pages[a]!.waitForTimeout(2000);
      }
    }
    console.error(`[calls] ${tabs} people online with names; ${met.size} caller/callee pairs have met; ${nCalls} calls`);
    add('messages before the calls that had to be sent again', warmUpFailures.length, 'messages', warmUpFailures.join('; ').slice(0, 300));
    const warmUpAsks = await Promise.all(pages.map((p) => p.evaluate(() => (window as unknown as Win).__bench.trace.filter((e) => e.what === 'ask').length)));
    add('agreement-asks before the calls (first messages between the pairs)', warmUpAsks.reduce((a, x) => a + x, 0), 'asks', `${met.size} pairs met; 0: every key came with the registration lookup`);

    const rows: Row[] = [];
    const loadBefore = loadavg()[0]!;
    for (const [i, [a, b]] of pairs.entries()) {
      const caller = pages[a]!;
      const callee = pages[b]!;
      const sip = async (): Promise<Row['sip']> => {
        const r: CallTimes = await caller.evaluate(([n, t]) => (window as unknown as Win).__bench.sipCall(n, t), [names[b]!, CALL_TIMEOUT_MS] as const);
        await Promise.all([waitEnded(caller), waitEnded(callee)]);
        const seen: CalleeTimes | undefined = await callee.evaluate((id) => (window as unknown as Win).__bench.incoming[id], r.id);
        const ringAt = seen?.ringAt ?? NaN;
        const atCaller = await spansIn(caller, r.tDial, ringAt);
        const atCallee = await spansIn(callee, r.tDial, ringAt);
        const spans = [...atCaller, ...atCallee];
        const end = r.tFirstFrame ?? r.tDial + CALL_TIMEOUT_MS;
        const steps = callSteps(await traceIn(caller, r.tDial, end), await traceIn(callee, r.tDial, end), r.id, seen?.answerAt ?? NaN, r.tFirstFrame ?? NaN);
        return {
          dialToRing: ringAt - r.tDial,
          // The INVITE as the socket handed it over (the callee's lookup starts at dial now, so it no longer marks the INVITE).
          dialToInvite: steps.inviteOutAt - r.tDial,
          ringToAnswer: (seen?.answerAt ?? NaN) - ringAt,
          answerToFrame: (r.tFirstFrame ?? NaN) - (seen?.answerAt ?? NaN),
          dialToMedia: (r.tFirstFrame ?? NaN) - r.tDial,
          dht: coveredMs(spans, r.tDial, ringAt),
          dhtCaller: coveredMs(atCaller, r.tDial, ringAt),
          dhtCallee: coveredMs(atCallee, r.tDial, ringAt),
          dhtReads: spans.filter((s) => s.t1 <= ringAt).length,
          how: r.how,
          outcome: r.outcome,
          steps,
        };
      };
      const floor = async (): Promise<Row['floor']> => {
        const before = await callee.evaluate(() => (window as unknown as Win).__bench.floorIn.length);
        const r: CallTimes = await caller.evaluate(([id, t]) => (window as unknown as Win).__bench.floorCall(id, t), [nodeIds[b]!, CALL_TIMEOUT_MS] as const);
        await callee.waitForTimeout(200);
        const seen: CalleeTimes | undefined = await callee.evaluate((k) => (window as unknown as Win).__bench.floorIn[k], before);
        await callee.evaluate(() => (window as unknown as Win).__bench.hangUpAll());
        return {
          dialToAlert: (seen?.ringAt ?? NaN) - r.tDial,
          answerToFrame: (r.tFirstFrame ?? NaN) - (seen?.answerAt ?? NaN),
          dialToMedia: (r.tFirstFrame ?? NaN) - r.tDial,
          how: r.how,
          outcome: r.outcome,
        };
      };
      let s: Row['sip'];
      let f: Row['floor'];
      if (i % 2 === 0) {
        s = await sip();
        await caller.waitForTimeout(300);
        f = await floor();
      } else {
        f = await floor();
        await caller.waitForTimeout(300);
        s = await sip();
      }
      rows.push({ caller: names[a]!, callee: names[b]!, sip: s, floor: f });
      console.error(
        `[call ${i + 1}/${nCalls}] ${names[a]} → ${names[b]}: SIP ring ${s.dialToRing} ms (DHT ${s.dht} ms in ${s.dhtReads} reads), media ${s.dialToMedia} ms` +
          `${s.outcome ? ` (${s.outcome})` : ''}; PeerJS media ${f.dialToMedia} ms${f.outcome ? ` (${f.outcome})` : ''}; steps ${JSON.stringify(s.steps)}`,
      );
      await caller.waitForTimeout(300);
    }
    mkdirSync(dirname(DETAIL_FILE), { recursive: true });
    writeFileSync(DETAIL_FILE, JSON.stringify({ tabs, calls: rows }, null, 2) + '\n');
    report(add, rows);
    const texts = (await Promise.all(pages.map((p) => p.evaluate(() => (window as unknown as { sipTexts: string[] }).sipTexts)))).flat();
    await sealingBench(add, texts.slice(0, 300));
    add('machine load during the calls (1-minute average, start/end mean)', (loadBefore + loadavg()[0]!) / 2, 'load', `${cpus().length} cores, shared`);
    console.error(`[calls] every call, with its parts: ${DETAIL_FILE}`);
  });
}

function report(add: Add, rows: Row[]): void {
  const ok = rows.filter((r) => Number.isFinite(r.sip.dialToMedia) && Number.isFinite(r.floor.dialToMedia));
  const col = <K extends 'sip' | 'floor'>(k: K, f: (x: Row[K]) => number): number[] => ok.map((r) => f(r[k]));
  const failed = rows.filter((r) => !ok.includes(r)).map((r) => `${r.caller} → ${r.callee}: ${r.sip.outcome ?? r.floor.outcome ?? 'no frame in time'}`);
  add('calls with media both ways (SIP and PeerJS)', ok.length, 'calls', `of ${rows.length}${failed.length ? `; failed: ${failed.join('; ')}` : ''}`);
  const sipRing = col('sip', (x) => x.dialToRing);
  const floorAlert = col('floor', (x) => x.dialToAlert);
  add('SIP dial → callee ringing, p50', pct(sipRing, 0.5), 'ms', `PeerJS dial → callee alerted p50 ${pct(floorAlert, 0.5)} ms; PSTN toll < 2,000 ms`);
  add('SIP dial → callee ringing, p95', pct(sipRing, 0.95), 'ms', `PeerJS p95 ${pct(floorAlert, 0.95)} ms`);
  add('  of which dial → INVITE handed to the overlay (camera, offer, ICE), p50', pct(col('sip', (x) => x.dialToInvite), 0.5), 'ms', 'JsSIP sends once ICE candidates are ready');
  add('  of which INVITE → callee ringing (lookups, routing, caller check), p50', pct(col('sip', (x) => x.dialToRing - x.dialToInvite), 0.5), 'ms');
  add('callee ringing → answered by the benchmark (a 0 ms timer), p50', pct(col('sip', (x) => x.ringToAnswer), 0.5), 'ms', 'scheduling delay in a busy tab, not the app');
  const sipAns = col('sip', (x) => x.answerToFrame);
  const floorAns = col('floor', (x) => x.answerToFrame);
  add('SIP answer → first remote video frame, p50', pct(sipAns, 0.5), 'ms', `PeerJS answer → frame p50 ${pct(floorAns, 0.5)} ms`);
  add('SIP answer → first remote video frame, p95', pct(sipAns, 0.95), 'ms', `PeerJS p95 ${pct(floorAns, 0.95)} ms`);
  const sipMedia = col('sip', (x) => x.dialToMedia);
  const floorMedia = col('floor', (x) => x.dialToMedia);
  add('SIP dial → media (first remote frame), p50', pct(sipMedia, 0.5), 'ms', 'published P2PSIP: < 100 ms to > 10 s');
  add('SIP dial → media, p95', pct(sipMedia, 0.95), 'ms');
  add('PeerJS direct call → media, p50 (floor)', pct(floorMedia, 0.5), 'ms', 'same pairs, same run');
  add('PeerJS direct call → media, p95 (floor)', pct(floorMedia, 0.95), 'ms');
  add('SIP dial → media p50 / PeerJS floor p50', pct(sipMedia, 0.5) / pct(floorMedia, 0.5), 'ratio', 'target ≤ 1.2 with routed messages encrypted (issue 17; 1.07 before)');
  add('SIP / PeerJS dial → media, median of the per-pair ratios', pct(ok.map((r) => r.sip.dialToMedia / r.floor.dialToMedia), 0.5), 'ratio', 'the two calls of a pair run back to back');
  const step = (k: keyof CallSteps): number => pct(col('sip', (x) => x.steps[k]), 0.5);
  add('  where dial → media goes: INVITE handed to the overlay → opened at the callee (seal, route, open), p50', step('inviteTransit'), 'ms');
  add('  INVITE opened → callee ringing (caller check, permission, JsSIP), p50', step('inviteToRing'), 'ms');
  add('  answered → 200 OK handed to the overlay (callee media, SDP answer, ICE candidate), p50', step('answerToOk'), 'ms');
  add('  200 OK handed to the overlay → opened at the caller, p50', step('okTransit'), 'ms');
  add('  200 OK opened → ICE connected at the caller, p50', step('okToIce'), 'ms');
  add('  ICE connected → DTLS connected, p50', step('iceToDtls'), 'ms');
  add('  DTLS connected → first remote video frame, p50', step('dtlsToFrame'), 'ms');
  add('agreement-asks on the call path (round trips for a target\'s agreement key)', col('sip', (x) => x.steps.asks).reduce((a, x) => a + x, 0), 'asks', `in ${ok.length} calls`);
  const dht = col('sip', (x) => x.dht);
  add('DHT reads on the call path per call, p50', pct(dht, 0.5), 'ms', `${(col('sip', (x) => x.dhtReads).reduce((s, x) => s + x, 0) / Math.max(1, ok.length)).toFixed(1)} reads per call (mean)`);
  add('  DHT at the caller (registration lookup of the callee), p50', pct(col('sip', (x) => x.dhtCaller), 0.5), 'ms');
  add('  DHT at the callee (caller check and contact policy), p50', pct(col('sip', (x) => x.dhtCallee), 0.5), 'ms');
  add('DHT share of dial → ringing, p50 of calls', 100 * pct(ok.map((r) => r.sip.dht / r.sip.dialToRing), 0.5), '%', 'published P2PSIP: > 60 %');
  add('DHT share of dial → media, p50 of calls', 100 * pct(ok.map((r) => r.sip.dht / r.sip.dialToMedia), 0.5), '%');
  const how = ok.flatMap((r) => [r.sip.how, r.floor.how]);
  add('first frames seen presented (rest: decoded, from getStats)', how.filter((h) => h === 'frame').length, 'calls', `of ${how.length}`);
}
