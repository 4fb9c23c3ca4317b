import { describe, expect, it } from 'vitest';
import { formatIceServers, parseIceServers } from './ice-servers';

describe('ICE server settings', () => {
  it('reads STUN and TURN lines, skipping blanks and comments, and writes them back', () => {
    const text = '# ours\nstun:stun.example.org:3478\n\nturn:turn.example.org:3478?transport=tcp alice s3cret\nturns:[2001:db8::1]:5349 bob pw';
    const { servers, errors } = parseIceServers(text);
    expect(errors).toEqual([]);
    expect(servers).toEqual([
      { urls: 'stun:stun.example.org:3478' },
      { urls: 'turn:turn.example.org:3478?transport=tcp', username: 'alice', credential: 's3cret' },
      { urls: 'turns:[2001:db8::1]:5349', username: 'bob', credential: 'pw' },
    ]);
    expect(parseIceServers(formatIceServers(servers)).servers).toEqual(servers);
  });

  it('refuses each bad line with a reason and keeps the good ones', () => {
    const { servers, errors } = parseIceServers(
      ['http://example.org', 'stun:host:99999', 'turn:t.example.org', 'stun:s.example.org user', 'turn:t.example.org u p extra', 'stun:ok.example.org', 'javascript:alert(1)'].join('\n'),
    );
    expect(servers).toEqual([{ urls: 'stun:ok.example.org' }]);
    expect(errors).toHaveLength(6);
    expect(errors[0]).toMatch(/not a STUN or TURN address/);
    expect(errors[1]).toMatch(/port out of range/);
    expect(errors[2]).toMatch(/needs a user name and a password/);
    expect(errors[3]).toMatch(/takes no user name/);
  });

  it('caps the list', () => {
    const many = Array.from({ length: 12 }, (_, i) => `stun:s${i}.example.org`).join('\n');
    const { servers, errors } = parseIceServers(many);
    expect(servers).toHaveLength(8);
    expect(errors).toHaveLength(4);
  });
});
