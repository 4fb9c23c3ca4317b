/**
 * Issue 18's first minute and calls that reach a person, in real Chromium
 * over loopback.
 *
 * The first minute: a newcomer's first screen says what the app is and what
 * to do first (choose a name, the field right there); the question about
 * joining the network explains itself, says what no means and has no
 * countdown; saying no is answered, on every page, with "People cannot call
 * you" and the way back in. Each screen is shot at 1280 × 800 and 390 × 844
 * and passes axe.
 *
 * Calls that reach a person: bob's tab is hidden behind another tab in a
 * browser run as people run it (no focus emulation, timers throttled); alice
 * calls; bob's page plays the ring (its AudioContext runs and its graph
 * produces non-silent samples, read through the test handle's AnalyserNode),
 * its title and favicon change, and a system notification is shown (the
 * permission granted in the test's profile; window.Notification wrapped by
 * an init script to record what is shown). The call is then missed, and a
 * message comes: both notify and count in the title.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { answerQuestion, waitOnline } from '../helpers/harness.ts';
import { bringToFront, hideBehindAnotherTab, visibility } from '../helpers/peoples-browser.ts';
import { aliceAndBob, dial, waitCall } from '../helpers/phone.ts';
import { allowEverything } from '../helpers/ring.ts';
import { appURL, openPeer, useBrowser } from '../helpers/browser.ts';
import { axeViolations } from '../helpers/screen.ts';

const web = useBrowser({ peoplesBrowser: true });
const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];


/** Shoots the page at both sizes as e2e/artifacts/first-minute-<name>-<width>.png, checking axe at each. */
async function shootAndCheck(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200);
    await page.screenshot({ path: `e2e/artifacts/first-minute-${name}-${size.width}.png`, fullPage: true });
    expect(await axeViolations(page), `${name} at ${size.width} px`).toEqual([]);
  }
  await page.setViewportSize(SIZES[0]!);
}

describe('a newcomer’s first minute', () => {
  let carol: BrowserContext;
  let c: Page;

  it('the first screen says what the app is and what to do first, with the name field right there', async () => {
    carol = await web.newPerson();
    c = await openPeer(carol);
    await waitOnline(c);
    const welcome = c.getByRole('region', { name: 'Welcome to P2P Softphone' });
    await welcome.waitFor();
    expect(await welcome.innerText()).toMatch(/A phone in your browser/);
    expect(await welcome.innerText()).toMatch(/Choose a name/);
    expect(await welcome.getByRole('textbox', { name: 'Your name', exact: true }).count()).toBe(1);
    await shootAndCheck(c, 'first-screen');
  }, 120_000);

  it('choosing a name happens on the first screen', async () => {
    const welcome = c.getByRole('region', { name: 'Welcome to P2P Softphone' });
    await welcome.getByRole('textbox', { name: 'Your name', exact: true }).fill('carol');
    await shootAndCheck(c, 'choosing-a-name');
    await welcome.getByRole('button', { name: 'Claim this name' }).click();
    // The first screen has done its work once the name is claimed.
    await welcome.waitFor({ state: 'detached', timeout: 30_000 });
  }, 120_000);

  it('joining is explained in plain words, with what no means, and no countdown; no is answered on every page with the way back', async () => {
    // Someone else is on the network: carol's tab meets it, and asks her.
    const dave = await web.newPerson();
    try {
      // Under a loaded machine the dev server can take longer than openPeer's 30 s to serve a first page: one more try, said aloud.
      await openPeer(dave).catch(async (e: unknown) => {
        console.log(`[alerts] dave's first page did not load (${String(e).slice(0, 120)}); trying once more`);
        await openPeer(dave);
      });
      await joinStory(dave);
    } finally {
      await dave.close();
      await carol.close();
    }
  }, 240_000);

  async function joinStory(dave: BrowserContext): Promise<void> {
    const d = dave.pages().at(-1)!;
    await waitOnline(d);
    const question = c.getByRole('alertdialog');
    await question.waitFor({ timeout: 45_000 });
    const words = await question.innerText();
    expect(words).toMatch(/Join the network “p2p.local” to make and receive calls\?/);
    expect(words).toMatch(/If you say no, nobody can call you or leave you a message, and you cannot call anyone/);
    expect(words).not.toMatch(/Refused automatically/);
    await shootAndCheck(c, 'join-question');
    await c.waitForTimeout(35_000);
    // Still there after the 30 s that used to refuse it behind her back.
    expect(await question.count()).toBe(1);
    await answerQuestion(c, 'Deny');

    const banner = c.getByTestId('reach-banner');
    await banner.filter({ hasText: 'People cannot call you: you said no to joining the network.' }).waitFor({ timeout: 30_000 });
    for (const page of ['Video mail', 'Network', 'Permissions', 'Settings'] as const) {
      await c.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: page }).click();
      await banner.filter({ hasText: 'People cannot call you' }).waitFor();
    }
    await c.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
    await shootAndCheck(c, 'refused');

    // The way back in: the banner's button asks again, and the tab joins.
    await banner.getByRole('button', { name: 'Join now' }).click();
    expect(await answerQuestion(c, 'Allow once', 30_000)).toMatch(/Join the network/);
    await allowEverything([d], 1000);
    await c.waitForFunction(() => (window.softphoneTest!.ring()?.successors.length ?? 0) > 0, undefined, { timeout: 60_000, polling: 500 });
    await banner.waitFor({ state: 'detached', timeout: 60_000 }).catch(async (e: unknown) => {
      throw new Error(`the banner still says “${await banner.innerText().catch(() => '')}” (${String(e)})`);
    });
  }
});

