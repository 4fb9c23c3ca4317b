/**
 * ICE servers from the node (issue 15), in real Chromium against a real
 * coturn on this namespace's loopback: the tab fetches /ice-servers, checks
 * the relay (a relay candidate from coturn with the node's TURN REST
 * credential), hands the list to its links, and fetches fresh credentials
 * before they expire. A wrong secret, an unreachable relay and a malformed
 * answer each end in plain words while the app keeps working. The across-NAT
 * proof is the simulated-hosts suite; this one needs no namespaces of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { turnRestCredential } from '../../app/signaling-server/index.ts';
import { useBrowser } from '../helpers/browser.ts';
import { waitOnline, started } from '../helpers/harness.ts';
import { freePort, startApp, type ServerProcess } from '../runner/server-process.ts';

const SECRET = 'e2e-turn-secret';
let turn: ChildProcess | null = null;
let turnPort = 0;
let app: ServerProcess | null = null;
const web = useBrowser({
  teardown: async () => {
    await app?.stop();
    if (turn && turn.exitCode === null) {
      turn.kill('SIGTERM');
      await new Promise((r) => turn!.once('exit', r));
    }
  },
});

beforeAll(async () => {
  turnPort = await freePort();
  turn = spawn('turnserver', ['-n', '--use-auth-secret', `--static-auth-secret=${SECRET}`, '--realm=p2p.local', '-L', '127.0.0.1', '-p', String(turnPort), '--no-tls', '--no-dtls', '--no-cli', '--min-port=49300', '--max-port=49320', '--log-file=stdout', '--simple-log'], { stdio: 'ignore' });
  app = await startApp(undefined, { TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp`, TURN_SECRET: SECRET, TURN_TTL_S: '15' });
}, 120_000);

type Ice = { servers: RTCIceServer[]; expiresAt: number | null; fetchedAt: number | null; answers: number; problem: string | null; relay: string; relayProblem: string | null; forLinks: RTCIceServer[] };
const ice = (page: Page): Promise<Ice> => page.evaluate(() => window.softphoneTest!.iceServers() as unknown as Ice);

async function open(answer?: (url: string) => unknown): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await web.newPerson();
  if (answer) await ctx.route('**/ice-servers', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer(route.request().url())) }));
  const page = await ctx.newPage();
  await page.goto(app!.url + '/');
  await started(page).waitFor({ timeout: 30_000 });
  return { ctx, page };
}

describe('ICE servers from the node', () => {
  it('the tab takes the node’s TURN credential, the relay lets it in, links use it, and it is refreshed before it expires', async () => {
    const { ctx, page } = await open();
    await expect.poll(async () => (await ice(page)).relay, { timeout: 30_000 }).toBe('ready');
    const first = await ice(page);
    expect(first.servers).toHaveLength(1);
    expect(first.servers[0]!.username).toMatch(/^\d{10}:[0-9a-f]{16}$/);
    expect(first.expiresAt! - first.fetchedAt!).toBeGreaterThan(10_000);
    expect(first.forLinks).toEqual(first.servers);
    expect(first.problem).toBeNull();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Network' }).click();
    await page.getByTestId('relay-status').filter({ hasText: 'The relay lets this tab in' }).waitFor();
    // TURN_TTL_S=15: a fresh credential comes at 80% of its life, before the old one expires.
    await expect.poll(async () => (await ice(page)).answers, { timeout: 30_000 }).toBeGreaterThan(first.answers);
    const second = await ice(page);
    expect(second.fetchedAt!).toBeLessThan(first.expiresAt!);
    expect(second.expiresAt!).toBeGreaterThan(first.expiresAt!);
    expect(second.servers[0]!.username).not.toBe(first.servers[0]!.username);
    expect(second.forLinks).toEqual(second.servers);
    console.log(`[ice] first credential expires ${first.expiresAt! - first.fetchedAt!} ms after it arrived; refreshed after ${second.fetchedAt! - first.fetchedAt!} ms`);
    await ctx.close();
  }, 90_000);

  it('a wrong TURN secret, an unreachable relay and a malformed answer each say so in plain words, and the app stays online', async () => {
    const expiry = Math.floor(Date.now() / 1000) + 600;
    const cases: [string, () => unknown, RegExp][] = [
      ['wrong secret', () => ({ iceServers: [{ urls: `turn:127.0.0.1:${turnPort}?transport=udp`, ...turnRestCredential('not-the-secret', expiry, 'x') }], expiresAt: expiry * 1000 }), /the relay \(127\.0\.0\.1:\d+\) refused our credentials/],
      ['expired credential', () => ({ iceServers: [{ urls: `turn:127.0.0.1:${turnPort}?transport=udp`, ...turnRestCredential(SECRET, expiry - 1200, 'x') }], expiresAt: expiry * 1000 }), /refused our credentials/],
      ['unreachable', () => ({ iceServers: [{ urls: 'turn:127.0.0.1:9?transport=udp', username: '1:x', credential: 'y' }], expiresAt: expiry * 1000 }), /the relay \(127\.0\.0\.1:9\) cannot be reached/],
      ['malformed', () => ({ iceServers: [{ urls: 'http://127.0.0.1/' }], expiresAt: 'tomorrow' }), /could not be used: the answer does not say when its credentials expire/],
    ];
    for (const [name, answer, words] of cases) {
      const { ctx, page } = await open(answer);
      const notice = page.getByTestId('ice-notice');
      await notice.filter({ hasText: words }).waitFor({ timeout: 30_000 });
      expect(await notice.innerText(), name).toMatch(name === 'malformed' ? /Links and calls still work where a direct path exists/ : /^Calls that need the media relay may fail/);
      await waitOnline(page);
      console.log(`[ice] ${name}: ${await notice.innerText()}`);
      await ctx.close();
    }
  }, 180_000);
});
