/**
 * Beyond one computer: real Chromiums in simulated homes behind real NATs
 * (e2e/helpers/nat-hosts.ts), against a public node (app, signaling server,
 * service peer) and coturn in a simulated internet. Homes 1 and 2 sit
 * behind endpoint-dependent mapping (symmetric) NATs, so they can only meet
 * through TURN; home 3 behind an endpoint-independent one. The browsers run
 * as people's do (no loopback switch, mDNS hiding left on), each in its own
 * home, and get their STUN/TURN list from the node (/ice-servers) with
 * TURN REST credentials (short-lived ones from a node of their own).
 */
import { spawnSync } from 'node:child_process';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerQuestion, waitOnline } from '../helpers/harness.ts';
import { buildNatTopology, canBuildNatHosts, type NatTopology } from '../helpers/nat-hosts.ts';
import { launchHomeBrowser, startPublicNode, type HomeBrowser, type PublicNode } from '../helpers/nat-node.ts';
import { startTurnServer, type TurnServer } from '../helpers/turn-server.ts';
import { allIceReports, callIceReport, callPair, iceEvents, linkPair, recordIceEvents, waitPair } from '../helpers/candidate-pairs.ts';
import { countPeerConnections } from '../helpers/peer-connections.ts';
import { allowEverything, readNote } from '../helpers/ring.ts';
import { calls, claimName, dial, mediaFlows, ringing, waitCall, waitRinging } from '../helpers/phone.ts';
import { leaveMessage, videoFramesPlayed, waitMailbox } from '../helpers/mail.ts';
import { currentIceServers, openAt, waitForRingWithOthers, type IceList } from '../helpers/nat-tabs.ts';

const can = canBuildNatHosts();
const hasTurn = spawnSync('sh', ['-c', 'command -v turnserver']).status === 0;
const SECRET = 'nat-suite-shared-secret';
/** Short, so credentials expire during the suite and the refresh is seen. */
const TTL_S = 15;
/** A third node whose credentials live TTL_S. */
const SHORT_PORT = 8082;
/** A DHT key (40 hex digits) for the note put in home 1 and read in home 2. */
const NOTE_KEY = '5eed'.repeat(10);
/** A second node whose TURN secret is not coturn's. */
const WRONG_PORT = 8081;

let topology: NatTopology | null = null;
let turn: TurnServer | null = null;
let node: PublicNode | null = null;
let wrongNode: PublicNode | null = null;
let shortNode: PublicNode | null = null;
const browsers: HomeBrowser[] = [];
const pageErrors: string[] = [];
let alice: BrowserContext;
let a: Page;
let b: Page;
let c: Page;

