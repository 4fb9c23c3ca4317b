import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { allowJoiningWhenAsked, goTo, nodeIdOf, signalingStatus, userIdOf, waitOnline, started } from '../helpers/harness.ts';
import { freePort } from '../runner/server-process.ts';
import { appURL, openPeer, useBrowser } from '../helpers/browser.ts';

const web = useBrowser();

/** Writes `value` under `key` in the identity database with the raw IndexedDB API, as damage would. */
async function putRaw(page: Page, key: string, value: unknown): Promise<void> {
  await page.evaluate(
    ([k, v]) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('p2p-softphone-identity');
        open.onerror = () => reject(new Error('open failed'));
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readwrite');
          tx.objectStore('kv').put(v, k);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(new Error('write failed'));
        };
      }),
    [key, value] as const,
  );
}

describe('bad input', () => {
  it('garbage where the keys should be: a clear notice, new keys, a working app', async () => {
    const ctx = await web.newPerson();
    const page = await openPeer(ctx);
    const oldNode = await nodeIdOf(page);
    const oldUser = await userIdOf(page);
    await putRaw(page, 'node-identity/0', { version: 1, privateKey: 'not a key', spki: [1, 2, 3] });
    await putRaw(page, 'user-identity', 'garbage');
    await page.reload();
    await started(page).waitFor();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toMatch(/stored node key in slot 0 was damaged/);
    await expect(alert.textContent()).resolves.toMatch(/stored user key was damaged/);
    expect(await nodeIdOf(page)).toMatch(/^[0-9a-f]{40}$/);
    expect(await nodeIdOf(page)).not.toBe(oldNode);
    expect(await userIdOf(page)).not.toBe(oldUser);
    await waitOnline(page);
    await page.screenshot({ path: 'e2e/artifacts/damaged-keys.png', fullPage: true });
    // The replacement is stored: the next reload is quiet and keeps it.
    const newNode = await nodeIdOf(page);
    await page.reload();
    await started(page).waitFor();
    expect(await nodeIdOf(page)).toBe(newNode);
    expect(await page.getByRole('alert').count()).toBe(0);
    await ctx.close();
  });

  it('a malformed signaling address is refused in words and changes nothing', async () => {
    const ctx = await web.newPerson();
    const page = await openPeer(ctx);
    await allowJoiningWhenAsked(page);
    await waitOnline(page);
    // The signaling servers are set on Settings.
    await goTo(page, 'Settings');
    await page.getByRole('button', { name: 'Change signaling servers' }).click();
    const field = page.getByLabel(/Signaling servers, one address per line/);
    await field.fill('ht!tp://nope');
    await page.getByRole('button', { name: 'Save signaling servers' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/is not a web address/);
    await page.screenshot({ path: 'e2e/artifacts/bad-server-url.png', fullPage: true });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await waitOnline(page);
    await ctx.close();
  });

  it('an unreachable server fails over to the next one, and alone it shows offline, retrying', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/peerjs`;
    const good = `${appURL().replace(/\/$/, '')}/peerjs`;
    const ctx = await web.newPerson();
    const page = await openPeer(ctx, `?signaling=${encodeURIComponent(`${dead},${good}`)}`);
    await allowJoiningWhenAsked(page);
    await waitOnline(page);
    await goTo(page, 'Settings');
    expect(await signalingStatus(page).textContent()).toContain(new URL(good).host);

    // Through the settings form: only the dead server.
    await page.getByRole('button', { name: 'Change signaling servers' }).click();
    await page.getByLabel(/Signaling servers, one address per line/).fill(dead);
    await page.getByRole('button', { name: 'Save signaling servers' }).click();
    await signalingStatus(page).filter({ hasText: /^Offline, retrying in/ }).waitFor({ timeout: 15_000 });
    await expect(signalingStatus(page).textContent()).resolves.toContain('cannot be reached');
    // Back to the app's own server: online again without a reload.
    await page.getByRole('button', { name: 'Change signaling servers' }).click();
    await page.getByRole('button', { name: 'Use this app’s own server' }).click();
    await waitOnline(page);
    await ctx.close();
  });

  it('a second instance grabbing this tab’s identity slot: a clear message, and a reload recovers', async () => {
    const ctx = await web.newPerson();
    const [a, b] = [await openPeer(ctx), await openPeer(ctx)];
    await waitOnline(a);
    const idA = await nodeIdOf(a);
    const slotA = await a.evaluate(
      () => window.softphoneTest!.app().node!.slot,
    );
    // Tab b steals a's lock, as a misbehaving second instance would.
    await b.evaluate((slot) => {
      void navigator.locks.request(`p2p-softphone-node-identity-${slot}`, { steal: true }, () => new Promise(() => undefined));
    }, slotA);
    await a.getByRole('heading', { name: 'This tab is offline' }).waitFor({ timeout: 10_000 });
    await expect(a.getByRole('alert').first().textContent()).resolves.toMatch(/took over this tab’s node identity/);
    await a.screenshot({ path: 'e2e/artifacts/identity-taken.png', fullPage: true });
    await a.getByRole('button', { name: 'Reload this tab' }).click();
    await started(a).waitFor();
    await waitOnline(a);
    const idAfter = await nodeIdOf(a);
    expect(idAfter).toMatch(/^[0-9a-f]{40}$/);
    expect(idAfter).not.toBe(idA);
    expect(idAfter).not.toBe(await nodeIdOf(b));
    await ctx.close();
  });
});
