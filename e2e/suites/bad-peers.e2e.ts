import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nodeIdOf, waitOnline } from '../helpers/harness.ts';
import { appURL, openPeer, useBrowser } from '../helpers/browser.ts';

const web = useBrowser();
let tab: Page;
let tabId: string;

beforeAll(async () => {
  tab = await openPeer(await web.newPerson());
  await waitOnline(tab);
  tabId = await nodeIdOf(tab);
});

interface EvilOutcome {
  mode: string;
  outcome: string;
  framesReceived: number;
  /** Messages that arrived as text: the tab sends only binary frames. */
  textFrames: number;
  /** Whether the evil peer's RTCPeerConnection was closed within 5 s of the tab closing the link. */
  released: boolean;
}

function evil(mode: string): EvilOutcome {
  const r = spawnSync('node_modules/.bin/tsx', ['e2e/helpers/evil-peer.ts', `${appURL().replace(/\/$/, '')}/peerjs`, tabId, mode], { encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as EvilOutcome;
  } catch {
    throw new Error(`evil peer printed nothing usable: ${r.stdout} ${r.stderr}`);
  }
}

const refusals = (page: Page) =>
  page.evaluate(() => window.softphoneTest!.refusals());

describe('a misbehaving peer is refused, counted, and the tab keeps working', () => {
  it.each([
    ['garbage', /refused a bad frame/],
    ['oversized', /refused a bad frame \(frame of 204800 bytes/],
    ['wrong-key', /node ID does not come from its key/],
    ['data-before-handshake', /before the handshake/],
    ['no-puzzle', /presented no solution to this overlay’s node ID puzzle/],
    ['wrong-puzzle', /solution to this overlay’s node ID puzzle is wrong/],
  ])('%s', async (mode, reason) => {
    const r = evil(mode);
    expect(r.outcome).toMatch(/^closed/);
    // The refusal released the connection on the far side too, with no stray text on the way.
    expect(r).toMatchObject({ textFrames: 0, released: true });
    const counted = Object.keys(await refusals(tab));
    expect(counted.some((k) => reason.test(k))).toBe(true);
    // The tab still works: it is online and answers a fresh, honest link.
    await waitOnline(tab);
  });

  it('a ping flood is answered without harm and the tab stays responsive', async () => {
    const r = evil('ping-flood');
    expect(r.framesReceived).toBeGreaterThan(0);
    await waitOnline(tab);
    expect(await tab.evaluate(() => 1 + 1)).toBe(2);
  });
});