/** Records every system notification the page shows (window.Notification wrapped before the app loads). */
function recordNotifications(): void {
  const Real = window.Notification;
  const shown: { title: string; body: string; tag: string }[] = [];
  (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
  function Recorded(title: string, options?: NotificationOptions): Notification {
    shown.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
    return new Real(title, options);
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Object.defineProperty(Recorded, 'requestPermission', { value: (cb?: NotificationPermissionCallback) => Real.requestPermission(cb) });
  (window as unknown as { Notification: unknown }).Notification = Recorded;
}

function notificationsOf(page: Page): Promise<{ title: string; body: string; tag: string }[]> {
  return page.evaluate(() => (window as unknown as { shownNotifications?: { title: string; body: string; tag: string }[] }).shownNotifications ?? []);
}

describe('calls that reach a person whose tab is hidden', () => {
  it('alice calls bob, whose tab is behind another: it rings with sound, the title and icon change, a notification shows; a missed call and a message notify and count', async () => {
    const bob = web.people.person;
    await bob.grantPermissions(['notifications'], { origin: new URL(appURL()).origin });
    await bob.addInitScript(recordNotifications);
    const { a, b } = await aliceAndBob(web.browser, bob);
    expect(await b.evaluate(() => Notification.permission)).toBe('granted');
    expect(await b.evaluate(() => 'shownNotifications' in window), 'the init script that records notifications ran').toBe(true);
    await hideBehindAnotherTab(b);

    await dial(a, 'bob', 'Audio call');
    // Bob has never met alice: he is asked first (in front, as a person would), then goes back to his other tab.
    await b.getByRole('alertdialog').waitFor({ timeout: 30_000 });
    await bringToFront(b);
    expect(await answerQuestion(b, 'Always allow')).toMatch(/alice/);
    await hideBehindAnotherTab(b);

    await b.getByRole('alertdialog', { name: /alice is calling/ }).waitFor({ timeout: 30_000 });
    expect(await visibility(b)).toBe('hidden');
    await b.waitForFunction(() => document.title === '📞 alice is calling — P2P Softphone', undefined, { timeout: 10_000, polling: 200 });
    expect(await b.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')!.href)).toMatch(/^data:image\/svg\+xml,/);
    // The ring: a running AudioContext whose graph produces sound (the analyser's RMS level), read a few times over its 3 s cycle.
    const levels: number[] = [];
    let state = '';
    for (let i = 0; i < 12; i++) {
      const p = await b.evaluate(() => window.softphoneTest!.alerts());
      state = p?.tone.contextState ?? 'none';
      levels.push(Math.round((p?.tone.level ?? 0) * 1000) / 1000);
      await b.waitForTimeout(250);
    }
    console.log(`[alerts] hidden tab's ring: AudioContext ${state}, RMS levels ${levels.join(' ')}`);
    expect(state).toBe('running');
    expect(Math.max(...levels)).toBeGreaterThan(0.01);
    const notes = await notificationsOf(b);
    expect(notes).toContainEqual(expect.objectContaining({ title: 'alice is calling', tag: expect.stringMatching(/^call-/) }));
    expect(await visibility(b)).toBe('hidden');

    // Alice gives up: bob missed the call. The ring stops; the title counts it; a notification says so.
    await a.getByRole('button', { name: 'Cancel call' }).click();
    await waitCall(b, 'alice', 'ended', 30_000);
    await b.waitForFunction(() => document.title === '(1) P2P Softphone', undefined, { timeout: 10_000, polling: 200 });
    expect((await b.evaluate(() => window.softphoneTest!.alerts()))?.tone.ringing).toBe(false);
    expect(await notificationsOf(b)).toContainEqual(expect.objectContaining({ title: 'Missed call from alice' }));

    // A message while he is away: notified, counted.
    await dial(a, 'bob', 'Send a message');
    await a.getByLabel('Message to bob').fill('Call me back when you can');
    await a.getByRole('button', { name: 'Send', exact: true }).click();
    await b.waitForFunction(() => document.title === '(2) P2P Softphone', undefined, { timeout: 30_000, polling: 200 });
    expect(await notificationsOf(b)).toContainEqual({ title: 'Message from alice', body: 'Call me back when you can', tag: 'message-alice' });

    // He looks: the count goes.
    await bringToFront(b);
    await b.evaluate(() => window.dispatchEvent(new Event('focus')));
    console.log(`[alerts] bob looks: hasFocus ${await b.evaluate(() => document.hasFocus())}, title “${await b.title()}”`);
    await b.waitForFunction(() => document.title === 'P2P Softphone', undefined, { timeout: 10_000, polling: 200 });
  }, 300_000);
});
