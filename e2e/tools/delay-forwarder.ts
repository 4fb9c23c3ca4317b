/**
 * A delaying forwarder for a NAT router namespace (e2e/helpers/uplink-delay.ts):
 * this kernel has no `netem` qdisc, so one-way delay on a home's uplink is
 * added in user space. The router redirects the home's UDP and TCP towards
 * one internet host (nftables `redirect`) to this process, which sends each
 * datagram, and each chunk of each TCP stream, on to the real destination
 * `--delay` ms later, in order; what comes back is passed on at once. So
 * the home → internet direction is delayed and the other is not, as on an
 * uplink with that much extra latency. Replies leave through the socket the
 * home's packets arrived on, so conntrack gives them the original
 * destination's address back and the home sees no difference.
 *
 * Usage: tsx e2e/tools/delay-forwarder.ts --delay 30 --target 203.0.113.10
 *          --udp 13478:3478 [--udp …] --tcp 18080:8080 [--tcp …]
 * (local port:destination port). Prints "ready" when all listen.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { connect, createServer, type Socket as TcpSocket } from 'node:net';

const argv = process.argv.slice(2);
const all = (name: string): string[] => argv.flatMap((a, i) => (a === `--${name}` && argv[i + 1] ? [argv[i + 1]!] : []));
const delayMs = Number(all('delay')[0] ?? '30');
const target = all('target')[0];
if (!target || !Number.isFinite(delayMs) || delayMs < 0) {
  console.error('usage: delay-forwarder --delay MS --target ADDRESS --udp LOCAL:REMOTE --tcp LOCAL:REMOTE');
  process.exit(2);
}
const pairs = (name: string): Array<[number, number]> => all(name).map((p) => p.split(':').map(Number) as [number, number]);

/** Runs `send` `delayMs` after now, keeping order with what was queued before. */
function later(send: () => void): void {
  setTimeout(send, delayMs);
}

let waiting = 0;
const listening = (): void => {
  if (--waiting === 0) console.log('ready');
};

for (const [local, remote] of pairs('udp')) {
  waiting++;
  const front = createSocket('udp4');
  /** One upstream socket per home source address:port, as a NAT keeps one mapping per flow. */
  const flows = new Map<string, Socket>();
  front.on('message', (msg: Buffer, from: RemoteInfo) => {
    const key = `${from.address}:${from.port}`;
    let up = flows.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.on('message', (back: Buffer) => front.send(back, from.port, from.address));
      up.on('error', () => undefined);
      up.bind(0);
      flows.set(key, up);
    }
    const u = up;
    later(() => u.send(msg, remote, target));
  });
  front.on('error', (e) => console.error(`udp ${local}: ${e.message}`));
  front.bind(local, listening);
}

for (const [local, remote] of pairs('tcp')) {
  waiting++;
  const server = createServer((down: TcpSocket) => {
    const up = connect(remote, target);
    down.on('data', (chunk: Buffer) => later(() => up.write(chunk)));
    down.on('end', () => later(() => up.end()));
    up.on('data', (chunk: Buffer) => down.write(chunk));
    up.on('end', () => down.end());
    const close = (): void => {
      down.destroy();
      up.destroy();
    };
    down.on('error', close);
    up.on('error', close);
  });
  server.listen(local, listening);
}
