/**
 * What the end-to-end suites and browser benchmarks do in a tab: read its
 * node and user IDs and signaling status, move between its pages, answer its
 * permission questions. Browsers and tabs come from browser.ts.
 */
import type { Page } from 'playwright-core';

/**
 * The app once it has its keys (the old "Node ID is shown" on Home), on any
 * page: Home became the phone and the IDs moved to Settings (issue 18), so
 * the app's root says it. Works in production builds, which have no test handle.
 */
export function started(page: Page) {
  return page.locator('.app[data-started="yes"]');
}

/** This tab's node ID, read from the app's root whatever page is shown. */
export async function nodeIdOf(page: Page): Promise<string> {
  await started(page).waitFor();
  return (await started(page).getAttribute('data-node-id')) ?? '';
}

/** The person's user ID, read from the app's root whatever page is shown. */
export async function userIdOf(page: Page): Promise<string> {
  await started(page).waitFor();
  return (await started(page).getAttribute('data-user-id')) ?? '';
}

export function signalingStatus(page: Page) {
  return page.getByTestId('signaling-status');
}

/**
 * Waits until the tab says it is online with its signaling server. The status
 * is on Settings (issue 18); the tab is sent there by its address, not by a
 * click, since a question may be open over the page (a modal dialog takes the clicks).
 */
export async function waitOnline(page: Page, timeout = 30_000): Promise<void> {
  // The signaling status is on Settings: look there, then go back to the page that was open,
  // so a suite that waits for a tab to be online finds it where it was (a newcomer on Home's first screen).
  const away = (await signalingStatus(page).count()) === 0 ? await page.evaluate(() => location.hash) : null;
  if (away !== null) await page.evaluate(() => (location.hash = '#/settings'));
  await signalingStatus(page).filter({ hasText: /^Online via/ }).waitFor({ timeout });
  if (away !== null) await page.evaluate((hash) => (location.hash = hash || '#/'), away);
}

/** Opens one of the app's pages by its navigation link. 'Phone' is Home, which became the phone (issue 18). */
export async function goTo(page: Page, name: 'Home' | 'Phone' | 'Video mail' | 'Network' | 'Permissions' | 'Settings'): Promise<void> {
  const link = name === 'Phone' ? 'Home' : name;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 2, name: link, exact: true }).first().waitFor();
}

/** Answers the permission question showing in `page` with one of its four buttons. */
export async function answerQuestion(page: Page, answer: 'Allow once' | 'Always allow' | 'Deny' | 'Always deny', timeout = 20_000): Promise<string> {
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor({ timeout });
  const title = (await dialog.getByRole('heading').textContent()) ?? '';
  await dialog.getByRole('button', { name: answer, exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
  return title;
}

/** The row of the Network page's peer list for `nodeId`. */
export function peerRow(page: Page, nodeId: string) {
  return page.locator(`li[data-node-id="${nodeId}"]`);
}

/** Gives the same answer to every permission question `page` shows, until none has shown for `quietMs`. Returns how many it answered. */
export async function answerAll(page: Page, answer: 'Allow once' | 'Always allow' | 'Deny' | 'Always deny', firstWithinMs = 30_000, quietMs = 2000): Promise<number> {
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor({ timeout: firstWithinMs });
  let n = 0;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    if ((await dialog.count()) > 0) {
      await dialog.getByRole('button', { name: answer, exact: true }).click().catch(() => undefined);
      n++;
      quietSince = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return n;
}

/**
 * Keeps the last `max` lines `page` logs to its console (the app logs SIP
 * refusals and failures as "[sip] …"), so a failed step can say what the tab
 * saw. Returns a function that reads them, oldest first.
 */
export function keepConsole(page: Page, max = 200): () => string[] {
  const lines: string[] = [];
  page.on('console', (m) => {
    lines.push(`${new Date().toISOString().slice(11, 23)} ${m.text()}`);
    if (lines.length > max) lines.shift();
  });
  return () => [...lines];
}

/**
 * Answers "Always allow" whenever `page` asks about joining the network,
 * before any action the question would cover (Playwright's locator
 * handler). For suites about something else: a newcomer's tab is asked once
 * another peer is online, and the question waits for the person.
 */
export async function allowJoiningWhenAsked(page: Page): Promise<void> {
  const question = page.getByRole('alertdialog').filter({ has: page.getByRole('heading', { name: /^Join the network/ }) });
  await page.addLocatorHandler(question, async () => {
    await question.getByRole('button', { name: 'Always allow', exact: true }).click();
  });
}
