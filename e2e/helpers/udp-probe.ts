/**
 * UDP probes of a NAT topology (nat-hosts.ts), with plain sockets and no
 * browser, so the suite knows its NATs behave as claimed before it blames
 * the app:
 * - `mappingOf`: one home socket sends to two ports of a reflector in the
 *   internet, which answers with the source address and port it saw (what a
 *   STUN Binding response's XOR-MAPPED-ADDRESS says, RFC 5389). Equal ports:
 *   endpoint-independent mapping; different: endpoint-dependent (RFC 4787).
 * - `punch`: two homes learn their mapping from the reflector, then send to
 *   each other's learned address (hole punching as ICE does with
 *   server-reflexive candidates, RFC 8445); says which side heard the other.
 */
import type { NatTopology, Home } from './nat-hosts.ts';

const REFLECTOR = `
const dgram = require('node:dgram');
const [addr, ...ports] = process.argv.slice(1);
for (const p of ports) {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => s.send(r.address + ':' + r.port, r.port, r.address));
  s.bind(Number(p), addr, () => { if (p === ports[ports.length - 1]) console.log('ready'); });
}`;

const MAPPING = `
const dgram = require('node:dgram');
const [addr, p1, p2] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
const seen = {};
s.on('message', (m, r) => { seen[r.port] = m.toString(); if (seen[p1] && seen[p2]) { console.log(JSON.stringify([seen[p1], seen[p2]])); process.exit(0); } });
s.bind(0, () => { const t = setInterval(() => { s.send('?', Number(p1), addr); s.send('?', Number(p2), addr); }, 100); setTimeout(() => { clearInterval(t); console.log(JSON.stringify(seen)); process.exit(1); }, 3000); });`;

/** Sends to the reflector, then to the peer's mapping read from a file; prints whether the peer's packets arrived. */
const PUNCH = `
const dgram = require('node:dgram'); const fs = require('node:fs');
const [addr, port, mine, theirs] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
let heard = false;
s.on('message', (m, r) => { const t = m.toString(); if (r.address === addr && r.port === Number(port)) fs.writeFileSync(mine, t); else if (t === 'hello') heard = true; });
s.bind(0, () => {
  const ask = setInterval(() => s.send('?', Number(port), addr), 100);
  const go = setInterval(() => { if (!fs.existsSync(theirs)) return; const [a, p] = fs.readFileSync(theirs, 'utf8').split(':'); s.send('hello', Number(p), a); }, 100);
  setTimeout(() => { clearInterval(ask); clearInterval(go); console.log(heard ? 'heard' : 'silent'); process.exit(0); }, 3000);
});`;

const P1 = 3401;
const P2 = 3402;

function withReflector<T>(topology: NatTopology, fn: () => Promise<T>): Promise<T> {
  const reflector = topology.start(topology.internetNs, [process.execPath, '-e', REFLECTOR, topology.internetAddress, String(P1), String(P2)]);
  return new Promise<void>((resolve, reject) => {
    reflector.stdout!.once('data', () => resolve());
    reflector.once('exit', (c) => reject(new Error(`the UDP reflector exited (${c})`)));
  })
    .then(fn)
    .finally(() => reflector.kill('SIGKILL'));
}

function output(topology: NatTopology, home: Home, script: string, args: string[]): Promise<string> {
  const child = topology.start(home.ns, [process.execPath, '-e', script, ...args]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', () => resolve(out.trim())));
}

/** The external address:port the reflector saw for one socket of `home`, towards two of its ports. */
export function mappingOf(topology: NatTopology, home: Home): Promise<[string, string]> {
  return withReflector(topology, async () => {
    const out = await output(topology, home, MAPPING, [topology.internetAddress, String(P1), String(P2)]);
    const seen = JSON.parse(out) as unknown;
    if (!Array.isArray(seen)) throw new Error(`no answer from the reflector to ${home.ns}: ${out}`);
    return seen as [string, string];
  });
}

/** Whether `a` heard `b` and `b` heard `a` when both sent to the mapping the reflector told the other. */
export function punch(topology: NatTopology, a: Home, b: Home, dir: string): Promise<{ aHeard: boolean; bHeard: boolean }> {
  return withReflector(topology, async () => {
    const [fa, fb] = [`${dir}/punch-${a.index}`, `${dir}/punch-${b.index}`];
    const [oa, ob] = await Promise.all([
      output(topology, a, PUNCH, [topology.internetAddress, String(P1), fa, fb]),
      output(topology, b, PUNCH, [topology.internetAddress, String(P1), fb, fa]),
    ]);
    return { aHeard: oa === 'heard', bHeard: ob === 'heard' };
  });
}
