import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { exportSpki, fromBase64, generateSigningKeyPair, issueCertificate, serializeCertificate, toBase64Url } from '../../app/identity/index.ts';
import { answerAll, answerQuestion, goTo, nodeIdOf, peerRow, waitOnline } from '../helpers/harness.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

// Bob asks about every network link (strict mode); alice's tab joins the
// network through bob's, as every tab does by itself, and bob decides.
const web = useBrowser();
let alice: BrowserContext;
let bob: BrowserContext;
let a: Page;
let b: Page;
let bobId: string;

async function setStrict(page: Page, on: boolean): Promise<void> {
  await goTo(page, 'Permissions');
  const box = page.getByLabel('Ask me for every network link (strict mode)');
  if ((await box.isChecked()) !== on) await box.click();
}

beforeAll(async () => {
  bob = await web.newPerson();
  alice = await web.newPerson();
  b = await openPeer(bob);
  await waitOnline(b);
  bobId = await nodeIdOf(b);
  await setStrict(b, true);
  a = await openPeer(alice);
  await waitOnline(a);
});

const state = (page: Page, id: string) => peerRow(page, id).getByTestId('peer-state');

/** How many times the person answered "deny" in person, from the full decisions log. */
function deniesIn(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      window
        .softphoneTest!.auditLog()
        .filter((e) => e.reason === 'user' && e.detail === 'you answered: deny').length,
  );
}

async function auditRows(page: Page): Promise<string[]> {
  await goTo(page, 'Permissions');
  return page.getByTestId('audit-log').locator('tbody tr').allTextContents();
}

/** Makes alice's tab try to join now instead of waiting out its back-off. */
async function aliceJoinsNow(): Promise<void> {
  await goTo(a, 'Network');
  const retry = a.getByRole('button', { name: 'Try to join now' });
  if ((await retry.count()) > 0) await retry.click();
}

/** Has alice try to join now and again until `done` holds (her own back-off grows after refusals). */
async function aliceJoinsUntil(done: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await aliceJoinsNow();
    for (let i = 0; i < 8; i++) {
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const ring = await a.getByTestId('ring-status').textContent().catch(() => 'no ring status');
  const row = await state(a, bobId).textContent().catch(() => 'no row for bob');
  const bobSaw = (await auditRows(b).catch(() => [])).slice(0, 5).join(' | ');
  throw new Error(`${what} did not happen within 60 s (alice: ${ring}; her row for bob: ${row}; bob's newest decisions: ${bobSaw})`);
}

/**
 * Has alice try to join until bob is asked (a "deny" keeps bob's question
 * quiet for 15 s, during which her tries are refused without asking).
 */
async function aliceJoinsUntilBobIsAsked(): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await aliceJoinsNow();
    const asked = await b.getByRole('alertdialog').waitFor({ timeout: 4000 }).then(() => true, () => false);
    if (asked) return;
  }
  throw new Error('bob was not asked within 60 s');
}

