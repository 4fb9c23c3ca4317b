/**
 * `npx tsx e2e/tools/ring-picture.ts [--peers 64] [--top]`: draws the Network page's ring
 * picture for a ring of N peers (random IDs, this tab's predecessor,
 * successors and fingers as Chord would have them, a lookup in flight) and
 * saves a screenshot as e2e/artifacts/ring-picture-N.png, so the picture can
 * be looked at for sizes that are slow to reach with real tabs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { RingLegend, RingView, type RingPeer } from '../../app/ui/ring-view.tsx';
import { launchChromium } from '../helpers/browser.ts';

const argv = process.argv.slice(2);
const at = argv.indexOf('--peers');
const n = at >= 0 ? Number(argv[at + 1]) : 64;

// --top: this tab and its neighbours at the top of the circle, where labels sit side by side.
const top = argv.includes('--top');
const ids = Array.from({ length: n }, (_, k) => (top && k < 6 ? 'fff' + randomBytes(20).toString('hex').slice(3) : randomBytes(20).toString('hex'))).sort();
const self = top ? ids.find((id) => id.startsWith('fff'))! : ids[Math.floor(n / 3)]!;
const big = (h: string): bigint => BigInt('0x' + h);
const successorOf = (k: bigint): string => ids.find((id) => big(id) >= k) ?? ids[0]!;
const i = ids.indexOf(self);
const roles = new Map<string, RingPeer['role']>(ids.map((id) => [id, 'known']));
for (let b = 0; b < 160; b++) roles.set(successorOf((big(self) + (1n << BigInt(b))) % (1n << 160n)), 'finger');
for (let k = 1; k <= 4; k++) roles.set(ids[(i + k) % n]!, 'successor');
roles.set(ids[(i - 1 + n) % n]!, 'predecessor');
roles.set(self, 'self');
const peers: RingPeer[] = [...roles].map(([nodeId, role]) => ({ nodeId, role, rttMs: role === 'known' ? null : 2 }));
const fingers = [...roles].filter(([, r]) => r === 'finger').map(([id]) => id);
const lookups = [{ id: 'l1', key: ids[(i + Math.floor(n / 2)) % n]!, path: [self, fingers.at(-1)!, ids[(i + Math.floor(n / 2)) % n]!] }];

const svg = renderToStaticMarkup(createElement(RingView, { peers, lookups, title: `The ring: this tab and ${n - 1} other peers` }));
const legend = renderToStaticMarkup(createElement(RingLegend));
const css = readFileSync(new URL('../../app/ui/styles.css', import.meta.url), 'utf8');
const html = `<!doctype html><html><head><style>${css}</style></head><body><main style="max-width:640px;margin:1rem auto"><section class="card"><h2>The ring (${n} peers)</h2>${svg}${legend}</section></main></body></html>`;

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 700, height: 720 } });
  await page.setContent(html);
  const path = `e2e/artifacts/ring-picture-${n}${top ? '-top' : ''}.png`;
  await page.screenshot({ path, fullPage: true });
  console.log(`wrote ${path}`);
} finally {
  await browser.close();
}
