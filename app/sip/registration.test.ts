/**
 * A registration must stay up by itself (issue 13, kind 5): a refresh that
 * fails once, or a first REGISTER the network did not answer, is retried
 * with back-off until it works; only a permanent refusal (the name is
 * someone else's) stops it. Real JsSIP UAs on the in-memory overlay; JsSIP's
 * own refresh timer runs on Vitest's fake timers, so 300 s pass in no time.
 */
import JsSIP from 'jssip';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import { RegistrationFailedError, RegistrationRefusedError } from './errors';
import { UserAgent } from './user-agent';
import { MemorySipOverlay } from './testing/memory-sip';

JsSIP.debug.disable();
const phones: UserAgent[] = [];
const id = (n: number) => n.toString(16).padStart(40, '0');

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  phones.splice(0).forEach((p) => p.stop());
  vi.useRealTimers();
});

function newPhone(o: MemorySipOverlay, name: string, node: string): UserAgent {
  const p = new UserAgent({ network: o.network(node), location: o.location(node), policy: async () => ({ allow: true, reason: '' }), domain: 'p2p.local', name, history: new MemoryKeyValueStore() });
  phones.push(p);
  return p;
}

/** REGISTERs with a lifetime (not removals) that `name` asked for so far. */
const registers = (o: MemorySipOverlay, name: string) => o.registerLog.filter((l) => l.startsWith(`${name}@`) && !l.endsWith(' 0')).length;

describe('a registration that must stay up', () => {
  it('retries a refresh that timed out once, by itself, and is reachable again', async () => {
    const o = new MemorySipOverlay();
    const alice = newPhone(o, 'alice', id(1));
    await alice.start();
    expect(alice.getSnapshot().registration).toBe('registered');
    const before = registers(o, 'alice');
    // The next refresh (JsSIP's timer, 150–300 s after a 300 s registration) times out once; the network then works.
    o.failRegistrations = 1;
    await vi.advanceTimersByTimeAsync(300_000);
    expect(registers(o, 'alice')).toBeGreaterThan(before);
    expect(o.failRegistrations).toBe(0);
    // No person pressed anything: within a short back-off the phone has registered again.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(alice.getSnapshot().registration).toBe('registered');
    expect(registers(o, 'alice')).toBeGreaterThanOrEqual(before + 2);
    // And it keeps refreshing afterwards.
    const after = registers(o, 'alice');
    await vi.advanceTimersByTimeAsync(300_000);
    expect(registers(o, 'alice')).toBeGreaterThan(after);
    expect(alice.getSnapshot().registration).toBe('registered');
  });
});

describe('a first registration the network does not answer', () => {
  it('says so in words with the time of the next try, keeps trying by itself, and "try now" goes at once', async () => {
    const o = new MemorySipOverlay();
    o.failRegistrations = 3;
    const alice = newPhone(o, 'alice', id(1));
    await expect(alice.start()).rejects.toThrow(RegistrationFailedError);
    let s = alice.getSnapshot();
    expect(s.registration).toBe('retrying');
    expect(s.registrationError).toBe('the network did not answer in time');
    expect(s.registrationRetryAt).toBe(Date.now() + 1000);
    await vi.advanceTimersByTimeAsync(1000);
    s = alice.getSnapshot();
    expect(s.registration).toBe('retrying');
    expect(s.registrationRetryAt).toBe(Date.now() + 2000);
    // The person presses "Try again now": the third try fails too, the fourth works, without waiting.
    await alice.registerNow();
    expect(alice.getSnapshot().registrationRetryAt).toBe(Date.now() + 4000);
    await alice.registerNow();
    expect(alice.getSnapshot()).toMatchObject({ registration: 'registered', registrationError: null, registrationRetryAt: null });
    expect(registers(o, 'alice')).toBe(4);
  });

  it('a REGISTER that hangs counts as failed (JsSIP gives up on it after 32 s) and the next try works', async () => {
    const o = new MemorySipOverlay();
    const alice = newPhone(o, 'alice', id(1));
    await alice.start();
    o.hangRegistrations = 1;
    await vi.advanceTimersByTimeAsync(300_000 + 32_000 + 2000);
    expect(alice.getSnapshot().registration).toBe('registered');
    expect(o.hangRegistrations).toBe(0);
  });
});

describe('a registration refused for good', () => {
  it('stops at once when the name is taken at the start: no retries', async () => {
    const o = new MemorySipOverlay();
    o.taken.add('alice');
    const alice = newPhone(o, 'alice', id(1));
    await expect(alice.start()).rejects.toThrow(RegistrationRefusedError);
    expect(alice.getSnapshot()).toMatchObject({ registration: 'failed', registrationError: 'the name alice is taken by someone else' });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(registers(o, 'alice')).toBe(1);
  });

  it('stops when a refresh finds the name taken (rival claims after a split healed), and says why', async () => {
    const o = new MemorySipOverlay();
    const alice = newPhone(o, 'alice', id(1));
    await alice.start();
    o.taken.add('alice');
    await vi.advanceTimersByTimeAsync(300_000);
    expect(alice.getSnapshot()).toMatchObject({ registration: 'failed', registrationError: 'the name alice is taken by someone else' });
    const n = registers(o, 'alice');
    await vi.advanceTimersByTimeAsync(600_000);
    expect(registers(o, 'alice')).toBe(n);
  });
});

describe('registering again while registered', () => {
  it('settles: the phone says registered again at once, not "registering" until the try times out', async () => {
    const o = new MemorySipOverlay();
    const alice = newPhone(o, 'alice', id(1));
    await alice.start();
    const before = registers(o, 'alice');
    // The tab joined the ring again (call-service.ts): the name is registered anew although JsSIP is registered.
    let settled = false;
    void alice.reregister().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(registers(o, 'alice')).toBe(before + 1);
    expect(settled).toBe(true);
    expect(alice.getSnapshot().registration).toBe('registered');
  });
});
