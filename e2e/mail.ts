/** Helpers for the video-mail suites: leave a message through the UI, wait for the mailbox, check playback. */
import type { Page } from 'playwright-core';
import { goTo } from './harness.ts';

/** Records about `seconds` of fake camera for `to` and sends it; returns the dialog's final status text. */
export async function leaveMessage(page: Page, to: string, seconds: number): Promise<string> {
  await goTo(page, 'Video mail');
  await page.getByRole('textbox', { name: 'Their name' }).fill(to);
  await page.getByRole('button', { name: 'Record a message' }).click();
  const dialog = page.getByRole('dialog', { name: `Leave a video message for ${to}` });
  await dialog.getByRole('button', { name: 'Start recording' }).click();
  await page.waitForTimeout(seconds * 1000);
  await dialog.getByRole('button', { name: 'Stop recording' }).click();
  await dialog.getByRole('button', { name: 'Send' }).click();
  await dialog.getByText('The message is stored in the network; you can close this tab.').waitFor({ timeout: 60_000 });
  const status = (await dialog.getByRole('status').innerText()).replace(/\s+/g, ' ');
  await page.screenshot({ path: 'e2e/artifacts/mail-sent.png' });
  await dialog.getByRole('button', { name: 'Close' }).click();
  return status;
}

/** Presses "Check for new messages" until the mailbox lists a message from `from` (or none is left, with `gone`). */
export async function waitMailbox(page: Page, from: string, gone = false, timeout = 30_000): Promise<void> {
  await goTo(page, 'Video mail');
  const item = page.getByRole('listitem', { name: new RegExp(`^From ${from},`) });
  const until = Date.now() + timeout;
  for (;;) {
    if (((await item.count()) > 0) !== gone) return;
    if (Date.now() > until) throw new Error(`the mailbox ${gone ? 'still lists' : 'does not list'} a message from ${from}`);
    const check = page.getByRole('button', { name: 'Check for new messages' });
    if (await check.isEnabled()) await check.click();
    await page.waitForTimeout(1000);
  }
}

/** Waits until the mailbox's video of the message from `from` has played some frames; returns how many. */
export async function videoFramesPlayed(page: Page, from: string): Promise<number> {
  const frames = await page.waitForFunction(
    (who) => {
      const v = document.querySelector<HTMLVideoElement>(`video[aria-label="Video message from ${who}"]`);
      const n = v?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
      return n > 5 ? n : false;
    },
    from,
    { timeout: 60_000 },
  );
  return Number(await frames.jsonValue());
}