describe.skipIf(!can.ok || !hasTurn)('across NATs', () => {
  beforeAll(async () => {
    topology = buildNatTopology(['endpoint-dependent', 'endpoint-dependent', 'endpoint-independent']);
    turn = await startTurnServer(topology, SECRET);
    node = await startPublicNode(topology, {
      STUN_URLS: `stun:${topology.internetAddress}:3478`,
      TURN_URLS: turn.url,
      TURN_SECRET: SECRET,
    });
    const origins = [node.url, ...[WRONG_PORT, SHORT_PORT].map((p) => `http://${topology!.internetAddress}:${p}`)];
    for (const home of topology.homes) browsers.push(await launchHomeBrowser(home, origins));
    alice = await browsers[0]!.newPerson();
    const bob = await browsers[1]!.newPerson();
    await Promise.all([countPeerConnections(alice), countPeerConnections(bob)]);
    await Promise.all([recordIceEvents(alice), recordIceEvents(bob)]);
    a = await openAt(alice, node.url, pageErrors);
    b = await openAt(bob, node.url, pageErrors);
    await Promise.all([waitOnline(a, 60_000), waitOnline(b, 60_000)]);
  }, 240_000);

  afterAll(async () => {
    for (const br of browsers) await br.close();
    await node?.stop();
    await wrongNode?.stop();
    await shortNode?.stop();
    await turn?.stop();
    topology?.remove();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('tabs in the two strict-NAT homes form one ring, linked through TURN; a record put in one is read in the other', async () => {
    // home 1, home 2 and the node's service peer
    await waitForRingWithOthers([a, b], 3, 120_000);
    const [ida, idb] = await Promise.all([idOf(a), idOf(b)]);
    const pair = await waitPair(() => linkPair(a, idb), 'the link from home 1 to home 2');
    console.log(`[nat] home 1 ↔ home 2 link: ${pair.local} → ${pair.remote}`);
    expect(pair.relay).toBe(true);
    const put = await a.evaluate((key) => window.softphoneTest!.putNote(key, 'hello from home 1'), NOTE_KEY);
    expect(put.stored.length).toBeGreaterThan(0);
    expect(await readNote(b, NOTE_KEY)).toBe('hello from home 1');
    expect(ida).not.toBe(idb);
  }, 180_000);

  it('alice (home 1) calls bob (home 2): he rings, answers, audio and video flow both ways over a relay pair', async () => {
    await claimName(b, 'bob');
    await claimName(a, 'alice');
    await dial(a, 'bob', 'Video call');
    await answerQuestion(b, 'Always allow');
    await waitRinging(b, a, 'alice', 'bob', 30_000);
    await ringing(b, 'alice').getByRole('button', { name: 'Answer with video' }).click();
    const [ca, cb] = await Promise.all([waitCall(a, 'bob', 'active'), waitCall(b, 'alice', 'active')]);
    try {
      await Promise.all([mediaFlows(a, ca.id, 30_000), mediaFlows(b, cb.id, 30_000)]);
    } catch (e) {
      throw new Error(`${(e as Error).message}; alice: ${await callIceReport(a, ca.id)}; bob: ${await callIceReport(b, cb.id)}\nalice's connections:\n${await allIceReports(a)}\nbob's:\n${await allIceReports(b)}\ncalls at alice: ${JSON.stringify(await calls(a))}\nICE at alice: ${await iceEvents(a)}\nat bob: ${await iceEvents(b)}`, { cause: e });
    }
    const [pa, pb] = await Promise.all([waitPair(() => callPair(a, ca.id), 'alice’s call'), waitPair(() => callPair(b, cb.id), 'bob’s call')]);
    console.log(`[nat] call pair at alice ${pa.local} → ${pa.remote}, at bob ${pb.local} → ${pb.remote}`);
    expect(pa.relay).toBe(true);
    expect(pb.relay).toBe(true);
    await a.getByRole('button', { name: 'Hang up' }).click();
    await Promise.all([waitCall(a, 'bob', 'ended'), waitCall(b, 'alice', 'ended', 15_000)]);
  }, 180_000);

  it('chat and video mail between alice and bob across the NATs', async () => {
    await dial(a, 'bob', 'Send a message');
    await a.getByLabel('Message to bob').fill('across two NATs');
    await a.getByRole('button', { name: 'Send', exact: true }).click();
    await b.getByRole('list', { name: 'Messages with alice' }).getByText('across two NATs').waitFor({ timeout: 30_000 });
    await leaveMessage(a, 'bob', 3);
    await waitMailbox(b, 'alice', false, 60_000);
    const item = b.getByRole('listitem', { name: /^From alice,/ });
    // As mail.e2e does: play once the list shows that enough fragments are online.
    await item.getByText(/fragments online: \d of 8 \(needs 4\)/).waitFor({ timeout: 60_000 });
    await item.getByRole('button', { name: 'Play message from alice' }).click();
    expect(await videoFramesPlayed(b, 'alice')).toBeGreaterThan(5);
  }, 180_000);

  it('a tab behind the permissive NAT (home 3) links to the public service peer directly, not through TURN', async () => {
    c = await openAt(await browsers[2]!.newPerson(), node!.url, pageErrors);
    await waitOnline(c, 60_000);
    await allowEverything([a, b, c], 2000);
    const servicePeer = await waitServicePeerLink(c, [a, b, c]);
    const pair = await waitPair(() => linkPair(c, servicePeer), 'the link from home 3 to the service peer');
    console.log(`[nat] home 3 ↔ service peer link: ${pair.local} → ${pair.remote}`);
    expect(pair.relay).toBe(false);
    // The service peer has the node's list too (a relay for when it sits behind a NAT itself); ICE still took the direct pair.
    expect(node!.linesWith('media servers from the node')).toEqual([expect.stringContaining(`media servers from the node: stun:${topology!.internetAddress}:3478, ${turn!.url.replace(/\?.*$/, '')}`)]);
  }, 180_000);

  it('a TURN credential that expires during the session is refreshed, and coturn takes the new one after the first expired', async () => {
    // A node of its own with credentials of TTL_S: coturn checks a credential's expiry on every request, so a
    // call's relay permissions made after its credential expired fail (the main node keeps the default hour).
    shortNode = await startPublicNode(topology!, { TURN_URLS: turn!.url, TURN_SECRET: SECRET, TURN_TTL_S: String(TTL_S) }, SHORT_PORT, false);
    const tab = await openAt(await browsers[0]!.newPerson(), shortNode.url, pageErrors);
    const first = await waitIceList(tab, (l) => l.expiresAt > 0 && l.relay === 'ready', 'a checked first list');
    const user = (l: IceList): string | undefined => l.iceServers.find((x) => String(x.urls).startsWith('turn:'))?.username;
    expect(user(first)).toMatch(/^\d+:/);
    while (Date.now() < first.expiresAt + 1000) await tab.waitForTimeout(1000);
    // After the first credential's expiry: a newer one, and the tab's relay check (a TURN allocation made now) passed with it.
    const now = await waitIceList(tab, (l) => l.expiresAt > Date.now() && l.relay === 'ready', 'a refreshed, checked list');
    console.log(`[nat] TURN credential ${user(first)} → ${user(now)}; relay check: ${now.relay}`);
    expect(now.expiresAt).toBeGreaterThan(first.expiresAt);
    expect(user(now)).not.toBe(user(first));
    expect(now.problem).toBe('');
    await tab.close();
    await shortNode.stop();
  }, 180_000);

  it('a node whose TURN secret coturn does not share: the tab says in plain words that the relay refused its credentials', async () => {
    const t = topology!;
    wrongNode = await startPublicNode(t, { TURN_URLS: turn!.url, TURN_SECRET: 'not-the-secret', TURN_TTL_S: '600' }, WRONG_PORT, false);
    const tab = await openAt(await browsers[0]!.newPerson(), wrongNode.url, pageErrors);
    const notice = tab.getByTestId('ice-notice');
    await notice.filter({ hasText: /refused our credentials/ }).waitFor({ timeout: 45_000 });
    const words = (await notice.innerText()).replace(/\s+/g, ' ');
    console.log(`[nat] with a wrong TURN secret the tab says: ${words}`);
    expect(words).toMatch(/relay/i);
    expect((await currentIceServers(tab)).relay).toBe('refused');
    // The app still runs: the tab is online with its node's signaling server.
    await waitOnline(tab, 30_000);
    await tab.close();
  }, 120_000);
});

/** The node ID of `page`'s link to the service peer: the one linked peer that is none of the home tabs. */
async function waitServicePeerLink(page: Page, tabs: Page[]): Promise<string> {
  const tabIds = await Promise.all(tabs.map(idOf));
  const until = Date.now() + 60_000;
  for (;;) {
    const id = (await page.evaluate(() => window.softphoneTest!.linkedIds())).find((x) => !tabIds.includes(x));
    if (id) return id;
    if (Date.now() > until) throw new Error('home 3 has no link to the service peer');
    await page.waitForTimeout(500);
  }
}

/** Polls the tab's ICE list until `ok` holds. */
async function waitIceList(page: Page, ok: (l: IceList) => boolean, what: string, timeoutMs = 45_000): Promise<IceList> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const l = await currentIceServers(page);
    if (ok(l)) return l;
    if (Date.now() > until) throw new Error(`no ${what} in ${timeoutMs} ms: ${JSON.stringify(l)}`);
    await page.waitForTimeout(500);
  }
}

/** The tab's node ID, whatever page it shows. */
function idOf(page: Page): Promise<string> {
  return page.evaluate(() => window.softphoneTest!.nodeId()!);
}

it.runIf(!can.ok || !hasTurn)('the NAT suite needs root, nftables and coturn', () => {
  console.warn(`[nat] skipped: ${can.ok ? 'turnserver is missing' : can.why}`);
});
