/**
 * Server restarts are quiet (issue 16): restarting `npm start` reloads no
 * tab and cuts no call. Before, Vite's client reloaded every open tab when
 * its socket came back, which cut the call in progress. The suite runs its
 * own `npm start`, so it can stop and start it on the same port; the
 * production build's restart is in public-node.e2e.ts.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { pageErrors, useBrowser } from '../helpers/browser.ts';
import { answerQuestion, goTo, started, waitOnline } from '../helpers/harness.ts';
import { claimName, dial, mediaIn, ringing, waitCall } from '../helpers/phone.ts';
import { waitForRing } from '../helpers/ring.ts';
import { startApp, type ServerProcess } from '../runner/server-process.ts';

let app: ServerProcess | null = null;
const web = useBrowser({ teardown: () => app?.stop() });

async function openAt(ctx: BrowserContext, url: string): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
  // The first page of a fresh dev server waits for every module's first transform.
  await page.goto(url, { timeout: 90_000 });
  await started(page).waitFor({ timeout: 30_000 });
  return page;
}

/** Waits until audio into `page` rose by `bytes` (the call's media flows now). */
async function audioFlows(page: Page, callId: string, bytes = 8_000, timeout = 30_000): Promise<number> {
  const first = (await mediaIn(page, callId)).audioBytes;
  const until = Date.now() + timeout;
  for (;;) {
    const now = (await mediaIn(page, callId)).audioBytes;
    if (now - first >= bytes) return now;
    if (Date.now() > until) throw new Error(`audio did not flow into the tab: ${first} → ${now} bytes`);
    await page.waitForTimeout(250);
  }
}

const markReloads = (p: Page): Promise<void> => p.evaluate(() => void Object.assign(window, { notReloaded: true }));
const notReloaded = (p: Page): Promise<boolean | undefined> => p.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded);

describe('npm start restarted', () => {
  it('reloads no tab, and the call in progress goes on with media both ways', async () => {
    app = await startApp();
    const url = `${app.url}/`;
    const [alice, bob] = [await web.newPerson(), await web.newPerson()];
    const b = await openAt(bob, url);
    const a = await openAt(alice, url);
    await Promise.all([waitOnline(a), waitOnline(b)]);
    await waitForRing([a, b]);
    await claimName(b, 'bob');
    await claimName(a, 'alice');
    await dial(a, 'bob', 'Audio call');
    await answerQuestion(b, 'Always allow');
    await ringing(b, 'alice').getByRole('button', { name: 'Answer', exact: true }).click({ timeout: 20_000 });
    const [ca, cb] = await Promise.all([waitCall(a, 'bob', 'active'), waitCall(b, 'alice', 'active')]);
    await Promise.all([audioFlows(a, ca.id), audioFlows(b, cb.id)]);
    await Promise.all([markReloads(a), markReloads(b)]);

    const port = app.port;
    await app.stop();
    app = await startApp(port);
    const started = Date.now();
    await Promise.all([waitOnline(a, 90_000), waitOnline(b, 90_000)]);
    console.log(`[quiet-restart] both tabs online again ${Date.now() - started} ms after the server answered`);

    expect([await notReloaded(a), await notReloaded(b)]).toEqual([true, true]);
    expect((await waitCall(a, 'bob', 'active', 1000)).id).toBe(ca.id);
    expect((await waitCall(b, 'alice', 'active', 1000)).id).toBe(cb.id);
    await Promise.all([audioFlows(a, ca.id), audioFlows(b, cb.id)]);
    // waitOnline showed the Home page; the call's controls are on the Phone page.
    await goTo(a, 'Phone');
    await a.getByRole('button', { name: 'Hang up' }).click();
    await waitCall(b, 'alice', 'ended', 10_000);
    await alice.close();
    await bob.close();
  }, 240_000);
});
