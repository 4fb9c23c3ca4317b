/**
 * The loopback-only end-to-end runner: inside a network namespace that
 * holds only `lo` (see netns.ts), runs the Playwright suites under Vitest.
 *
 * Usage: npm run test:e2e [-- vitest args, e.g. a file filter]
 *
 * With no arguments and E2E_SHARDS=N (N ≥ 2), the suites are split into N
 * groups run side by side (shards.ts), each its own Vitest process with its
 * own app server; the output of each group is printed when it ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { ensureLoopbackNamespace } from './netns.ts';
import { shardFiles, suiteFiles } from './shards.ts';

const VITEST = 'node_modules/.bin/vitest';
const args = process.argv.slice(2);
ensureLoopbackNamespace('e2e/runner/run.ts', args);

const shards = Number(process.env['E2E_SHARDS'] ?? '1');
if (args.length > 0 || !Number.isInteger(shards) || shards < 2) {
  const r = spawnSync(VITEST, ['run', '--config', 'vitest.e2e.config.ts', ...args], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/** Runs one group of suite files; resolves with its exit status once its output is printed. */
function runGroup(index: number, files: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(VITEST, ['run', '--config', 'vitest.e2e.config.ts', ...files], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '1' } });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('close', (code) => {
      process.stdout.write(`\n[e2e] ===== group ${index + 1} of ${shards} (${files.length} files) ended with ${code} =====\n`);
      process.stdout.write(Buffer.concat(out));
      resolve(code ?? 1);
    });
  });
}

const groups = shardFiles(suiteFiles(), shards);
for (const [i, g] of groups.entries()) console.log(`[e2e] group ${i + 1}: ${g.map((f) => f.replace(/^e2e\/suites\//, '')).join(', ')}`);
const started = Date.now();
const codes = await Promise.all(groups.map((g, i) => runGroup(i, g)));
console.log(`[e2e] ${shards} groups in ${Math.round((Date.now() - started) / 1000)} s; exit codes ${codes.join(', ')}`);
process.exit(codes.every((c) => c === 0) ? 0 : 1);
