/**
 * `npm run bench -- --only serverless [--tabs 16] [--dials 10] [--ops 100] [--down-ops 20] [--mb 7.5]`:
 * after its first link a tab needs no server (issue 16), measured in one run
 * on one ring of real tabs, one person each, whose signaling server is the
 * bench's own (the app's address with `?signaling=`), so it can be killed.
 *
 * With the server up:
 * 1. link set-up, `--dials` pairs of tabs that have no link to each other:
 *    each pair dials once through the signaling server (PeerJS) and once
 *    through the overlay (AppAttach: offer and answer as routed messages),
 *    in alternating order, the link closed after each; connect → handshaken
 *    link (ICE, DTLS, the data channel, key proof and permission), timed in
 *    the dialing tab. A dial counts for its path only when the link came up
 *    signaled that way;
 * 2. video mail: MailService.send of `--mb` MB between two named tabs over a
 *    plain transfer of the same bytes on one RTCDataChannel between the same
 *    tabs (bench-mail.ts's figures);
 * 3. storage, `--ops` operations (half puts of fresh keys, half gets of them
 *    from another tab), first with storage over the links a tab has (the
 *    tunnel, as the app ships: "after"), then with the tunnel off in every
 *    tab, so each storage or routing message to a node with no link opens a
 *    link first (the code before issue 16: "before"). Counted: links that
 *    came up anywhere on the ring meanwhile (storage's and the ring's own).
 * Then the server is killed (SIGKILL) and stays down, and every operation is
 * counted, attempted and succeeded: new links between unlinked pairs (timed;
 * the tab's dialer as shipped, server first, so it falls back to the
 * overlay), `--down-ops` puts and as many gets, a video call alice → bob
 * with media both ways, a chat message and a short video message through the UI.
 */
import type { Page } from 'playwright-core';
import { dhtKeyHex } from '../helpers/mail.ts';
import { readNote, waitForRing } from '../helpers/ring.ts';
import { callBothWays, chat, killSignaling, videoMail } from '../helpers/serverless.ts';
import { calls, reachable } from '../helpers/phone.ts';
import { startSignaling } from '../runner/server-process.ts';
import { numberArg, pct, withPeopleRing } from './bench-people.ts';
import { makeBytes, mailReady, sendAgainstPlain } from './bench-mail.ts';
import { linkSetUp } from './bench-nat-page.ts';

type Add = (name: string, value: number, unit: string, baseline?: string) => void;
type Path = 'overlay' | 'server';

const log = (what: string): void => console.error(`[serverless] ${what}`);

/** Links opened by `pages` so far (each counted once, at the side that dialed), and storage messages they sent to nodes with no link. */
async function linkTotals(pages: readonly Page[]): Promise<{ opened: number; server: number; storageToUnlinked: number }> {
  const each = await Promise.all(
    pages.map((p) =>
      p.evaluate(() => {
        const o = window.softphoneTest!.linksOpened();
        return { opened: o.server + o.overlay + o.bootstrap, server: o.server, storageToUnlinked: window.softphoneTest!.overlayCounters().storageToUnlinked };
      }),
    ),
  );
  return each.reduce((a, x) => ({ opened: a.opened + x.opened, server: a.server + x.server, storageToUnlinked: a.storageToUnlinked + x.storageToUnlinked }), { opened: 0, server: 0, storageToUnlinked: 0 });
}

/**
 * Up to `n` pairs [dialer, target] of tabs, spread over the ring (`skip`
 * shifts the choice): pairs with no link between them first; when there are
 * too few (a small ring links nearly every pair), pairs whose link is closed
 * before the dial. Returns the pairs and how many of them had a link.
 */
async function pairsToDial(pages: readonly Page[], n: number, skip: number): Promise<{ pairs: [number, number, boolean][]; hadLink: number }> {
  const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.softphoneTest!.nodeId()!)));
  const linked = await Promise.all(pages.map((p) => p.evaluate(() => window.softphoneTest!.linkedIds())));
  const t = pages.length;
  const spread: [number, number][] = [];
  const used = new Set<string>();
  for (let k = 0; k < t * t; k++) {
    const i = (k + skip) % t;
    const j = (i + Math.floor(t / 2) + Math.floor(k / t) + skip) % t;
    const key = i < j ? `${i}-${j}` : `${j}-${i}`;
    if (i === j || used.has(key)) continue;
    used.add(key);
    spread.push([i, j]);
  }
  const hasLink = ([i, j]: [number, number]): boolean => linked[i]!.includes(ids[j]!) || linked[j]!.includes(ids[i]!);
  const free = spread.filter((p) => !hasLink(p)).slice(0, n);
  const closed = spread.filter(hasLink).slice(0, n - free.length);
  return { pairs: [...free.map(([i, j]) => [i, j, false] as [number, number, boolean]), ...closed.map(([i, j]) => [i, j, true] as [number, number, boolean])], hadLink: closed.length };
}

