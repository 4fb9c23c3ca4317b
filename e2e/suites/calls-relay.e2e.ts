/**
 * A call in a 6-tab overlay between two people whose tabs are not ring
 * neighbours: the SIP messages cross relay tabs (counted by the relays'
 * own overlay counters) and the media still flows browser to browser.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { answerQuestion, waitOnline } from '../helpers/harness.ts';
import { claimName, dial, mediaFlows, ringing, waitCall, waitRinging } from '../helpers/phone.ts';
import { ringOf, waitForRing } from '../helpers/ring.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

const TABS = 6;
const web = useBrowser();
const pages: Page[] = [];

beforeAll(async () => {
  // One person per tab, so each tab can have a name of its own.
  for (let i = 0; i < TABS; i++) pages.push(await openPeer(await web.newPerson()));
  await Promise.all(pages.map((p) => waitOnline(p)));
  await waitForRing(pages, 90_000);
}, 150_000);

function relayedBy(page: Page): Promise<number> {
  return page.evaluate(() => window.softphoneTest!.overlayCounters().relayed);
}

it('alice calls bob across relay tabs: bob rings, answers, media flows both ways', async () => {
  const views = await Promise.all(pages.map((p) => ringOf(p)));
  const adjacent = (i: number, j: number): boolean =>
    views[i]!.successors[0] === views[j]!.self || views[i]!.predecessor === views[j]!.self || views[j]!.successors[0] === views[i]!.self;
  let pair: [number, number] | null = null;
  for (let i = 0; i < TABS && !pair; i++) for (let j = 0; j < TABS && !pair; j++) if (i !== j && !adjacent(i, j)) pair = [i, j];
  if (!pair) throw new Error('every two tabs are ring neighbours');
  const [a, b] = [pages[pair[0]]!, pages[pair[1]]!];
  const relays = pages.filter((p) => p !== a && p !== b);
  await claimName(b, 'bob');
  await claimName(a, 'alice');
  const before = await Promise.all(relays.map(relayedBy));

  await dial(a, 'bob', 'Video call');
  await answerQuestion(b, 'Always allow');
  await waitRinging(b, a, 'alice', 'bob');
  await ringing(b, 'alice').getByRole('button', { name: 'Answer with video' }).click();
  const [ca, cb] = await Promise.all([waitCall(a, 'bob', 'active'), waitCall(b, 'alice', 'active')]);
  await Promise.all([mediaFlows(a, ca.id), mediaFlows(b, cb.id)]);
  await a.getByRole('button', { name: 'Hang up' }).click();
  await Promise.all([waitCall(a, 'bob', 'ended'), waitCall(b, 'alice', 'ended', 10_000)]);

  const after = await Promise.all(relays.map(relayedBy));
  const relayed = after.map((n, i) => n - before[i]!);
  console.log(`[calls-relay] messages relayed by the other tabs during the call: ${relayed.join(', ')}`);
  expect(relayed.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
}, 150_000);
