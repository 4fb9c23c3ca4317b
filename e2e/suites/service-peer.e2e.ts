/**
 * Service peers (issue 8): the always-on Node peer that `npm start` runs,
 * in a ring with tabs, keeping records after every tab has closed, coming
 * back from SIGKILL with its node ID and records, and three of them keeping
 * records readable when one dies. Runs its own app (service peer on) and its
 * own signaling server, so the other suites' rings are left alone.
 */
import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { goTo, peerRow } from '../helpers/harness.ts';
import { allowEverything } from '../helpers/ring.ts';
import { freePort, startApp, startSignaling, type ServerProcess } from '../runner/server-process.ts';
import {
  fetchStatus,
  openAt,
  putNoteOnReplicas,
  randomKey,
  readNoteEventually,
  startServicePeer,
  tempDataDir,
  waitForMixedRing,
  type ServicePeerProcess,
} from '../helpers/service-peer.ts';
import { useBrowser } from '../helpers/browser.ts';

// The browser closes before the app server stops, then the page-error check.
const web = useBrowser({
  teardown: async () => {
    await app?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  },
});
let app: ServerProcess;
let statusUrl = '';
let spId = '';
const dirs: string[] = [];
const contexts: BrowserContext[] = [];
const key = randomKey();

async function person(): Promise<BrowserContext> {
  const c = await web.newPerson();
  contexts.push(c);
  return c;
}

beforeAll(async () => {
  const dataDir = tempDataDir('app');
  dirs.push(dataDir);
  const statusPort = await freePort();
  // npm start with its service peer on (the global app runs with it off).
  app = await startApp(undefined, { SERVICE_PEER: '1', SERVICE_PEER_DATA: dataDir, SERVICE_PEER_STATUS_PORT: String(statusPort) });
  statusUrl = `http://127.0.0.1:${statusPort}`;
  const deadline = Date.now() + 60_000;
  while (!spId) {
    spId = await fetchStatus(statusUrl).then((s) => s.nodeId, () => '');
    if (!spId && Date.now() > deadline) throw new Error(`npm start did not run a service peer:\n${app.output()}`);
    if (!spId) await new Promise((r) => setTimeout(r, 500));
  }
});

describe('service peers', () => {
  let pages: Page[] = [];

  it('npm start runs one; 4 tabs and it form one ring, and the Network page marks it as a service peer', async () => {
    const ctx = await person();
    for (let i = 0; i < 4; i++) {
      pages.push(await openAt(ctx, app.url));
      await allowEverything(pages, 800);
    }
    await waitForMixedRing(pages, [statusUrl]);
    const p = pages[0]!;
    await goTo(p, 'Network');
    const row = peerRow(p, spId);
    const connect = row.getByRole('button', { name: /^Connect to/ });
    if ((await connect.count()) > 0) await connect.click();
    await row.getByTestId('service-peer-mark').waitFor({ timeout: 20_000 });
    expect(await row.getByTestId('service-peer-mark').textContent()).toBe('service peer');
    await p.screenshot({ path: 'e2e/artifacts/service-peer-network.png', fullPage: true });
  });

  it('a record put from a tab is read by a new person after every tab has closed: the service peer serves it', async () => {
    const stored = await putNoteOnReplicas(pages[0]!, key, 'kept by the service peer', 4);
    expect(stored.length).toBe(4);
    // Tabs close one after another, each handing its records to its successor.
    for (const p of pages) {
      await p.close({ runBeforeUnload: true });
      await new Promise((r) => setTimeout(r, 1000));
    }
    pages = [];
    await waitForMixedRing([], [statusUrl], 30_000);
    expect((await fetchStatus(statusUrl)).records).toBeGreaterThanOrEqual(1);
    // A different person: nothing of the record in this profile's storage.
    const fresh = await openAt(await person(), app.url);
    pages = [fresh];
    await waitForMixedRing(pages, [statusUrl]);
    expect(await readNoteEventually(fresh, key)).toBe('kept by the service peer');
  });

  it('SIGKILLed, it is restarted by npm start with the same node ID and its records, and the ring heals', async () => {
    const before = await fetchStatus(statusUrl);
    process.kill(before.pid, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    let after = null;
    while (!after || after.pid === before.pid) {
      if (Date.now() > deadline) throw new Error(`the service peer did not come back:\n${app.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
      after = await fetchStatus(statusUrl).catch(() => null);
    }
    expect(after.nodeId).toBe(before.nodeId);
    expect(after.records).toBeGreaterThanOrEqual(before.records);
    expect(app.output()).toMatch(new RegExp(`records: ${before.records} loaded from disk`));
    await waitForMixedRing(pages, [statusUrl]);
    expect(await readNoteEventually(pages[0]!, key)).toBe('kept by the service peer');
  });

  it('three service peers and no tab: one is killed, and a returning tab reads the record from the others', async () => {
    for (const p of pages) await p.close({ runBeforeUnload: true });
    const signaling = await startSignaling();
    const sigUrl = `${signaling.url}/peerjs`;
    const peers: ServicePeerProcess[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const d = tempDataDir(`trio${i}`);
        dirs.push(d);
        peers.push(await startServicePeer(sigUrl, d));
      }
      const urls = peers.map((p) => p.url);
      await waitForMixedRing([], urls);
      const pageUrl = `${app.url}/?signaling=${encodeURIComponent(sigUrl)}`;
      const writer = await openAt(await person(), pageUrl);
      await waitForMixedRing([writer], urls);
      const trioKey = randomKey();
      expect((await putNoteOnReplicas(writer, trioKey, 'three keep it', 4)).length).toBe(4);
      await writer.close({ runBeforeUnload: true });
      await waitForMixedRing([], urls, 30_000);
      for (const u of urls) expect((await fetchStatus(u)).records).toBeGreaterThanOrEqual(1);
      await peers[0]!.stop('SIGKILL');
      const reader = await openAt(await person(), pageUrl);
      await waitForMixedRing([reader], urls.slice(1));
      expect(await readNoteEventually(reader, trioKey)).toBe('three keep it');
      await reader.close();
    } finally {
      await Promise.all(peers.map((p) => p.stop()));
      await signaling.stop();
    }
  });
});