interface Dials {
  ms: number[];
  /** Dials whose link came up signaled another way than asked (not counted in `ms`). */
  otherWay: string[];
  failures: string[];
}

/**
 * Dials `to` from `from` trying `path` first (null: as the tab is set),
 * closing the link first when there is one; closes the new link again unless
 * the pair `keep`s one (the ring's own); records the outcome in `into`.
 */
async function timeDial(from: Page, to: string, path: Path | null, expect: Path, into: Dials, keep: boolean): Promise<boolean> {
  const r = await from.evaluate(linkSetUp, [to, path] as const);
  if (!keep) await from.evaluate((id) => window.softphoneTest!.disconnectLink(id, 'closed-by-you', 'benchmark: link set-up done'), to);
  await from.waitForTimeout(300);
  if (typeof r === 'string') into.failures.push(r);
  else if (r.via !== expect) into.otherWay.push(r.via);
  else into.ms.push(r.ms);
  return typeof r !== 'string' && r.via === expect;
}

/** `n` puts (of fresh keys, from the tabs in turn) each read back from another tab: the links that came up meanwhile, storage messages to unlinked nodes, failures. */
async function storageRound(pages: readonly Page[], n: number, tag: string): Promise<{ opened: number; storageToUnlinked: number; puts: number; gets: number; failures: string[] }> {
  const before = await linkTotals(pages);
  let puts = 0;
  let gets = 0;
  const failures: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = dhtKeyHex(`serverless-bench-${tag}-${i}-${Date.now()}`);
    const text = `${tag} ${i}`;
    const writer = pages[i % pages.length]!;
    const reader = pages[(i * 7 + 3) % pages.length]!;
    try {
      const put = await writer.evaluate(([k, t]) => window.softphoneTest!.putNote(k!, t!), [key, text]);
      if (put.stored.length > 0) puts++;
      else failures.push(`put ${i}: no replica took it`);
    } catch (e) {
      failures.push(`put ${i}: ${(e as Error).message.slice(0, 120)}`);
    }
    try {
      const got = await readNote(reader, key);
      if (got === text) gets++;
      else failures.push(`get ${i}: ${got === null ? 'not found' : 'another text'}`);
    } catch (e) {
      failures.push(`get ${i}: ${(e as Error).message.slice(0, 120)}`);
    }
  }
  const after = await linkTotals(pages);
  return { opened: after.opened - before.opened, storageToUnlinked: after.storageToUnlinked - before.storageToUnlinked, puts, gets, failures };
}

function addDials(add: Add, label: string, d: Dials): void {
  add(`link set-up ${label}, p50`, pct(d.ms, 0.5), 'ms', `${d.ms.length} links; connect → handshaken link`);
  add(`link set-up ${label}, p95`, pct(d.ms, 0.95), 'ms');
  if (d.otherWay.length + d.failures.length > 0) {
    add(`  dials ${label} that failed or came up another way`, d.failures.length + d.otherWay.length, 'dials', [...d.failures, ...d.otherWay.map((v) => `came up via ${v}`)].slice(0, 3).join('; '));
  }
}

/** One server-down operation: runs `op`, counts it under `kind`, keeps its failure's words. */
type Tally = Map<string, { tried: number; ok: number; why: string[] }>;
async function attempt(tally: Tally, kind: string, op: () => Promise<boolean>): Promise<void> {
  const t = tally.get(kind) ?? { tried: 0, ok: 0, why: [] };
  tally.set(kind, t);
  t.tried++;
  try {
    if (await op()) t.ok++;
    else t.why.push('did not succeed');
  } catch (e) {
    t.why.push((e as Error).message.split('\n')[0]!.slice(0, 160));
    log(`${kind} failed: ${(e as Error).message.slice(0, 600)}`);
  }
}

