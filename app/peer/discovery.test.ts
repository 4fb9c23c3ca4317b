/**
 * Peer discovery, written once for tabs and service peers (issue 14): the
 * signaling server's list of online peers, cleaned (well-formed IDs, not
 * this peer, at most MAX_DISCOVERED), and kept when the server fails.
 */
import { describe, expect, it } from 'vitest';
import type { SignalingServerConfig, SignalingState } from '../transport';
import { MAX_DISCOVERED, PeerDiscovery, type DiscoverySignaling } from './discovery';

const self = '00'.repeat(20);
const a = 'aa'.repeat(20);
const b = 'bb'.repeat(20);
const server: SignalingServerConfig = { url: 'http://127.0.0.1:9000/sig', host: '127.0.0.1', port: 9000, path: '/sig', secure: false } as SignalingServerConfig;

function signaling(kind: 'online' | 'offline'): DiscoverySignaling {
  const state = (kind === 'online' ? { kind, server: server.url, since: 0 } : { kind, reason: 'away', retryInMs: 1000, nextRetryAt: 0 }) as SignalingState;
  return { state, serverList: [server] };
}

/** A fetch that answers `body` (or fails) and records the URLs asked. */
function fakeFetch(answers: (unknown | Error)[]): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fake = (async (url: string) => {
    urls.push(url);
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return { ok: true, json: async () => next } as Response;
  }) as unknown as typeof fetch;
  return { fetch: fake, urls };
}

describe('peer discovery', () => {
  it('asks the first signaling server’s peer list and keeps well-formed IDs other than its own', async () => {
    const { fetch, urls } = fakeFetch([[a, self, 'not-an-id', 42, b.toUpperCase(), b]]);
    const d = new PeerDiscovery({ signaling: signaling('online'), selfId: self, fetch });
    let changes = 0;
    d.onChange(() => changes++);
    await d.discover();
    expect(urls).toEqual(['http://127.0.0.1:9000/sig/peerjs/peers']);
    expect(d.online()).toEqual([a, b]);
    expect(changes).toBe(1);
  });

  it('keeps the last list when the server fails or answers something else', async () => {
    const { fetch } = fakeFetch([[a], new Error('connection refused'), { not: 'a list' }]);
    const d = new PeerDiscovery({ signaling: signaling('online'), selfId: self, fetch });
    let changes = 0;
    d.onChange(() => changes++);
    await d.discover();
    await d.discover();
    await d.discover();
    expect(d.online()).toEqual([a]);
    expect(changes).toBe(1);
  });

  it('does not ask while the signaling connection is not online', async () => {
    const { fetch, urls } = fakeFetch([[a]]);
    const d = new PeerDiscovery({ signaling: signaling('offline'), selfId: self, fetch });
    await d.discover();
    expect(urls).toEqual([]);
    expect(d.online()).toEqual([]);
  });

  it('takes at most MAX_DISCOVERED peers from one list', async () => {
    const many = Array.from({ length: MAX_DISCOVERED + 50 }, (_, i) => i.toString(16).padStart(40, '1'));
    const { fetch } = fakeFetch([many]);
    const d = new PeerDiscovery({ signaling: signaling('online'), selfId: self, fetch });
    await d.discover();
    expect(d.online()).toHaveLength(MAX_DISCOVERED);
  });
});
