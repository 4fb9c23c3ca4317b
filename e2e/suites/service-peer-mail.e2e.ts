/**
 * Issue 8's proof with video mail: alice leaves bob a message, every tab
 * closes, and bob's next tab (same profile) plays it, served by the service
 * peer that `npm start` runs.
 */
import { rmSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { leaveMessage, videoFramesPlayed, waitMailbox } from '../helpers/mail.ts';
import { claimName, reachable } from '../helpers/phone.ts';
import { freePort, startApp, type ServerProcess } from '../runner/server-process.ts';
import { fetchStatus, openAt, tempDataDir, waitForMixedRing } from '../helpers/service-peer.ts';
import { useBrowser } from '../helpers/browser.ts';

// The browser closes before the app server stops, then the page-error check.
const web = useBrowser({
  teardown: async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  },
});
let app: ServerProcess;
let statusUrl = '';
const dataDir = tempDataDir('mail');

beforeAll(async () => {
  const statusPort = await freePort();
  app = await startApp(undefined, { SERVICE_PEER: '1', SERVICE_PEER_DATA: dataDir, SERVICE_PEER_STATUS_PORT: String(statusPort) });
  statusUrl = `http://127.0.0.1:${statusPort}`;
  const deadline = Date.now() + 60_000;
  while (!(await fetchStatus(statusUrl).then((s) => !!s.nodeId, () => false))) {
    if (Date.now() > deadline) throw new Error(`npm start did not run a service peer:\n${app.output()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 90_000);

it('alice leaves bob a video message; every tab closes; bob’s next tab plays it from the service peer', async () => {
  const alice = await web.newPerson();
  const bob = await web.newPerson();
  const b = await openAt(bob, app.url);
  const a = await openAt(alice, app.url);
  await waitForMixedRing([a, b], [statusUrl]);
  await claimName(b, 'bob');
  await claimName(a, 'alice');
  expect(await leaveMessage(a, 'bob', 2)).toMatch(/stored: 8 of 8 fragments/);
  // Both tabs close, each handing its records to its successor: at the end only the service peer holds them.
  await a.close({ runBeforeUnload: true });
  await new Promise((r) => setTimeout(r, 1000));
  await b.close({ runBeforeUnload: true });
  await waitForMixedRing([], [statusUrl], 30_000);
  expect((await fetchStatus(statusUrl)).records).toBeGreaterThanOrEqual(10);

  const b2 = await openAt(bob, app.url);
  await waitForMixedRing([b2], [statusUrl]);
  await reachable(b2, 'bob');
  await waitMailbox(b2, 'alice');
  const item = b2.getByRole('listitem', { name: /^From alice,/ });
  await item.getByRole('button', { name: 'Play message from alice' }).click();
  expect(await videoFramesPlayed(b2, 'alice')).toBeGreaterThan(5);
}, 240_000);
