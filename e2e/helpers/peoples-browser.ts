/**
 * What a suite does with the tabs of a person's browser run as people run it
 * (browser.ts, `useBrowser({ peoplesBrowser: true })`: its own Chromium
 * process without Playwright's anti-throttling switches and focus emulation):
 * hide a tab behind another, so `document.visibilityState` is "hidden" and
 * Chromium throttles its timers as in people's browsers, bring it back, and
 * hang one tab the way a busy machine, a debugger or a suspended laptop does:
 * find the tab's renderer process and SIGSTOP it, then SIGCONT it. (A page
 * "frozen" through CDP keeps running its timers, so it is no test of a hung
 * tab.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** Whether the page is hidden, as the page itself sees it. */
export function visibility(page: Page): Promise<DocumentVisibilityState> {
  return page.evaluate(() => document.visibilityState);
}

/** Puts another tab of the same profile in front of `page` (a blank one, made once), so `page` is hidden. */
export async function hideBehindAnotherTab(page: Page): Promise<void> {
  const ctx = page.context();
  const cover = ctx.pages().find((p) => p !== page && p.url() === 'about:blank') ?? (await ctx.newPage());
  await cover.bringToFront();
  await page.waitForFunction(() => document.visibilityState === 'hidden', undefined, { polling: 100, timeout: 10_000 });
}

/** Brings `page` to the front, as a person does before clicking in it (clicks wait for frames, which hidden tabs do not draw). */
export async function bringToFront(page: Page): Promise<void> {
  await page.bringToFront();
  await page.waitForFunction(() => document.visibilityState === 'visible', undefined, { polling: 100, timeout: 10_000 });
}

/**
 * How much later than asked a chain of five 100 ms timers in `page` fires, in
 * ms per timer: about 0 in a visible tab; Chromium aligns a hidden tab's
 * timers to whole seconds.
 */
export function timerLateness(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const t0 = performance.now();
        let n = 0;
        const step = (): void => {
          if (++n === 5) resolve((performance.now() - t0 - 500) / 5);
          else setTimeout(step, 100);
        };
        setTimeout(step, 100);
      }),
  );
}

function parentOf(pid: number): number | null {
  try {
    // The command name may hold spaces and parentheses; the fields after its last ')' are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** CPU time of a process so far, in clock ticks (user + system). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** The renderer processes descended from browser process `browserPid`. */
export function rendererPids(browserPid: number): number[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const parent = new Map(all.map((p) => [p, parentOf(p)]));
  const descends = (p: number): boolean => {
    for (let q: number | null | undefined = p, depth = 0; q && depth < 8; q = parent.get(q), depth++) if (q === browserPid) return p !== browserPid;
    return false;
  };
  return all.filter((p) => {
    if (!descends(p)) return false;
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--type=renderer');
    } catch {
      return false;
    }
  });
}

/**
 * The renderer process that runs `page`, among those of browser `browserPid`:
 * the page spins for a second and the process whose CPU time rose by far the
 * most is the one (CDP names no process per page).
 */
export async function rendererPidOf(page: Page, browserPid: number): Promise<number> {
  let seen = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    const pids = rendererPids(browserPid);
    const before = new Map(pids.map((p) => [p, cpuTicks(p)]));
    await page.evaluate(() => {
      const t = performance.now();
      while (performance.now() - t < 1000) {
        // spin: the CPU time of this page's process is the marker
      }
    });
    const rises = pids.map((p) => [p, cpuTicks(p) - before.get(p)!] as const).sort((x, y) => y[1] - x[1]);
    const [first, second] = rises;
    if (first && first[1] >= 15 && first[1] > 4 * (second?.[1] ?? 0)) return first[0];
    seen = JSON.stringify(rises);
  }
  throw new Error(`could not tell which renderer runs the page (pid, CPU ticks during the spin): ${seen}`);
}

/** Stops process `pid` as a hung machine would: it runs nothing until resumed. */
export function hang(pid: number): void {
  process.kill(pid, 'SIGSTOP');
}

export function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // already gone
  }
}
