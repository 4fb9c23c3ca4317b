/** Helpers for the video-mail suites: leave a message through the UI, wait for the mailbox, check playback. */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { MailItem } from '../../app/mail/index.ts';
import { goTo } from './harness.ts';

/** Records about `seconds` of fake camera for `to` and sends it; returns the dialog's final status text. */
export async function leaveMessage(page: Page, to: string, seconds: number): Promise<string> {
  const dialog = await recordAndSend(page, to, seconds);
  await dialog.getByText('The message is stored in the network; you can close this tab.').waitFor({ timeout: 60_000 });
  const status = (await dialog.getByRole('status').innerText()).replace(/\s+/g, ' ');
  await page.screenshot({ path: 'e2e/artifacts/mail-sent.png' });
  await dialog.getByRole('button', { name: 'Close' }).click();
  return status;
}

/** Opens the record dialog for `to`, records about `seconds` of fake camera and presses Send; returns the dialog. */
export async function recordAndSend(page: Page, to: string, seconds: number) {
  await goTo(page, 'Video mail');
  await page.getByRole('textbox', { name: 'Their name' }).fill(to);
  await page.getByRole('button', { name: 'Record a message' }).click();
  const dialog = page.getByRole('dialog', { name: `Leave a video message for ${to}` });
  await dialog.getByRole('button', { name: 'Start recording' }).click();
  await page.waitForTimeout(seconds * 1000);
  await dialog.getByRole('button', { name: 'Stop recording' }).click();
  await dialog.getByRole('button', { name: 'Send' }).click();
  return dialog;
}

