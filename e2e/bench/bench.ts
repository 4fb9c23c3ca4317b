/**
 * Browser benchmarks: `npm run bench -- [--tabs 16] [--only overlay|service-peer|calls|mail|nat|serverless] [--json FILE]`.
 * Real tabs of the system Chromium against the app served by `npm start`,
 * inside a loopback-only network namespace. Prints a table and writes JSON
 * with every figure, its unit and its baseline (measured in the same run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureLoopbackNamespace } from '../runner/netns.ts';

const argv = process.argv.slice(2);
ensureLoopbackNamespace('e2e/bench/bench.ts', argv);

const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const tabs = Number(arg('tabs', '16'));
const only = arg('only', 'overlay');
/** Benchmarks this entry runs, each with the JSON file it writes unless --json names another. */
const KNOWN = ['overlay', 'service-peer', 'calls', 'mail', 'nat', 'id-puzzle', 'serverless'] as const;
const jsonFile = arg('json', only === 'overlay' ? 'bench-results/browser.json' : `bench-results/${only}.json`);

interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: string;
}
const figures: Figure[] = [];
const add = (name: string, value: number, unit: string, baseline = ''): void => {
  figures.push({ name, value: Math.round(value * 100) / 100, unit, baseline });
};

async function main(): Promise<void> {
  if (!(KNOWN as readonly string[]).includes(only)) {
    console.error(`unknown benchmark "${only}"; known: ${KNOWN.join(', ')}`);
    process.exit(2);
  }
  const started = Date.now();
  if (only === 'service-peer') await (await import('./bench-service-peer.ts')).servicePeerBench(add, argv);
  else if (only === 'calls') await (await import('./bench-calls.ts')).callsBench(add, tabs, argv);
  else if (only === 'nat') await (await import('./bench-nat.ts')).natBench(add, argv);
  else if (only === 'mail') await (await import('./bench-mail.ts')).mailBench(add, tabs, argv);
  else if (only === 'serverless') await (await import('./bench-serverless.ts')).serverlessBench(add, tabs, argv);
  else if (only === 'id-puzzle') await (await import('./bench-id-puzzle.ts')).idPuzzleBench(add, tabs);
  else await (await import('./bench-overlay.ts')).overlayBench(add, tabs);
  add('wall time', (Date.now() - started) / 1000, 's');
  const width = Math.max(...figures.map((f) => f.name.length));
  console.log(`\n${'figure'.padEnd(width)}  ${'value'.padStart(10)}  unit          baseline`);
  for (const f of figures) console.log(`${f.name.padEnd(width)}  ${String(f.value).padStart(10)}  ${f.unit.padEnd(12)}  ${f.baseline}`);
  mkdirSync(dirname(jsonFile), { recursive: true });
  writeFileSync(jsonFile, JSON.stringify({ benchmark: only, tabs, date: new Date().toISOString(), figures }, null, 2) + '\n');
  console.log(`\nwrote ${jsonFile}`);
}

// A benchmark that ran WebRTC in this process (service-peer) leaves native handles behind.
main().then(() => process.exit(0)).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
