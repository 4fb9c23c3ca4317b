/**
 * After its first links a tab needs no server (issue 16): eight tabs of
 * three people form a ring through a signaling server of the suite's own,
 * which is then killed and stays down. Links that drop are made again
 * through the overlay (the WebRTC offer and answer as routed messages),
 * storage reaches its replicas over the links the tabs have, and two people
 * whose tabs have no link to each other call (media both ways), chat and
 * leave a video message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nodeIdOf, waitOnline } from '../helpers/harness.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';
import { claimName, reachable } from '../helpers/phone.ts';
import { dhtKeyHex } from '../helpers/mail.ts';
import { allowEverything, readNote, waitForRing } from '../helpers/ring.ts';
import { callBothWays, chat, killSignaling, videoMail } from '../helpers/serverless.ts';
import { stepLog, until } from '../helpers/steps.ts';
import { startSignaling, type ServerProcess } from '../runner/server-process.ts';

let signaling: ServerProcess | null = null;
const web = useBrowser({ teardown: () => signaling?.stop('SIGKILL') });

const linkVias = (p: Page) => p.evaluate(() => window.softphoneTest!.linkVias());
const opened = (p: Page) => p.evaluate(() => window.softphoneTest!.linksOpened());

/** Where the test got to, with seconds since it began. */
const step = stepLog('serverless');

describe('with the signaling server down', () => {
  afterAll(async () => {
    await signaling?.stop('SIGKILL');
  });

  it('re-makes links through the overlay, stores and reads, calls, chats and sends video mail', async () => {
    signaling = await startSignaling();
    const query = `?signaling=${encodeURIComponent(`${signaling.url}/peerjs`)}`;
    const [alice, bob, carol] = [await web.newPerson(), await web.newPerson(), await web.newPerson()];
    // One tab at a time: a loaded machine's dev server compiles the first page slowly.
    const open = async (who: typeof alice): Promise<Page> => {
      const p = await openPeer(who, query, 120_000);
      await waitOnline(p, 60_000);
      return p;
    };
    const others: Page[] = [];
    for (let i = 0; i < 6; i++) others.push(await open(carol));
    const a = await open(alice);
    const b = await open(bob);
    const all = [...others, a, b];
    step('8 tabs online');
    await allowEverything(all, 1000);
    await waitForRing(all, 90_000);
    step('ring formed');
    await claimName(b, 'bob');
    await claimName(a, 'alice');
    const [aId, bId] = [await nodeIdOf(a), await nodeIdOf(b)];
    step('names claimed');

    await killSignaling(signaling, all);
    signaling = null;

    step('signaling server killed');
    // Every peer but alice's successor drops its link to alice's tab; she still wants the ring's links and
    // makes them again through the overlay, signaled over the one link she has left (a tab with no link
    // at all has no route to signal through: coming back from there is the bootstrap endpoints' job).
    const before = await opened(a);
    const aLinks = await linkVias(a);
    const aSuccessor = await a.evaluate(() => window.softphoneTest!.ring()!.successors[0]!);
    const ids = await Promise.all(all.map(nodeIdOf));
    for (const [i, p] of all.entries()) {
      if (p !== a && ids[i] !== aSuccessor) await p.evaluate((id) => window.softphoneTest!.disconnectLink(id, 'closed-by-you'), aId);
    }
    await until(
      'alice’s tab links again through the overlay',
      async () => (await linkVias(a)).filter((l) => l.via === 'overlay').length >= Math.min(3, aLinks.length - 1),
      45_000,
    ).catch(async (e: unknown) => {
      const state = await a.evaluate(() => ({
        links: window.softphoneTest!.linkVias(),
        attach: window.softphoneTest!.attachCounters(),
        refusals: window.softphoneTest!.refusals(),
        ring: window.softphoneTest!.ring(),
      }));
      console.log(`alice’s tab: ${JSON.stringify({ ...state, ring: { joined: state.ring?.joined, successors: state.ring?.successors, fingers: state.ring?.fingers } })}`);
      throw e;
    });
    const after = await opened(a);
    console.log(
      `alice’s links before: ${aLinks.length}; made again through the overlay by her: ${after.overlay - before.overlay}, by the far side: ${after.inbound - before.inbound}; now ${JSON.stringify(await linkVias(a))}`,
    );
    // Both ends want these links: when both dial at once, the link the smaller node ID dialed is the one
    // kept, so some come up as alice's dials and some as the far side's, all signaled through the overlay.
    expect(after.overlay - before.overlay + (after.inbound - before.inbound)).toBeGreaterThanOrEqual(3);
    expect(after.server).toBe(before.server);
    // Bob's tab keeps no link to alice's: what follows crosses the ring.
    await b.evaluate((id) => window.softphoneTest!.disconnectLink(id, 'closed-by-you'), aId);
    await a.evaluate((id) => window.softphoneTest!.disconnectLink(id, 'closed-by-you'), bId);

    // The ring repairs itself around the links that went (the tables forgot the nodes whose links closed).
    await waitForRing(all, 60_000);
    step('links re-made through the overlay; ring consistent');
    // Puts and gets, from alice's tab, of keys whose replicas are anywhere on the ring.
    for (let i = 0; i < 10; i++) {
      const key = dhtKeyHex(`serverless-note-${i}`);
      const put = await a.evaluate(([k, t]) => window.softphoneTest!.putNote(k!, t!), [key, `note ${i}`]);
      expect(put.stored.length).toBeGreaterThan(0);
      expect(await readNote(others[i % others.length]!, key)).toBe(`note ${i}`);
      expect(await readNote(a, key)).toBe(`note ${i}`);
    }

    step('puts and gets done');
    // A call: alice to bob; bob says yes to alice the first time, then answers.
    await Promise.all([reachable(a, 'alice'), reachable(b, 'bob')]);
    const media = await callBothWays(a, b, 'alice', 'bob', true);
    expect(media.atA.framesDecoded).toBeGreaterThan(0);
    expect(media.atB.framesDecoded).toBeGreaterThan(0);

    step('call done');
    // Chat.
    await chat(a, b, 'alice', 'bob', 'no server needed');

    step('chat done');
    // Video mail, sent and fetched.
    await videoMail(a, b, 'alice', 'bob', 2);

    step('video mail done');
    const counters = await a.evaluate(() => {
      const c = window.softphoneTest!.overlayCounters();
      return { attach: window.softphoneTest!.attachCounters(), tunneled: c.tunneled, routingToUnlinked: c.routingToUnlinked, lookupFailures: c.lookupFailures };
    });
    console.log(`alice’s overlay signaling: ${JSON.stringify(counters)}`);
    expect(await a.evaluate(() => window.softphoneTest!.app().signaling.kind)).not.toBe('online');
  }, 600_000);
});