/** Waits for one consistent ring again (dials closed ring links, storage opened others); adds a row when it does not come, instead of ending the run. */
async function settle(add: Add, pages: Page[], after: string): Promise<void> {
  const t0 = Date.now();
  try {
    await waitForRing(pages, 90_000);
  } catch (e) {
    add(`ring not consistent 90 s after ${after}`, 1, 'flag', (e as Error).message.slice(0, 200));
    return;
  }
  log(`ring consistent ${Date.now() - t0} ms after ${after}`);
}

export async function serverlessBench(add: Add, tabs: number, argv: string[]): Promise<void> {
  const nDials = numberArg(argv, 'dials', 10);
  const nOps = numberArg(argv, 'ops', 100);
  const downOps = numberArg(argv, 'down-ops', 20);
  const mb = numberArg(argv, 'mb', 7.5);
  if (tabs < 4) throw new Error('--only serverless needs at least 4 tabs (alice, bob, and a mail sender and reader)');
  const signaling = await startSignaling();
  const query = `?signaling=${encodeURIComponent(`${signaling.url}/peerjs`)}`;
  try {
    await withPeopleRing(
      add,
      tabs,
      'setup, through the bench’s own signaling server',
      async (pages) => {
        const half = Math.floor(tabs / 2);
        const [a, b, sender, reader] = [pages[0]!, pages[half]!, pages[1]!, pages[half + 1]!];
        for (const p of pages) await p.evaluate('globalThis.__name = (f) => f');
        for (const [p, name] of [[a, 'alice'], [b, 'bob'], [sender, 'sender'], [reader, 'reader']] as const) await mailReady(p, name);
        const ids = await Promise.all(pages.map((p) => p.evaluate(() => window.softphoneTest!.nodeId()!)));
        log(`${tabs} tabs in a ring; names claimed`);

        // 1. Link set-up through each path, same pairs, same minutes.
        const byPath: Record<Path, Dials> = { server: { ms: [], otherWay: [], failures: [] }, overlay: { ms: [], otherWay: [], failures: [] } };
        const { pairs, hadLink } = await pairsToDial(pages, nDials, 0);
        for (const [k, [i, j, keep]] of pairs.entries()) {
          const order: Path[] = k % 2 === 0 ? ['server', 'overlay'] : ['overlay', 'server'];
          for (const path of order) await timeDial(pages[i]!, ids[j]!, path, path, byPath[path], keep);
          log(`pair ${k + 1}/${pairs.length}: server ${byPath.server.ms.at(-1)?.toFixed(0)} ms, overlay ${byPath.overlay.ms.at(-1)?.toFixed(0)} ms`);
        }
        add('pairs of tabs dialed', pairs.length, 'pairs', `each dialed once per path, order alternating; ${hadLink} had a link, closed before each dial`);
        addDials(add, 'through the signaling server (PeerJS), server up', byPath.server);
        addDials(add, 'through the overlay (AppAttach), server up', byPath.overlay);
        const p50 = pct(byPath.overlay.ms, 0.5) / pct(byPath.server.ms, 0.5);
        add('link set-up overlay / server, p50 ratio', p50, 'ratio', 'target ≤ 1.5; same pairs, same run, server up for both');
        add('link set-up overlay / server, p95 ratio', pct(byPath.overlay.ms, 0.95) / pct(byPath.server.ms, 0.95), 'ratio');
        await settle(add, pages, 'the timed dials');

        // 2. Video mail against one data channel's plain transfer.
        await makeBytes(sender, Math.round(mb * 1_000_000));
        // A failed send is a finding of its own: the table says why instead of ending the run.
        const m = await sendAgainstPlain(add, sender, reader, 'reader', mb).catch((e: unknown) => (e as Error).message.split('\n')[0]!.slice(0, 300));
        if (typeof m === 'string') add('video-mail send / plain transfer', NaN, 'ratio', `the send failed: ${m}`);
        else add('video-mail send / plain transfer', m.sendMs / m.plainMs, 'ratio', 'target ≤ 2.0 (2.2 before); server up');
        await sender.evaluate(() => delete (window as unknown as { __benchBytes?: Uint8Array }).__benchBytes);
        log(`mail: ${typeof m === 'string' ? m : `send ${m.sendMs} ms, plain ${m.plainMs} ms`}`);

        // 3. Storage: over the links a tab has (after), then a link per replica (before).
        const each = Math.floor(nOps / 2);
        const after = await storageRound(pages, each, 'after');
        for (const p of pages) await p.evaluate(() => window.softphoneTest!.storageOverLinks(false));
        const before = await storageRound(pages, each, 'before');
        for (const p of pages) await p.evaluate(() => window.softphoneTest!.storageOverLinks(true));
        const per100 = (x: number): number => (100 * x) / (2 * each);
        const note = (r: typeof after): string => `${r.puts}/${each} puts and ${r.gets}/${each} gets succeeded; ${per100(r.storageToUnlinked).toFixed(1)} storage messages to nodes with no link per 100${r.failures.length ? `; ${r.failures.slice(0, 2).join('; ')}` : ''}`;
        add('new links opened per 100 storage operations, before (tunnel off: a link per unlinked replica or hop, as the old code)', per100(before.opened), 'links', note(before));
        add('new links opened per 100 storage operations, after (tunnel on: over existing links)', per100(after.opened), 'links', note(after));
        add('new links opened per 100 storage operations', per100(after.opened), 'links', `after; before ${per100(before.opened).toFixed(1)}; every link that came up on the ring during the operations`);
        log(`storage: links opened before ${before.opened}, after ${after.opened}`);
        await settle(add, pages, 'the storage rounds');

        // 4. The server goes down and stays down; every operation counted.
        await killSignaling(signaling, pages);
        const serverBefore = (await linkTotals(pages)).server;
        log('signaling server killed');
        const tally: Tally = new Map();
        const down: Dials = { ms: [], otherWay: [], failures: [] };
        const downPairs = await pairsToDial(pages, nDials, 3);
        add('pairs of tabs dialed with the server down', downPairs.pairs.length, 'pairs', `${downPairs.hadLink} had a link, closed before the dial`);
        for (const [i, j, keep] of downPairs.pairs) {
          await attempt(tally, 'new links through the overlay', () => timeDial(pages[i]!, ids[j]!, null, 'overlay', down, keep));
        }
        addDials(add, 'through the overlay with the server down (dialer as shipped: server first)', down);
        await settle(add, pages, 'the dials with the server down');
        for (let i = 0; i < downOps; i++) {
          const key = dhtKeyHex(`serverless-bench-down-${i}-${Date.now()}`);
          const writer = pages[(i * 5 + 1) % tabs]!;
          const readerTab = pages[(i * 3 + 2) % tabs]!;
          await attempt(tally, 'puts', async () => (await writer.evaluate(([k, t]) => window.softphoneTest!.putNote(k!, t!), [key, `down ${i}`])).stored.length > 0);
          await attempt(tally, 'gets', async () => (await readNote(readerTab, key)) === `down ${i}`);
        }
        log('server down: links, puts and gets done');
        await attempt(tally, 'video call alice → bob (media both ways)', async () => {
          await Promise.all([reachable(a, 'alice'), reachable(b, 'bob')]);
          try {
            const media = await callBothWays(a, b, 'alice', 'bob', true);
            return media.atA.framesDecoded > 0 && media.atB.framesDecoded > 0;
          } catch (e) {
            throw new Error(`${(e as Error).message.split('\n')[0]}; alice's calls ${JSON.stringify((await calls(a)).slice(-1))}, bob's ${JSON.stringify((await calls(b)).slice(-1))}`, { cause: e });
          }
        });
        await attempt(tally, 'chat message', async () => {
          await chat(a, b, 'alice', 'bob', 'no server needed');
          return true;
        });
        await attempt(tally, 'video message (2 s, through the UI)', async () => {
          await videoMail(a, b, 'alice', 'bob', 2);
          return true;
        });
        log('server down: call, chat and mail done');
        const kinds = [...tally.entries()];
        const tried = kinds.reduce((n, [, t]) => n + t.tried, 0);
        const ok = kinds.reduce((n, [, t]) => n + t.ok, 0);
        add('operations that succeeded with the signaling server down (%)', (100 * ok) / Math.max(1, tried), '%', `target 100; ${ok} of ${tried}`);
        for (const [kind, t] of kinds) add(`  ${kind}`, t.ok, 'succeeded', `of ${t.tried}${t.why.length ? `; ${t.why.slice(0, 2).join('; ')}` : ''}`);
        add('links opened through the server while it was down', (await linkTotals(pages)).server - serverBefore, 'links', 'should be 0');
      },
      query,
    );
  } finally {
    await signaling.stop('SIGKILL');
  }
}
