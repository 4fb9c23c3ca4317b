import { describe, expect, it } from 'vitest';
import { Backoff } from '../overlay';
import { parseServerList, parseServerUrl } from './server-list';

describe('Backoff', () => {
  it('starts at 0.5 s, doubles, caps at 5 min and stays there', () => {
    const b = new Backoff();
    const seq = Array.from({ length: 13 }, () => b.next());
    expect(seq).toEqual([500, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000]);
    b.reset();
    expect(b.next()).toBe(500);
  });
});

describe('signaling server URLs', () => {
  it('parse into PeerJS options', () => {
    expect(parseServerUrl('http://localhost:5173/peerjs')).toEqual({
      url: 'http://localhost:5173/peerjs',
      host: 'localhost',
      port: 5173,
      path: '/peerjs',
      secure: false,
    });
    expect(parseServerUrl('https://sig.example/')).toMatchObject({ port: 443, path: '/peerjs', secure: true });
    expect(parseServerUrl('/peerjs', 'http://127.0.0.1:9/app')).toMatchObject({ host: '127.0.0.1', port: 9 });
  });

  it('refuse malformed addresses in plain words', () => {
    expect(() => parseServerUrl('')).toThrow(/empty/);
    expect(() => parseServerUrl('not a url')).toThrow(/not a web address/);
    expect(() => parseServerUrl('ht!tp://nope', 'http://localhost:5173/')).toThrow(/not a web address/);
    expect(() => parseServerUrl('peerjs', 'http://localhost:5173/')).toThrow(/not a web address/);
    expect(() => parseServerUrl('ftp://x/peerjs')).toThrow(/http/);
    expect(() => parseServerUrl('http://x/peerjs?a=1')).toThrow(/query/);
    const { servers, errors } = parseServerList('http://a:1/peerjs, bogus\nhttp://a:1/peerjs/\nhttp://b:2/peerjs');
    expect(servers.map((s) => s.url)).toEqual(['http://a:1/peerjs', 'http://b:2/peerjs']);
    expect(errors).toHaveLength(1);
  });
});
