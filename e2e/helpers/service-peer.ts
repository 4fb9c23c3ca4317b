/** Helpers for the service-peer suite and benchmark: run service peers, read their status, check a mixed ring. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { freePort, startServer, type ServerProcess } from '../runner/server-process.ts';
import { allowEverything, ringOf } from './ring.ts';
import { waitOnline, started } from './harness.ts';
import { pageErrors } from './browser.ts';

export interface ServiceStatusJson {
  nodeId: string;
  pid: number;
  ring: { joined: boolean; status: string; predecessor: string | null; successors: string[] };
  links: { nodeId: string; service: boolean }[];
  records: number;
  diskBytes: number;
  heapBytes: number;
  rssBytes: number;
  /** The bootstrap endpoint (--bootstrap-port); null when it runs none. */
  bootstrap: { urls: string[]; registered: boolean; peersOnline: number; refusedProofs: number; published: number } | null;
}

export interface ServicePeerProcess extends ServerProcess {
  dataDir: string;
  status(): Promise<ServiceStatusJson>;
}

export function tempDataDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `sp-${name}-`));
}

export async function fetchStatus(statusUrl: string): Promise<ServiceStatusJson> {
  const r = await fetch(`${statusUrl}/health`);
  if (!r.ok) throw new Error(`status answered ${r.status}`);
  return (await r.json()) as ServiceStatusJson;
}

/** Runs `npm run service-peer` and waits until its health endpoint answers. */
export async function startServicePeer(signaling: string, dataDir: string, extra: string[] = [], port?: number): Promise<ServicePeerProcess> {
  const p = port ?? (await freePort());
  const proc = await startServer('npm', ['run', '--silent', 'service-peer', '--', '--signaling', signaling, '--data', dataDir, '--status-port', String(p), '--status-every', '0', ...extra], {
    port: p,
    readyPath: '/health',
  });
  return Object.assign(proc, { dataDir, status: () => fetchStatus(proc.url) });
}

/** Opens the app at `url` in a new tab of `context` and waits until it is online. */
export async function openAt(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
  await page.goto(url);
  await started(page).waitFor({ timeout: 30_000 });
  await waitOnline(page);
  return page;
}

interface View {
  self: string;
  predecessor: string | null;
  successor: string | undefined;
}

/** Problems with a ring of tabs and service peers, compared with the sorted node IDs; empty when consistent. */
export async function mixedRingProblems(pages: Page[], statusUrls: string[]): Promise<string[]> {
  const views: View[] = [
    ...(await Promise.all(pages.map(ringOf))).map((v) => ({ self: v.self, predecessor: v.predecessor, successor: v.successors[0] })),
    ...(await Promise.all(statusUrls.map(fetchStatus))).map((s) => ({ self: s.nodeId, predecessor: s.ring.predecessor, successor: s.ring.successors[0] })),
  ];
  const ids = views.map((v) => v.self).sort();
  const problems: string[] = [];
  for (const v of views) {
    const i = ids.indexOf(v.self);
    const succ = ids[(i + 1) % ids.length]!;
    const pred = ids[(i - 1 + ids.length) % ids.length]!;
    if (ids.length === 1) {
      if (v.successor !== undefined || v.predecessor !== null) problems.push(`${v.self.slice(0, 6)} alone but has neighbours`);
      continue;
    }
    if (v.successor !== succ) problems.push(`${v.self.slice(0, 6)} successor ${v.successor?.slice(0, 6)} ≠ ${succ.slice(0, 6)}`);
    if (v.predecessor !== pred) problems.push(`${v.self.slice(0, 6)} predecessor ${v.predecessor?.slice(0, 6)} ≠ ${pred.slice(0, 6)}`);
  }
  return problems;
}

/** Waits until tabs and service peers form one consistent ring, answering the tabs' permission questions. */
export async function waitForMixedRing(pages: Page[], statusUrls: string[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    if (pages.length > 0) await allowEverything(pages, 300);
    last = await mixedRingProblems(pages, statusUrls).catch((e: unknown) => [String(e)]);
    if (last.length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the ring did not form in ${timeoutMs} ms: ${last.join('; ')}`);
}

/** Stores a note from `page` (signed by its person); resolves with the replicas that took it. */
export function putNoteFrom(page: Page, key: string, text: string): Promise<string[]> {
  return page.evaluate(
    async ([k, t]) => (await window.softphoneTest!.putNote(k, t)).stored,
    [key, text] as const,
  );
}

/**
 * Stores a note until `want` replicas hold it (a replica just joined may not
 * be in the writer's view yet, or time out once on a busy machine); resolves
 * with the replicas of the last try.
 */
export async function putNoteOnReplicas(page: Page, key: string, text: string, want: number, tries = 5): Promise<string[]> {
  let stored: string[] = [];
  for (let i = 0; i < tries && stored.length < want; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 1000));
    const r = await page.evaluate(
      async ([k, t]) => window.softphoneTest!.putNote(k, t),
      [key, text] as const,
    );
    stored = r.stored;
    if (stored.length < want) console.log(`[service-peer] put stored on ${stored.length}, refused: ${JSON.stringify(r.refused)}`);
  }
  return stored;
}

/** Reads a note from `page`, retrying (bounded) while lookups settle. */
export async function readNoteEventually(page: Page, key: string, timeoutMs = 30_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await page.evaluate((k) => window.softphoneTest!.getNote(k), key).catch(() => null);
    if (last !== null) return last;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return last;
}

/** A random 160-bit key in hex. */
export function randomKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(20))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
