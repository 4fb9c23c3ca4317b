/**
 * A service peer's bootstrap endpoint: the project's PeerJS signaling server
 * (app/signaling-server, with its proof-of-key challenge, so nobody can
 * squat a node ID there) on a port of the service peer's own. The service
 * peer registers itself on it, so a tab that reaches no signaling server
 * can still reach this endpoint, dial the service peer, and make every
 * other link through the overlay from that first one (RFC 6940 §11.4:
 * a joining node's first contact is a bootstrap node; later connections are
 * set up with AppAttach through the overlay, §6.4.2.4).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachSignalingServer, SIGNALING_MOUNT, type SignalingServer } from '../signaling-server';
import type { BootstrapEndpointConfig } from './service-config';

/**
 * Most peers on one bootstrap endpoint at once: tabs stay on it only while
 * every signaling server is down, so it needs less than a signaling server.
 */
export const BOOTSTRAP_MAX_PEERS = 1000;

export interface BootstrapEndpoint {
  /** The URLs published in the DHT (the configured ones, or http://HOST:PORT/peerjs). */
  readonly urls: string[];
  /** The URL this process itself uses to register on the endpoint (loopback when listening on every address). */
  readonly localUrl: string;
  /** The TCP port bound. */
  readonly port: number;
  /** The signaling server behind it: peers online, refused proofs. */
  readonly signaling: SignalingServer;
  /** Closes every socket and stops listening. */
  close(): Promise<void>;
}

/** `http://host:port/peerjs`, with IPv6 hosts in brackets. */
function endpointUrl(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}${SIGNALING_MOUNT}`;
}

/**
 * Listens on `config.host:config.port`; resolves once bound. Rejects with
 * the listen error (EADDRINUSE, EACCES) so the service peer can say why it
 * could not start.
 */
export async function startBootstrapEndpoint(config: BootstrapEndpointConfig, log: (line: string) => void): Promise<BootstrapEndpoint> {
  let signaling: SignalingServer | null = null;
  const server: Server = createServer((req, res) => {
    signaling!.middleware(req, res, () => {
      res.statusCode = 404;
      res.end('not found\n');
    });
  });
  signaling = attachSignalingServer(server, { maxPeers: BOOTSTRAP_MAX_PEERS }, (line) => log(`bootstrap endpoint: ${line}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => {
      signaling?.close();
      reject(e);
    });
    server.listen(config.port, config.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const s = signaling;
  return {
    urls: config.urls.length > 0 ? config.urls : [endpointUrl(config.host, port)],
    localUrl: endpointUrl(wildcard ? '127.0.0.1' : config.host, port),
    port,
    signaling: s,
    close: () =>
      new Promise<void>((resolve) => {
        s.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