describe('who may connect is the person’s decision', () => {
  it('bob refuses alice: alice is told, and nothing passes', async () => {
    // Alice's own tab asks first: joining a network reveals her address too.
    expect(await answerQuestion(a, 'Allow once', 30_000)).toMatch(/Join the network “p2p.local”/);
    await b.getByRole('alertdialog').getByRole('heading', { name: /^Let .* connect\?$/ }).waitFor({ timeout: 45_000 });
    await answerAll(b, 'Deny');
    await goTo(a, 'Network');
    await state(a, bobId)
      .filter({ hasText: /refused: .*not allowed/ })
      .waitFor({ timeout: 45_000 })
      .catch(async (e: unknown) => {
        console.log('ALICE', await a.getByTestId('ring-status').textContent(), '|', await state(a, bobId).textContent().catch(() => 'no row'));
        console.log('BOB', (await auditRows(b)).slice(0, 4).join('\n'));
        throw e;
      });
    await a.getByTestId('ring-status').filter({ hasText: /^not in the ring/ }).waitFor();
    const rows = await auditRows(b);
    expect(rows.some((r) => /refused.*you answered: deny/.test(r))).toBe(true);
  });

  it('bob always allows alice: after both reload, her next link needs no question', async () => {
    await aliceJoinsUntilBobIsAsked();
    await answerAll(b, 'Always allow');
    await state(a, bobId).filter({ hasText: /^linked/ }).waitFor({ timeout: 45_000 });
    await b.screenshot({ path: 'e2e/artifacts/permissions-page.png', fullPage: true });

    await Promise.all([a.reload(), b.reload()]);
    // Alice's "allow once" for the network lasted until her reload: she is asked again, bob is not.
    await answerAll(a, 'Always allow');
    await goTo(a, 'Network');
    await state(a, bobId).filter({ hasText: /^linked/ }).waitFor({ timeout: 45_000 });
    expect(await b.getByRole('alertdialog').count()).toBe(0);
    expect((await auditRows(b)).slice(0, 3).some((r) => /allowed.*a remembered rule/.test(r))).toBe(true);
  });

  it('bob revokes the rule: the live link closes and the next link asks again', async () => {
    const deniesBefore = await deniesIn(b);
    await goTo(b, 'Permissions');
    await b.getByRole('button', { name: /^Revoke the rule for .*Network relay$/ }).click();
    await goTo(a, 'Network');
    // The live link closes (alice's tab may already be re-dialing, so the word "revoked" can be gone by the time we look).
    await state(a, bobId).filter({ hasNotText: /^linked/ }).waitFor({ timeout: 15_000 });
    await aliceJoinsUntilBobIsAsked();
    await b.getByRole('alertdialog').getByRole('heading', { name: /^Let .* connect\?$/ }).waitFor({ timeout: 45_000 });
    await answerAll(b, 'Deny');
    // Bob was asked again and said no: the log says so, and no link came up.
    expect(await deniesIn(b)).toBeGreaterThan(deniesBefore);
    await goTo(a, 'Network');
    expect(await state(a, bobId).textContent()).not.toMatch(/^linked/);
  });

  it('a peer whose certificate a trusted root signed is let in without a question; a tampered one is refused', async () => {
    // An operator makes a root and certifies alice's key under the name "alice".
    const root = await generateSigningKeyPair(true);
    const rootSpki = await exportSpki(root.publicKey);
    const alicePublicKey = await a.evaluate(
      () => window.softphoneTest!.app().user!.publicKey,
    );
    const cert = await issueCertificate({
      rootPrivateKey: root.privateKey,
      rootSpki,
      subjectSpki: fromBase64(alicePublicKey),
      name: 'alice',
      issued: Date.now() - 60_000,
      expires: Date.now() + 86_400_000,
    });
    const certText = serializeCertificate(cert);

    await goTo(a, 'Permissions');
    await a.getByLabel('Import your certificate').setInputFiles({ name: 'alice.cert.json', mimeType: 'application/json', buffer: Buffer.from(certText) });
    await a.getByText('You present a certificate for the name alice').waitFor();

    await goTo(b, 'Permissions');
    await b.getByLabel(/Root public key/).fill(toBase64Url(rootSpki));
    await b.getByLabel('A name for it (optional)').fill('Acme staff');
    await b.getByRole('button', { name: 'Trust this root' }).click();
    await b.getByText('Now trusting “Acme staff”').waitFor();

    await aliceJoinsUntil(async () => /^linked/.test((await state(a, bobId).textContent().catch(() => '')) ?? ''), 'alice linking with bob');
    expect(await b.getByRole('alertdialog').count()).toBe(0);
    expect((await auditRows(b)).find((r) => /allowed/.test(r))).toMatch(/alice.*allowed.*a policy/);

    // The same peer with the name in its certificate changed after signing.
    const tampered = certText.replace('"name": "alice"', '"name": "mallory"');
    expect(tampered).not.toBe(certText);
    await a.evaluate(
      (text) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('p2p-softphone-identity');
          open.onsuccess = () => {
            const tx = open.result.transaction('kv', 'readwrite');
            tx.objectStore('kv').put(text, 'user-certificate');
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(new Error('write failed'));
          };
        }),
      tampered,
    );
    await a.reload();
    await waitOnline(a);
    await aliceJoinsUntil(async () => /refused/.test((await state(a, bobId).textContent().catch(() => '')) ?? ''), 'bob refusing the tampered certificate');
    expect(await b.getByRole('alertdialog').count()).toBe(0);
    expect((await auditRows(b)).slice(0, 3).some((r) => /refused.*a bad certificate: .*changed after signing/.test(r))).toBe(true);
  });

  it('the question dialog is readable (screenshot)', async () => {
    const carol = await web.newPerson();
    const c = await openPeer(carol);
    await waitOnline(c);
    await answerQuestion(c, 'Allow once', 30_000);
    await b.getByRole('alertdialog').waitFor({ timeout: 45_000 });
    await b.screenshot({ path: 'e2e/artifacts/permission-question.png' });
    await answerQuestion(b, 'Deny');
    await carol.close();
  });
});
