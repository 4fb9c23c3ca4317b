/** The service peer's command stops before touching the network, with a sentence and an exit code, on bad input. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'app/service-peer/service-peer-cli.ts', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, err: r.stderr };
}
// An address nothing listens on: every case below must stop before dialing it.
const SIG = ['--signaling', 'http://127.0.0.1:9/peerjs'];

describe('npm run service-peer on bad input', () => {
  it('exits 2 on a bad command line, saying what is wrong', () => {
    const r = run('--data', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--signaling URL is needed/);
  });

  it('exits 1 when --data is a file', () => {
    const f = join(dir, 'a-file');
    writeFileSync(f, 'x');
    const r = run(...SIG, '--data', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/could not start: --data .*a-file: that is a file, not a directory/);
  });

  it('exits 1 on a damaged key file, offers --start-fresh, and leaves the file as it was', () => {
    const d = join(dir, 'damaged');
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    writeFileSync(join(d, 'node-key.json'), 'not json at all');
    const r = run(...SIG, '--data', d);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a usable node key file[\s\S]*--start-fresh/);
    expect(readFileSync(join(d, 'node-key.json'), 'utf8')).toBe('not json at all');
  });
});
