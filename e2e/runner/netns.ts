/**
 * Running a script in a network namespace that holds only `lo`, so that
 * WebRTC and every socket of a test or benchmark stays on 127.0.0.0/8.
 * As root: re-runs `script` under `unshare --net` with `lo` up and checks
 * that nothing but `lo` is there. Elsewhere it says so and runs as is.
 * Chromium is installed from the OS packages first when it is missing,
 * since the namespace has no network.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chromiumPath } from './chromium-path.ts';

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
  console.log('[netns] installing Chromium from the OS packages…');
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

/**
 * Returns when this process is inside a loopback-only namespace (or none can
 * be made); otherwise re-runs `script` with `args` inside one and exits with
 * its status.
 */
export function ensureLoopbackNamespace(script: string, args: string[]): void {
  if (process.env['E2E_NETNS'] === '1') {
    const ifs = interfaces();
    if (ifs.some((i) => i !== 'lo')) {
      console.error(`[netns] refusing to run: the namespace has interfaces besides lo: ${ifs.join(', ')}`);
      process.exit(2);
    }
    console.log('[netns] inside a network namespace that holds only lo');
    return;
  }
  ensureChromium();
  const canUnshare = isRoot && process.env['E2E_NO_NETNS'] !== '1' && spawnSync('unshare', ['--net', 'true']).status === 0;
  if (!canUnshare) {
    console.warn('[netns] cannot make a network namespace here (not root, or unshare refused); running on this machine as is.');
    return;
  }
  const r = spawnSync('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', 'node_modules/.bin/tsx', script, ...args], {
    stdio: 'inherit',
    env: { ...process.env, E2E_NETNS: '1' },
  });
  process.exit(r.status ?? 1);
}
