/**
 * Splitting the end-to-end suites into groups that take about as long as
 * each other (longest first onto the group with the least work so far:
 * the LPT rule, Graham 1969), from each suite's time in a CI run on two
 * cores. A suite not in the table counts as SUITE_SECONDS_UNKNOWN.
 */
import { readdirSync } from 'node:fs';

/** Seconds each suite took in a CI run (rounded; only their order matters much). */
export const SUITE_SECONDS: Readonly<Record<string, number>> = {
  'true-states': 157,
  mail: 120,
  nat: 75,
  calls: 71,
  'contact-permission': 66,
  'call-media': 66,
  'link-teardown': 62,
  foundation: 60,
  'hung-tab': 60,
  'service-peer': 58,
  overlay: 51,
  'ice-servers': 49,
  permissions: 47,
  'private-routes': 42,
  'bad-input': 39,
  'calls-relay': 40,
  'bad-peers': 40,
  'service-peer-mail': 40,
  'permissions-tabs': 40,
  'phone-screen': 29,
  'public-node': 26,
  keyboard: 26,
  'serve-https': 16,
  'clock-skew': 15,
  'link-teardown-wrtc': 15,
  installable: 10,
  'nat-hosts': 6,
};
export const SUITE_SECONDS_UNKNOWN = 60;

/** The suite files, as paths from the repository root (e2e/suites/*.e2e.ts), sorted. */
export function suiteFiles(dir = 'e2e/suites'): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.e2e.ts'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** Splits `files` into `n` groups of about equal estimated time; no group is empty while files remain. */
export function shardFiles(files: readonly string[], n: number): string[][] {
  const cost = (f: string): number => SUITE_SECONDS[f.replace(/^.*\//, '').replace(/\.e2e\.ts$/, '')] ?? SUITE_SECONDS_UNKNOWN;
  const groups = Array.from({ length: Math.max(1, n) }, () => ({ files: [] as string[], seconds: 0 }));
  for (const f of [...files].sort((a, b) => cost(b) - cost(a) || a.localeCompare(b))) {
    const g = groups.reduce((best, x) => (x.seconds < best.seconds ? x : best));
    g.files.push(f);
    g.seconds += cost(f);
  }
  return groups.filter((g) => g.files.length > 0).map((g) => g.files.sort());
}
