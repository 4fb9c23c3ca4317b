/**
 * A tab's bootstrap endpoints and its signaling client: `?bootstrap=` links
 * are taken (bad ones said in words), remembered endpoints become the
 * client's fallbacks, and going online through one marks it as the best.
 */
import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import type { SignalingClient, SignalingServerConfig, SignalingState } from '../transport';
import { TabBootstraps } from './tab-bootstraps';

/** The parts of a signaling client that follow() uses. */
function fakeClient() {
  const listeners: ((s: SignalingState) => void)[] = [];
  const c = {
    fallbacks: [] as SignalingServerConfig[],
    server: null as SignalingServerConfig | null,
    setFallbacks(f: SignalingServerConfig[]) {
      c.fallbacks = f;
    },
    onState(fn: (s: SignalingState) => void) {
      listeners.push(fn);
      return () => undefined;
    },
    online(s: SignalingServerConfig) {
      c.server = s;
      for (const fn of listeners) fn({ kind: 'online', server: s.url, since: 0 });
    },
  };
  return c;
}

describe('TabBootstraps', () => {
  it('takes ?bootstrap= addresses (repeated or comma-separated), says which it cannot use, and remembers the good ones', async () => {
    const warnings: string[] = [];
    const store = new MemoryKeyValueStore();
    const t = await TabBootstraps.open(store, '?bootstrap=http://a:1/peerjs,ftp://nope&bootstrap=http://b:2&x=1', (w) => warnings.push(w));
    expect(t.given.map((s) => [s.url, s.bootstrap])).toEqual([
      ['http://a:1/peerjs', true],
      ['http://b:2/peerjs', true],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"ftp:\/\/nope" in the link cannot be used/);
    const again = await TabBootstraps.open(store, '', () => undefined);
    expect(again.given).toEqual([]);
    expect(again.known().map((b) => b.url).sort()).toEqual(['http://a:1/peerjs', 'http://b:2/peerjs']);
  });

  it('keeps the client’s fallbacks on the list, and the endpoint it went online through becomes the first', async () => {
    const t = await TabBootstraps.open(new MemoryKeyValueStore(), '?bootstrap=http://a:1/peerjs', () => undefined);
    const client = fakeClient();
    t.follow(client as unknown as SignalingClient);
    expect(client.fallbacks.map((s) => s.url)).toEqual(['http://a:1/peerjs']);
    t.book.give('http://b:2/peerjs');
    expect(client.fallbacks.map((s) => s.url).sort()).toEqual(['http://a:1/peerjs', 'http://b:2/peerjs']);
    const b = client.fallbacks.find((s) => s.url === 'http://b:2/peerjs')!;
    client.online(b);
    expect(client.fallbacks.map((s) => s.url)).toEqual(['http://b:2/peerjs', 'http://a:1/peerjs']);
    expect(t.known()[0]!.workedAt).not.toBeNull();
    // Online through a signaling server (not a bootstrap endpoint) of the same address: nothing is marked.
    client.online({ url: 'http://a:1/peerjs', host: 'a', port: 1, path: '/peerjs', secure: false });
    expect(t.known()[0]!.url).toBe('http://b:2/peerjs');
  });
});
