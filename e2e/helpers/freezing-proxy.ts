/**
 * A TCP proxy on 127.0.0.1 the test controls, to make a connection
 * half-open: `freezeWebSockets()` stops carrying the bytes of every
 * WebSocket connection open now, in both directions, without closing either
 * side, as a network change leaves a connection the server never sees close.
 * Connections made later are carried as usual.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface FreezingProxy {
  readonly port: number;
  /** Freezes the WebSocket connections open now; returns how many. */
  freezeWebSockets(): number;
  close(): Promise<void>;
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export async function startFreezingProxy(targetPort: number): Promise<FreezingProxy> {
  const pairs: { client: Socket; upstream: Socket; webSocket: boolean; frozen: boolean }[] = [];
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, webSocket: false, frozen: false };
    pairs.push(pair);
    const drop = (): void => {
      if (pair.frozen) return; // a frozen connection is left exactly as it is
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d: Buffer) => {
      if (!pair.webSocket && /^upgrade:\s*websocket/im.test(d.toString('latin1'))) pair.webSocket = true;
      if (!pair.frozen) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!pair.frozen) client.write(d);
    });
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    freezeWebSockets() {
      let n = 0;
      for (const p of pairs) {
        if (p.webSocket && !p.frozen && !p.client.destroyed) {
          p.frozen = true;
          n++;
        }
      }
      return n;
    },
    async close() {
      for (const p of pairs) {
        p.frozen = false;
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
