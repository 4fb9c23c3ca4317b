/**
 * The loopback-only end-to-end runner. As root it re-runs itself inside a
 * fresh network namespace that holds only `lo` (unshare --net, then
 * `ip link set lo up`), checks that nothing but `lo` is there, and runs the
 * Playwright suites under Vitest. Where no namespace can be made (a user's own
 * laptop) it says so and runs as is. Chromium is installed from the OS
 * packages first when it is missing, since the namespace has no network.
 *
 * Usage: npm run test:e2e [-- vitest args, e.g. a file filter]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chromiumPath } from './chromium-path.ts';

const args = process.argv.slice(2);
const isRoot = process.getuid?.() === 0;

function ensureChromium(): void {
  const path = chromiumPath();
  if (existsSync(path)) return;
  if (process.env['CHROMIUM_PATH']) {
    console.error(`CHROMIUM_PATH points at ${path}, which does not exist.`);
    process.exit(2);
  }
  if (!isRoot) {
    console.error('Chromium is missing: install it with `sudo apt-get install -y chromium`, or set CHROMIUM_PATH.');
    process.exit(2);
  }
  console.log('[e2e] installing Chromium from the OS packages…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (r.status !== 0 || !existsSync(path)) {
    console.error('Installing Chromium failed.');
    process.exit(2);
  }
}

/** Interfaces of the current network namespace (/proc/net/dev is per namespace; /sys/class/net may not be). */
function interfaces(): string[] {
  return readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]?.trim() ?? '')
    .filter(Boolean);
}

function runSuites(): number {
  const vitest = 'node_modules/.bin/vitest';
  const r = spawnSync(vitest, ['run', '--config', 'vitest.e2e.config.ts', ...args], { stdio: 'inherit' });
  return r.status ?? 1;
}

if (process.env['E2E_NETNS'] === '1') {
  const ifs = interfaces();
  if (ifs.some((i) => i !== 'lo')) {
    console.error(`[e2e] refusing to run: the namespace has interfaces besides lo: ${ifs.join(', ')}`);
    process.exit(2);
  }
  console.log('[e2e] inside a network namespace that holds only lo');
  process.exit(runSuites());
}

ensureChromium();
const canUnshare = isRoot && process.env['E2E_NO_NETNS'] !== '1' && spawnSync('unshare', ['--net', 'true']).status === 0;
if (canUnshare) {
  const tsx = 'node_modules/.bin/tsx';
  const r = spawnSync('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', tsx, 'e2e/run.ts', ...args], {
    stdio: 'inherit',
    env: { ...process.env, E2E_NETNS: '1' },
  });
  process.exit(r.status ?? 1);
}
console.warn('[e2e] cannot make a network namespace here (not root, or unshare refused); running on this machine as is.');
process.exit(runSuites());
