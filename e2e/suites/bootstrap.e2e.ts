/**
 * Bootstrap through service peers (issue 16): a ring of four tabs and a
 * service peer that runs a bootstrap endpoint (`--bootstrap-port`), all
 * joined through a signaling server of the suite's own. The tabs learn the
 * endpoint from the DHT's bootstrap directory; the signaling server is then
 * killed and stays down. (a) A tab reloads and comes back into the ring
 * through the remembered endpoint, then puts and gets; (b) a new person
 * (an empty profile) joins given only the endpoint's address
 * (`?bootstrap=URL`); (c) a client that asks the endpoint for someone
 * else's node ID without the key is refused, and the owner stays online;
 * (d) when the server is back, the tabs go back to it.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { exportSpki, fingerprint, fromBase64, generateSigningKeyPair, makeKeyProof, nodeIdFromSpki, signBytes } from '../../app/identity/index.ts';
import { goTo, nodeIdOf, started, waitOnline } from '../helpers/harness.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';
import { allowEverything } from '../helpers/ring.ts';
import { stepLog, until } from '../helpers/steps.ts';
import { askForId } from '../helpers/signaling-socket.ts';
import { freePort, startSignaling, type ServerProcess } from '../runner/server-process.ts';
import { fetchStatus, mixedRingProblems, putNoteOnReplicas, randomKey, readNoteEventually, startServicePeer, tempDataDir, waitForMixedRing, type ServicePeerProcess } from '../helpers/service-peer.ts';

let signaling: ServerProcess | null = null;
let sp: ServicePeerProcess | null = null;
const dirs: string[] = [];
const web = useBrowser({
  teardown: async () => {
    await signaling?.stop('SIGKILL');
    await sp?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  },
});

/** Where the test got to, with seconds since it began. */
const step = stepLog('bootstrap');

type Signaling = { kind: string; server?: string; reason?: string };
const signalingOf = (p: Page): Promise<Signaling> => p.evaluate(() => window.softphoneTest!.app().signaling as Signaling);
const knownBootstraps = (p: Page): Promise<string[]> => p.evaluate(() => window.softphoneTest!.app().bootstraps.map((b) => b.url));

