import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { exportSpki, fromBase64, generateSigningKeyPair, issueCertificate, serializeCertificate, toBase64Url } from '../app/identity/index.ts';
import { answerQuestion, goTo, launchChromium, newPerson, nodeIdOf, openPeer, pageErrors, peerRow, waitOnline } from './harness.ts';

let browser: Browser;
let alice: BrowserContext;
let bob: BrowserContext;
let a: Page;
let b: Page;
let aliceId: string;
let bobId: string;

beforeAll(async () => {
  browser = await launchChromium();
  alice = await newPerson(browser);
  bob = await newPerson(browser);
  a = await openPeer(alice);
  b = await openPeer(bob);
  await Promise.all([waitOnline(a), waitOnline(b)]);
  aliceId = await nodeIdOf(a);
  bobId = await nodeIdOf(b);
  await goTo(a, 'Network');
});

afterAll(async () => {
  await browser?.close();
  expect(pageErrors).toEqual([]);
});

const state = (page: Page, id: string) => peerRow(page, id).getByTestId('peer-state');

async function connect(from: Page, to: string): Promise<void> {
  await peerRow(from, to).waitFor({ timeout: 20_000 });
  await peerRow(from, to).getByRole('button', { name: /^Connect to/ }).click();
}

async function auditRows(page: Page): Promise<string[]> {
  await goTo(page, 'Permissions');
  const rows = page.getByTestId('audit-log').locator('tbody tr');
  return rows.allTextContents();
}

async function setStrict(page: Page, on: boolean): Promise<void> {
  await goTo(page, 'Permissions');
  const box = page.getByLabel('Ask me for every network link (strict mode)');
  if ((await box.isChecked()) !== on) await box.click();
}

describe('who may connect is the person’s decision', () => {
  it('bob refuses alice: alice is told, and nothing passes', async () => {
    await setStrict(b, true);
    await connect(a, bobId);
    // Alice's own tab asks first: joining a network reveals her address too.
    expect(await answerQuestion(a, 'Allow once')).toMatch(/Join the network “p2p.local”/);
    const asked = await answerQuestion(b, 'Deny');
    expect(asked).toMatch(/^Let .* connect\?$/);
    await state(a, bobId).filter({ hasText: /refused: .*not allowed/ }).waitFor();
    const log = await auditRows(b);
    expect(log[0]).toMatch(/refused.*you answered: deny/);
  });

  it('bob always allows alice: after both reload, her next link needs no question', async () => {
    await goTo(a, 'Network');
    await connect(a, bobId);
    await answerQuestion(b, 'Always allow');
    await state(a, bobId).filter({ hasText: /^linked/ }).waitFor();
    await b.screenshot({ path: 'e2e/artifacts/permissions-page.png', fullPage: true });

    await Promise.all([a.reload(), b.reload()]);
    await Promise.all([waitOnline(a), waitOnline(b)]);
    await goTo(a, 'Network');
    await connect(a, bobId);
    // Alice's "allow once" for the network lasted until her reload: she is asked again, bob is not.
    await answerQuestion(a, 'Always allow');
    await state(a, bobId).filter({ hasText: /^linked/ }).waitFor();
    expect(await b.getByRole('alertdialog').count()).toBe(0);
    const log = await auditRows(b);
    expect(log[0]).toMatch(/allowed.*a remembered rule/);
  });

  it('bob revokes the rule: the live link closes and the next link asks again', async () => {
    await goTo(b, 'Permissions');
    await b.getByRole('button', { name: /^Revoke the rule for .*Network relay$/ }).click();
    await state(a, bobId).filter({ hasText: /not linked: .*revoked/ }).waitFor();
    await connect(a, bobId);
    const asked = await answerQuestion(b, 'Deny');
    expect(asked).toMatch(/^Let .* connect\?$/);
    await state(a, bobId).filter({ hasText: /refused/ }).waitFor();
  });

  it('a peer whose certificate a trusted root signed is let in without a question; a tampered one is refused', async () => {
    // An operator makes a root and certifies alice's key under the name "alice".
    const root = await generateSigningKeyPair(true);
    const rootSpki = await exportSpki(root.publicKey);
    const alicePublicKey = await a.evaluate(
      () => (window as unknown as { __softphone: { getSnapshot(): { user: { publicKey: string } } } }).__softphone.getSnapshot().user.publicKey,
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

    await goTo(a, 'Network');
    await connect(a, bobId);
    await state(a, bobId).filter({ hasText: /^linked/ }).waitFor();
    expect(await b.getByRole('alertdialog').count()).toBe(0);
    expect((await auditRows(b))[0]).toMatch(/alice.*allowed.*a policy/);
    await a.getByRole('link', { name: 'Network' }).click();
    await peerRow(a, bobId).getByRole('button', { name: /^Disconnect/ }).click();

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
    await goTo(a, 'Network');
    await connect(a, bobId);
    await state(a, bobId).filter({ hasText: /refused/ }).waitFor();
    expect(await b.getByRole('alertdialog').count()).toBe(0);
    expect((await auditRows(b))[0]).toMatch(/refused.*a bad certificate: .*changed after signing/);
  });

  it('question dialog and permissions page are readable (screenshots)', async () => {
    await goTo(a, 'Network');
    await setStrict(b, true);
    // A third person asks bob.
    const carol = await newPerson(browser);
    const c = await openPeer(carol);
    await waitOnline(c);
    await goTo(c, 'Network');
    await connect(c, bobId);
    await answerQuestion(c, 'Allow once');
    await b.getByRole('alertdialog').waitFor();
    await b.screenshot({ path: 'e2e/artifacts/permission-question.png' });
    await answerQuestion(b, 'Deny');
    await carol.close();
    void aliceId;
  });
});
