import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../common/testing';
import { iceEndpoint } from './ice-endpoint';
import { iceServersAnswer, iceSettingsFromEnv, turnRestCredential } from './turn-rest';

// Date.UTC(2025, 0, 1) is 1735689600 s; one hour later is 1735693200 s.
// Known answer: echo -n "1735693200:abc123" | openssl dgst -sha1 -hmac "s3cret" -binary | base64
const KNOWN = { secret: 's3cret', username: '1735693200:abc123', credential: 'ZEnCVgqudo7kWyFUomlGcBYPfCQ=' };

describe('TURN REST credentials (draft-uberti-behave-turn-rest, coturn use-auth-secret)', () => {
  it('username is expiry:id and the password is base64 HMAC-SHA1 of it', () => {
    expect(turnRestCredential(KNOWN.secret, 1735693200, 'abc123')).toEqual({ username: KNOWN.username, credential: KNOWN.credential });
  });

  it('an answer on a fixed clock expires TURN_TTL_S from now, in the username and in expiresAt', () => {
    const clock = new ManualClock();
    const settings = iceSettingsFromEnv({ TURN_URLS: 'turn:203.0.113.10:3478?transport=udp,turn:203.0.113.10:3478?transport=tcp', TURN_SECRET: 's3cret', STUN_URLS: 'stun:203.0.113.10:3478' });
    const answer = iceServersAnswer(settings, clock.now(), 'abc123');
    expect(answer.expiresAt).toBe(clock.now() + 3600_000);
    expect(answer.iceServers).toEqual([
      { urls: ['stun:203.0.113.10:3478'] },
      { urls: ['turn:203.0.113.10:3478?transport=udp', 'turn:203.0.113.10:3478?transport=tcp'], username: KNOWN.username, credential: KNOWN.credential },
    ]);
    const short = iceServersAnswer({ ...settings, ttlS: 60 }, clock.now() + 500, 'x');
    expect(short.iceServers[1]!.username).toBe('1735689660:x');
    expect(short.expiresAt).toBe(1735689660_000);
  });

  it('names no server at all when nothing is set', () => {
    expect(iceServersAnswer(iceSettingsFromEnv({}), 0).iceServers).toEqual([]);
  });

  it('refuses settings it cannot use, naming the variable', () => {
    expect(() => iceSettingsFromEnv({ TURN_URLS: 'turn:203.0.113.10:3478' })).toThrow(/TURN_SECRET/);
    expect(() => iceSettingsFromEnv({ TURN_URLS: 'http://203.0.113.10', TURN_SECRET: 'x' })).toThrow(/TURN_URLS: "http/);
    expect(() => iceSettingsFromEnv({ STUN_URLS: 'turn:203.0.113.10' })).toThrow(/STUN_URLS/);
    expect(() => iceSettingsFromEnv({ STUN_URLS: 'stun:203.0.113.10:70000' })).toThrow(/port out of range/);
    expect(() => iceSettingsFromEnv({ TURN_TTL_S: 'soon' })).toThrow(/TURN_TTL_S/);
    expect(() => iceSettingsFromEnv({ TURN_TTL_S: '1' })).toThrow(/TURN_TTL_S/);
  });
});

describe('GET /ice-servers', () => {
  let server: Server | null = null;
  afterEach(() => server?.close());

  async function serve(): Promise<string> {
    const settings = iceSettingsFromEnv({ TURN_URLS: 'turn:203.0.113.10:3478', TURN_SECRET: 's3cret', TURN_TTL_S: '600' });
    const mw = iceEndpoint(settings, () => Date.UTC(2025, 0, 1));
    server = createServer((req, res) => mw(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('answers fresh JSON that is never cached, and leaves other paths alone', async () => {
    const base = await serve();
    const res = await fetch(`${base}/ice-servers`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { iceServers: { username: string }[]; expiresAt: number };
    expect(body.expiresAt).toBe(Date.UTC(2025, 0, 1) + 600_000);
    expect(body.iceServers[0]!.username).toMatch(/^1735690200:[0-9a-f]{16}$/);
    const again = (await (await fetch(`${base}/ice-servers`)).json()) as typeof body;
    expect(again.iceServers[0]!.username).not.toBe(body.iceServers[0]!.username);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/ice-servers`, { method: 'POST' })).status).toBe(405);
  });
});