describe('bootstrap through a service peer, with the signaling server down', () => {
  afterAll(async () => {
    await signaling?.stop('SIGKILL');
  });

  it('a reloaded tab and a new person come back through the remembered endpoint; nobody holds another’s ID there', async () => {
    signaling = await startSignaling();
    const sigUrl = `${signaling.url}/peerjs`;
    const dataDir = tempDataDir('bootstrap');
    dirs.push(dataDir);
    const port = await freePort();
    sp = await startServicePeer(sigUrl, dataDir, ['--bootstrap-port', String(port)]);
    const bootstrapUrl = `http://127.0.0.1:${port}/peerjs`;
    const spId = (await sp.status()).nodeId;
    const query = `?signaling=${encodeURIComponent(sigUrl)}`;
    const [alice, carol] = [await web.newPerson(), await web.newPerson()];
    const pages: Page[] = [];
    for (const who of [carol, carol, carol, alice]) {
      const p = await openPeer(who, query, 120_000);
      await waitOnline(p, 60_000);
      pages.push(p);
      await allowEverything(pages, 800);
    }
    const a = pages[3]!;
    await waitForMixedRing(pages, [sp.url], 120_000);
    step('4 tabs and the service peer in one ring');
    expect((await sp.status()).bootstrap).toMatchObject({ urls: [bootstrapUrl], registered: true });

    // Every tab learns the endpoint from the DHT (read now rather than waiting for the tab's next look).
    await until(
      'every tab knows the bootstrap endpoint',
      async () => {
        const known = await Promise.all(pages.map(async (p) => (await p.evaluate(() => window.softphoneTest!.readBootstraps()).catch(() => false)) && (await knownBootstraps(p)).includes(bootstrapUrl)));
        return known.every(Boolean);
      },
      120_000,
    );
    step('the tabs remember the endpoint');
    // The Network page lists it, with the service peer it belongs to.
    await goTo(a, 'Network');
    const listed = a.getByRole('list', { name: 'Ways back in' }).locator(`li[data-url="${bootstrapUrl}"]`);
    await listed.waitFor({ timeout: 10_000 });
    expect(await listed.textContent()).toContain(`service peer ${fingerprint(spId)}`);
    await a.screenshot({ path: 'e2e/artifacts/bootstrap-network.png', fullPage: true });
    await goTo(a, 'Home');
    const before = randomKey();
    expect((await putNoteOnReplicas(pages[0]!, before, 'written before the server died', 3)).length).toBeGreaterThanOrEqual(3);

    await signaling.stop('SIGKILL');
    signaling = null;
    step('signaling server killed');

    // (a) Alice's tab reloads: its server does not answer, the remembered endpoint does.
    const aId = await nodeIdOf(a);
    await a.reload();
    await started(a).waitFor({ timeout: 60_000 });
    await until('alice’s tab is online through the bootstrap endpoint', async () => (await signalingOf(a)).server === bootstrapUrl && (await signalingOf(a)).kind === 'online', 60_000);
    expect(await nodeIdOf(a)).toBe(aId);
    await allowEverything(pages, 800);
    await waitForMixedRing(pages, [sp.url], 120_000);
    const vias = await a.evaluate(() => window.softphoneTest!.linkVias());
    console.log(`alice’s links after the reload: ${JSON.stringify(vias)}`);
    expect(vias.find((l) => l.nodeId === spId)?.via).toBe('bootstrap');
    step('alice’s tab is back in the ring');
    const after = randomKey();
    expect((await putNoteOnReplicas(a, after, 'written with the server down', 3)).length).toBeGreaterThanOrEqual(3);
    expect(await readNoteEventually(pages[0]!, after)).toBe('written with the server down');
    expect(await readNoteEventually(a, before)).toBe('written before the server died');
    step('puts and gets done');

    // (b) A new person, with nothing in their profile, is given only the endpoint's address.
    const newcomer = await openPeer(await web.newPerson(), `?bootstrap=${encodeURIComponent(bootstrapUrl)}`, 120_000);
    const all = [...pages, newcomer];
    try {
      await until('the newcomer is online through the bootstrap endpoint', async () => (await signalingOf(newcomer)).server === bootstrapUrl && (await signalingOf(newcomer)).kind === 'online', 60_000);
      step('the newcomer is online through the endpoint');
      await allowEverything(all, 1500);
      await waitForMixedRing(all, [sp.url], 180_000);
      expect(await readNoteEventually(newcomer, after)).toBe('written with the server down');
    } catch (e) {
      // Say where the newcomer got to: a loaded machine's failure then shows which step was slow.
      const seen = await newcomer.evaluate(() => {
        const t = window.softphoneTest!;
        const r = t.ring();
        return { signaling: t.app().signaling, links: t.linkVias(), refusals: t.refusals(), ring: r ? { joined: r.joined, status: r.status, successors: r.successors } : null };
      }).catch((x: unknown) => String(x));
      console.log(`the newcomer’s tab: ${JSON.stringify(seen)}; ring problems: ${(await mixedRingProblems(all, [sp.url]).catch((x: unknown) => [String(x)])).join('; ')}`);
      throw e;
    }
    step('the newcomer joined and read');

    // (c) Someone asks the endpoint for alice's node ID: without a proof, and with a proof made with their own key.
    const refusedBefore = (await fetchStatus(sp.url)).bootstrap!.refusedProofs;
    expect(await askForId(bootstrapUrl, aId, 'notaproof123')).toEqual({ type: 'ERROR', msg: 'key-proof-refused:malformed' });
    const mallory = await generateSigningKeyPair();
    const mSpki = await exportSpki(mallory.publicKey);
    expect(await nodeIdFromSpki(mSpki)).not.toBe(aId);
    const nonce = fromBase64(((await (await fetch(`${bootstrapUrl}/challenge`)).json()) as { nonce: string }).nonce);
    const proof = await makeKeyProof(nonce, aId, mSpki, (p) => signBytes(mallory.privateKey, p));
    expect(await askForId(bootstrapUrl, aId, proof)).toEqual({ type: 'ERROR', msg: 'key-proof-refused:wrong-key' });
    expect((await fetchStatus(sp.url)).bootstrap!.refusedProofs).toBe(refusedBefore + 2);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await signalingOf(a)).toMatchObject({ kind: 'online', server: bootstrapUrl });
    step('someone else’s ID refused; alice undisturbed');

    // (d) The signaling server comes back on its address: the tabs go back to it by themselves (a check a minute).
    signaling = await startSignaling(Number(new URL(sigUrl).port));
    await until('alice’s tab is back on the signaling server', async () => (await signalingOf(a)).server === sigUrl && (await signalingOf(a)).kind === 'online', 120_000);
    step('alice’s tab is back on the signaling server');
  }, 600_000);
});
