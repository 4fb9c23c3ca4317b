/**
 * A phone-sized screen (issue 19): at 360 × 740 and 390 × 844 no page of the
 * app scrolls sideways (`document.documentElement.scrollWidth <= innerWidth`)
 * and axe finds no accessibility violation, on every page and with a call,
 * a conversation and the record dialog open; a call in progress fills the
 * screen. Screenshots at 1280 × 800 and 390 × 844 go to e2e/artifacts/screen-*.png.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { answerQuestion, goTo } from '../helpers/harness.ts';
import { aliceAndBob, dial, ringing, waitCall, waitRinging } from '../helpers/phone.ts';
import { useBrowser } from '../helpers/browser.ts';
import { axeViolations } from '../helpers/screen.ts';

const web = useBrowser();
let a: Page;
let b: Page;
const PAGES = ['Home', 'Video mail', 'Network', 'Permissions', 'Settings'] as const;
const PHONES = [
  { width: 360, height: 740 },
  { width: 390, height: 844 },
];

/** How far the page scrolls sideways, in CSS pixels (0 when it fits), and the widest elements when it does not. */
async function sideways(page: Page): Promise<{ over: number; culprits: string[] }> {
  return page.evaluate(() => {
    const over = document.documentElement.scrollWidth - window.innerWidth;
    const culprits =
      over <= 0
        ? []
        : [...document.querySelectorAll<HTMLElement>('body *')]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 8)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`);
    return { over, culprits };
  });
}


/** Checks the page as it is at each phone size: no sideways scroll, no axe violation. */
async function checkAtPhoneSizes(page: Page, what: string): Promise<void> {
  for (const size of PHONES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    const s = await sideways(page);
    expect(s.over, `${what} at ${size.width} px: ${s.culprits.join('; ')}`).toBeLessThanOrEqual(0);
    expect(await axeViolations(page), `${what} at ${size.width} px`).toEqual([]);
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  // The suites keep Chromium's occluded-window backgrounding: a page behind another draws no frame to capture.
  await page.bringToFront();
  // Headless Chromium here (software compositing) draws no new frame while a call's <video> plays, so neither a capture nor a
  // click finishes: the pictures are held still from here on (the call itself goes on).
  await page.evaluate(() => document.querySelectorAll('video').forEach((v) => v.pause()));
  for (const size of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(200);
    console.log(`[screen] taking ${name} at ${size.width} px`);
    await page.screenshot({ path: `e2e/artifacts/screen-${name}-${size.width}.png`, timeout: 20_000 });
  }
}

beforeAll(async () => {
  ({ a, b } = await aliceAndBob(web.browser));
}, 150_000);

it('every page fits 360 and 390 px without sideways scrolling and passes axe', async () => {
  for (const name of PAGES) {
    await goTo(a, name);
    await checkAtPhoneSizes(a, `the ${name} page`);
  }
}, 120_000);

it('a call fills a phone-sized screen with large controls; the call, a conversation and the record dialog fit and pass axe', async () => {
  await dial(a, 'bob', 'Video call');
  expect(await answerQuestion(b, 'Always allow')).toMatch(/alice/);
  await waitRinging(b, a, 'alice', 'bob');
  await shoot(b, 'ringing');
  await checkAtPhoneSizes(b, 'the ringing dialog');
  await ringing(b, 'alice').getByRole('button', { name: 'Answer with video' }).click();
  await waitCall(a, 'bob', 'active');
  await waitCall(b, 'alice', 'active');
  await a.getByRole('region', { name: 'Call to bob' }).getByRole('button', { name: 'Hang up' }).waitFor();
  await checkAtPhoneSizes(a, 'a video call');

  // At 390 px the call covers the screen and Hang up is a large target.
  await a.setViewportSize({ width: 390, height: 844 });
  const call = await a.getByRole('region', { name: 'Call to bob' }).boundingBox();
  const hangUp = await a.getByRole('button', { name: 'Hang up' }).boundingBox();
  expect(call).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
  expect(hangUp!.height).toBeGreaterThanOrEqual(44);
  expect(hangUp!.y + hangUp!.height).toBeLessThanOrEqual(844);
  await shoot(a, 'call');
  await a.getByRole('button', { name: 'Hang up' }).click();
  await waitCall(b, 'alice', 'ended');

  await dial(a, 'bob', 'Send a message');
  await a.getByLabel('Message to bob').fill('A message long enough to wrap on a narrow screen, with a long word: supercalifragilisticexpialidocious-and-then-some.');
  await a.getByRole('button', { name: 'Send', exact: true }).click();
  await a.getByText('delivered', { exact: false }).first().waitFor({ timeout: 30_000 });
  await checkAtPhoneSizes(a, 'a conversation');
  await shoot(a, 'chat');

  await goTo(a, 'Video mail');
  await a.getByLabel('Their name').fill('bob');
  await a.getByRole('button', { name: 'Record a message' }).click();
  const dialog = a.getByRole('dialog', { name: 'Leave a video message for bob' });
  await dialog.getByRole('button', { name: 'Start recording' }).and(a.locator(':enabled')).waitFor({ timeout: 20_000 });
  await checkAtPhoneSizes(a, 'the record dialog');
  await shoot(a, 'record-dialog');
  await a.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
}, 300_000);