/** Makes the tab's next recordings come out `extraBytes` larger (a recording over the size limit without minutes of camera). */
export function inflateRecordings(page: Page, extraBytes: number): Promise<void> {
  return page.evaluate((extra) => {
    const Real = window.MediaRecorder;
    window.MediaRecorder = class extends Real {
      override stop(): void {
        this.ondataavailable?.(new BlobEvent('dataavailable', { data: new Blob([new Uint8Array(extra)]) }));
        super.stop();
      }
    };
  }, extraBytes);
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

/** The newest mailbox manifest from `from` in `page`, as JSON with byte arrays spelled {u8: [...]}. */
export function manifestOf(page: Page, from: string): Promise<string> {
  return page.evaluate((who) => {
    const mail = window.softphoneTest!.mail()!;
    const item = mail.getSnapshot().items.find((i) => i.from === who);
    if (!item) throw new Error(`no message from ${who}`);
    return JSON.stringify(item.manifest, (_k, v: unknown) => (v instanceof Uint8Array ? { u8: Array.from(v) } : v));
  }, from);
}

/** The fragment keys (hex) a manifest lists, in stripe-major order. */
export function fragmentKeys(manifestJson: string): string[] {
  const keys = (JSON.parse(manifestJson) as { keys: { u8: number[] } }).keys.u8;
  const out: string[] = [];
  for (let at = 0; at + 20 <= keys.length; at += 20) out.push(keys.slice(at, at + 20).map((b) => b.toString(16).padStart(2, '0')).join(''));
  return out;
}

/** Which of `keys` this tab's record store holds a live (non-empty) blob for. */
export function heldFragments(page: Page, keys: string[]): Promise<string[]> {
  return page.evaluate((ks) => {
    const h = window.softphoneTest!;
    return ks.filter((k) => (h.heldRecord(k)?.value.length ?? 0) > 0);
  }, keys);
}

/** Overwrites this tab's copy of the blob under `key` with flipped bytes (a holder that lies); the signature no longer matches. */
export function corruptFragment(page: Page, key: string): Promise<string> {
  return page.evaluate((k) => {
    const h = window.softphoneTest!;
    const r = h.heldRecord(k)!;
    const bad = r.value.slice();
    for (let i = 100; i < Math.min(bad.length, 200); i++) bad[i] = bad[i]! ^ 0xff;
    return h.storeHeldRecord({ ...r, value: bad, version: r.version + 4 });
  }, key);
}

/** Fetches and opens the newest message from `from` through the page's MailService; returns its size and the last progress. */
export function playThroughService(page: Page, from: string): Promise<{ bytes: number; fragments: number; ignored: number }> {
  return page.evaluate(async (who) => {
    const mail = window.softphoneTest!.mail()!;
    const item = mail.getSnapshot().items.find((i) => i.from === who)!;
    let last = { fragments: 0, ignored: 0 };
    const { video } = await mail.play(item.id, (p) => (last = p));
    return { bytes: video.length, fragments: last.fragments, ignored: last.ignored };
  }, from);
}

/**
 * In a tab that is not the recipient: fetches every fragment of the stripe 0
 * straight from the overlay (and checks each one's SHA-256 against its key),
 * then asks the tab's own MailService to play the message; returns how many
 * fragments came back intact and the error the play gave.
 */
export function openAsSomeoneElse(page: Page, manifestJson: string): Promise<{ fetched: number; intact: number; error: string }> {
  return page.evaluate(async (json) => {
    const manifest = JSON.parse(json, (_k, v: unknown) => (v && typeof v === 'object' && 'u8' in v ? new Uint8Array((v as { u8: number[] }).u8) : v)) as MailItem['manifest'];
    const h = window.softphoneTest!;
    const mail = h.mail()!;
    let fetched = 0;
    let intact = 0;
    for (let i = 0; i < manifest.m; i++) {
      const key = manifest.keys.slice(i * 20, i * 20 + 20);
      const blob = (await h.mailRead(key)).find((r) => r.kind === 'blob' && r.value.length > 0);
      if (!blob) continue;
      fetched++;
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', blob.value as Uint8Array<ArrayBuffer>)).slice(0, 20);
      if (hash.every((b, j) => b === key[j])) intact++;
    }
    // The message is put in this tab's own list, as if it had been filed in its mailbox.
    const restore = h.fileInMailList({ id: manifest.id, from: 'someone', manifest });
    try {
      await mail.play(manifest.id);
      return { fetched, intact, error: '' };
    } catch (e) {
      return { fetched, intact, error: `${(e as { code?: string }).code}: ${(e as Error).message}` };
    } finally {
      restore();
    }
  }, manifestJson);
}

/**
 * Files two bad entries in `to`'s mailbox from this tab, through its own
 * MailService with its name lookups bent: one whose manifest names `to` but
 * this tab's key as the recipient (meant for someone else), and one that
 * claims to be from `impostorOf` but is signed with this tab's user key.
 */
export function fileBadEntries(page: Page, to: string, impostorOf: string): Promise<void> {
  return page.evaluate(
    async ([who, fake]) => {
      const h = window.softphoneTest!;
      const mail = h.mail()!;
      const rec = { bytes: new Uint8Array(5000).fill(7), type: 'video/webm', durationMs: 1000, thumbnail: null };
      let restore = h.bendMailSender(({ resolve, user }) => ({
        resolve: async (n: string) => (n === who ? { name: who, signSpki: user.signSpki, ecdhPublicKey: user.ecdhSpki } : resolve(n)),
      }));
      try {
        await mail.send(who, rec);
        restore();
        restore = h.bendMailSender(({ user }) => ({ user: { ...user, name: fake } }));
        await mail.send(who, rec);
      } finally {
        restore();
      }
    },
    [to, impostorOf] as const,
  );
}

/** The DHT key (40 hex digits) of `text`: the first 160 bits of its SHA-256, as app/mail's mailboxKey and receiptsKey make it. */
export function dhtKeyHex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest().subarray(0, 20).toString('hex');
}

/** Every byte of every record this tab holds under `keyHex` (sub-key, owner, value, signature), one byte array per record: what a replica holder stores. */
export function heldBytes(page: Page, keyHex: string): Promise<number[][]> {
  return page.evaluate((k) => {
    const enc = new TextEncoder();
    return window.softphoneTest!.heldRecords(k).map((r) => [...enc.encode(r.sub), ...r.owner, ...r.value, ...r.sig]);
  }, keyHex);
}

/** Whether `hay` holds the bytes of `needle` anywhere. */
export function containsBytes(hay: readonly number[], needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
