/**
 * The loopback-only end-to-end runner: inside a network namespace that
 * holds only `lo` (see netns.ts), runs the Playwright suites under Vitest.
 *
 * Usage: npm run test:e2e [-- vitest args, e.g. a file filter]
 */
import { spawnSync } from 'node:child_process';
import { ensureLoopbackNamespace } from './netns.ts';

const args = process.argv.slice(2);
ensureLoopbackNamespace('e2e/runner/run.ts', args);
const r = spawnSync('node_modules/.bin/vitest', ['run', '--config', 'vitest.e2e.config.ts', ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
