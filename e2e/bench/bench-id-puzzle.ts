/**
 * `npm run bench -- --only id-puzzle`: the node ID puzzle (app/identity/id-puzzle.ts)
 * in Chromium, the code the tabs run: median ms per dynamic-puzzle solution at
 * several difficulties and per key tried for the static puzzle, and a tab's
 * first start (a new person: new key, puzzle solved) next to a reload of the
 * same tab (key and solution kept: nothing solved), measured in the same run.
 */
import { DEFAULT_ID_PUZZLE } from '../../app/identity/index.ts';
import { started } from '../helpers/harness.ts';

type Add = (name: string, value: number, unit: string, baseline?: string) => void;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
};

export async function idPuzzleBench(add: Add, tabs: number): Promise<void> {
  const { startApp } = await import('../runner/server-process.ts');
  const app = await startApp();
  process.env['APP_URL'] = app.url;
  const { launchChromium, newPerson, openPeer } = await import('../helpers/browser.ts');
  const browser = await launchChromium();
  try {
    // First starts: each new person makes a node key and solves the puzzle before the Node ID shows.
    const first: number[] = [];
    const reload: number[] = [];
    for (let i = 0; i < Math.max(3, Math.min(tabs, 8)); i++) {
      const ctx = await newPerson(browser);
      let t = Date.now();
      const page = await openPeer(ctx);
      first.push(Date.now() - t);
      t = Date.now();
      await page.reload();
      await started(page).waitFor({ timeout: 30_000 });
      reload.push(Date.now() - t);
      await ctx.close();
    }
    // The first load of a new context also fetches every module uncached from the dev server; the
    // puzzle's own part is the per-solution and per-key figures below.
    add('tab first start to its node ID, puzzle solved (median)', median(first), 'ms', `reload of the same tab (key and solution kept, modules cached) ${median(reload)} ms, same run`);
    // The puzzle's own cost, with the app's module, in one tab.
    const ctx = await newPerson(browser);
    const page = await openPeer(ctx);
    // A string, not a function: the module path is the dev server's, and tsx would wrap a function.
    const res = (await page.evaluate(`(async () => {
      const m = await import('/app/identity/index.ts');
      const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
      const spki = await m.exportSpki((await m.generateSigningKeyPair()).publicKey);
      const out = { solve: {}, keyMs: 0 };
      for (const bits of [12, 14, 15, 16]) {
        const ts = [];
        for (let i = 0; i < 9; i++) { const t = performance.now(); await m.solveDynamicPuzzle(spki, bits); ts.push(performance.now() - t); }
        out.solve[bits] = med(ts);
      }
      const t = performance.now();
      const made = await m.generatePuzzleKeyPair(6);
      out.keyMs = (performance.now() - t) / made.tries;
      return out;
    })()`)) as { solve: Record<string, number>; keyMs: number };
    for (const [bits, ms] of Object.entries(res.solve)) add(`node ID puzzle: median ms per solution, dynamic c2=${bits} (Chromium)`, ms, 'ms', bits === String(DEFAULT_ID_PUZZLE.dynamicBits) ? 'the default' : '');
    add('node ID puzzle: ms per key tried, static puzzle (Chromium)', res.keyMs, 'ms', 'static puzzle c1 costs 2^c1 of these');
    await ctx.close();
  } finally {
    await browser.close();
    await app.stop();
  }
}
