/**
 * Steps of the "server down" scenario (issue 16) that the serverless suite
 * and the serverless benchmark both take: kill the tabs' signaling server and
 * wait until every tab has noticed, then call, chat and leave video mail
 * between two people over the overlay alone.
 */
import type { Page } from 'playwright-core';
import { answerQuestion } from './harness.ts';
import { dial, mediaFlows, ringing, waitCall, waitRinging, type MediaStats } from './phone.ts';
import { leaveMessage, waitMailbox } from './mail.ts';
import type { ServerProcess } from '../runner/server-process.ts';
import { until } from './steps.ts';

/** Kills `server` (SIGKILL: no goodbye to the tabs) and waits until none of `pages` says it is online with it. */
export async function killSignaling(server: ServerProcess, pages: readonly Page[], ms = 30_000): Promise<void> {
  await server.stop('SIGKILL');
  await until('every tab sees the server gone', async () => (await Promise.all(pages.map((p) => p.evaluate(() => window.softphoneTest!.app().signaling.kind)))).every((k) => k !== 'online'), ms);
}

/**
 * A video call from `a` (`aName`) to `b` (`bName`), answered on the ringing
 * dialog; `b` first says "Always allow" to `a` when `askedFirst` (they never
 * met). Waits for audio and video flowing both ways, hangs up at `a` and
 * waits for the end at `b`; returns what each side received.
 */
export async function callBothWays(a: Page, b: Page, aName: string, bName: string, askedFirst: boolean): Promise<{ atA: MediaStats; atB: MediaStats }> {
  await dial(a, bName, 'Video call');
  if (askedFirst) await answerQuestion(b, 'Always allow', 30_000);
  await waitRinging(b, a, aName, bName, 30_000);
  await ringing(b, aName).getByRole('button', { name: 'Answer with video' }).click();
  const [ca, cb] = await Promise.all([waitCall(a, bName, 'active'), waitCall(b, aName, 'active')]);
  const [atA, atB] = await Promise.all([mediaFlows(a, ca.id), mediaFlows(b, cb.id)]);
  await a.getByRole('button', { name: 'Hang up' }).click();
  await waitCall(b, aName, 'ended', 20_000);
  return { atA, atB };
}

/** `a` sends `text` to `bName` from the Phone page; resolves once `b`'s conversation with `aName` shows it. */
export async function chat(a: Page, b: Page, aName: string, bName: string, text: string, timeout = 30_000): Promise<void> {
  await dial(a, bName, 'Send a message');
  await a.getByLabel(`Message to ${bName}`).fill(text);
  await a.getByRole('button', { name: 'Send', exact: true }).click();
  await b.getByRole('list', { name: `Messages with ${aName}` }).getByText(text).waitFor({ timeout });
}

/** `a` records about `seconds` of fake camera for `bName` and sends it; resolves once `b`'s mailbox lists it. */
export async function videoMail(a: Page, b: Page, aName: string, bName: string, seconds: number, timeout = 60_000): Promise<void> {
  await leaveMessage(a, bName, seconds);
  await waitMailbox(b, aName, false, timeout);
}
