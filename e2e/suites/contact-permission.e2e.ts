/**
 * The contact scope end to end (issue 4): bob refuses alice, then lets her
 * in for good, keeps that across reloads, revokes it, and every decision is
 * in his log. Refused requests never reach bob's phone.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { answerQuestion, goTo } from '../helpers/harness.ts';
import { aliceAndBob, callStatus, calls, dial, reachable, ringing, waitCall, waitRinging } from '../helpers/phone.ts';
import { useBrowser } from '../helpers/browser.ts';

const web = useBrowser();
let a: Page;
let b: Page;

beforeAll(async () => {
  ({ a, b } = await aliceAndBob(web.browser));
}, 120_000);

/** The contact-scope rows of bob's decisions log: [decision, why]. */
async function contactLog(page: Page): Promise<string[]> {
  await goTo(page, 'Permissions');
  const rows = page.getByTestId('audit-log').locator('tbody tr').filter({ hasText: 'Calls and messages' });
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
}

/** What bob's phone has seen of alice: calls and chat messages. */
function bobSawAlice(page: Page): Promise<{ calls: number; messages: number }> {
  return page.evaluate(async () => {
    const p = window.softphoneTest!.phone()!;
    return { calls: p.getSnapshot().calls.filter((c) => c.peer === 'alice').length, messages: (await p.chat.load('alice')).length };
  });
}

async function callAndDecline(): Promise<void> {
  await waitRinging(b, a, 'alice', 'bob');
  await ringing(b, 'alice').getByRole('button', { name: 'Decline' }).click();
  await waitCall(a, 'bob', 'ended');
}

it('bob refuses alice: she is told, and neither her message nor her call reached his phone', async () => {
  await dial(a, 'bob', 'Send a message');
  await a.getByLabel('Message to bob').fill('hello?');
  await a.getByRole('button', { name: 'Send', exact: true }).click();
  expect(await answerQuestion(b, 'Always deny')).toMatch(/alice/);
  await a.getByText('Not delivered: bob did not accept you').first().waitFor({ timeout: 20_000 });
  await dial(a, 'bob', 'Audio call');
  await waitCall(a, 'bob', 'ended');
  expect(await callStatus(a, 'bob', 'to')).toBe('bob did not accept you');
  expect(await bobSawAlice(b)).toEqual({ calls: 0, messages: 0 });
  expect(await ringing(b, 'alice').count()).toBe(0);
}, 90_000);

it('bob revokes the refusal and always allows; after both reload alice gets through without a question; revoking asks again', async () => {
  await goTo(b, 'Permissions');
  await b.getByRole('button', { name: /^Revoke the rule for alice .*Calls and messages$/ }).click();
  await dial(a, 'bob', 'Audio call');
  expect(await answerQuestion(b, 'Always allow')).toMatch(/alice/);
  await callAndDecline();

  await Promise.all([a.reload(), b.reload()]);
  await Promise.all([reachable(a, 'alice'), reachable(b, 'bob')]);
  await dial(a, 'bob', 'Audio call');
  await callAndDecline();
  expect(await b.getByRole('alertdialog', { name: /wants to/ }).count()).toBe(0);

  await goTo(b, 'Permissions');
  await b.getByRole('button', { name: /^Revoke the rule for alice .*Calls and messages$/ }).click();
  await dial(a, 'bob', 'Audio call');
  expect(await answerQuestion(b, 'Deny')).toMatch(/alice/);
  await waitCall(a, 'bob', 'ended');
  expect(await callStatus(a, 'bob', 'to')).toBe('bob did not accept you');
  // Since the reload bob's phone saw one call from alice (the declined one): the refused one never reached it.
  expect((await calls(b)).filter((c) => c.peer === 'alice').length).toBe(1);

  const log = await contactLog(b);
  const has = (re: RegExp): boolean => log.some((row) => re.test(row));
  expect(has(/alice.*Calls and messages.*(refused|denied).*always deny/i)).toBe(true);
  expect(has(/alice.*Calls and messages.*allowed.*always allow/i)).toBe(true);
  expect(has(/alice.*Calls and messages.*allowed.*remembered rule/i)).toBe(true);
  expect(has(/alice.*Calls and messages.*(refused|denied).*answered: deny/i)).toBe(true);
  await b.screenshot({ path: 'e2e/artifacts/contact-permissions-log.png', fullPage: true });
}, 150_000);
