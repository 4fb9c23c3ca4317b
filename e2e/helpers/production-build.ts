/**
 * The production build (`vite build`, as an operator makes it) for the
 * suites that test built output (public-node, installable). It is made once
 * per state of the sources and kept in the system's temporary directory
 * under a hash of them, so those suites share one build in a run, and a
 * rerun with the same sources builds nothing. A suite that changes the
 * build copies it first (installable writes a "new version").
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Everything `vite build` reads from the repository: the app, its static files, the page, the configuration, the locked dependencies. */
const INPUTS = ['app', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package.json', 'package-lock.json'];
const PREFIX = 'softphone-e2e-build-';

/** SHA-256 over the path and bytes of every input file, in a fixed order. */
export function sourcesHash(root = process.cwd()): string {
  const hash = createHash('sha256');
  for (const rel of INPUTS) {
    if (!existsSync(join(root, rel))) continue;
    for (const f of filesUnder(join(root, rel), rel)) {
      hash.update(f);
      hash.update('\0');
      hash.update(readFileSync(join(root, f)));
      hash.update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The files under `path` (a file or a directory), as paths from the repository root, sorted. */
function filesUnder(path: string, rel: string): string[] {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return [rel];
  }
  return entries
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(path, e.name), `${rel}/${e.name}`) : e.isFile() ? [`${rel}/${e.name}`] : []))
    .sort();
}

/**
 * The folder of the production build of the current sources, building it
 * first when there is none. Builds into a folder of its own and renames it
 * into place, so two runs side by side (E2E_SHARDS) never see half a build;
 * builds of other sources are removed once they are a day old.
 */
export function productionBuild(): string {
  const key = sourcesHash();
  const dir = join(tmpdir(), PREFIX + key);
  if (existsSync(join(dir, 'index.html'))) return dir;
  // Builds of other sources a day old: another checkout on this machine may be serving a newer one.
  for (const old of readdirSync(tmpdir())) {
    const path = join(tmpdir(), old);
    if (!old.startsWith(PREFIX) || old.startsWith(PREFIX + key)) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone meanwhile
    }
  }
  const building = `${dir}.${process.pid}`;
  const build = spawnSync('node_modules/.bin/vite', ['build', '--config', 'vite.config.ts', '--outDir', building, '--emptyOutDir', '--logLevel', 'warn'], {
    encoding: 'utf8',
    timeout: 300_000,
    // Vitest sets NODE_ENV=test, which would make Vite build a development bundle (import.meta.env.PROD false, no
    // service worker, a test handle); an operator's shell has none.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (build.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`vite build failed: ${(build.stderr || String(build.error ?? '')).slice(-2000)}`);
  }
  try {
    renameSync(building, dir);
  } catch {
    // Another run put the same build in place first.
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}
