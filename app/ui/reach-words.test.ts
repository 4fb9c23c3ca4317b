import { describe, expect, it } from 'vitest';
import { reachNotice, type ReachInput } from './reach-words';

const online = { kind: 'online', server: 'ws://127.0.0.1/peerjs', since: 0 } as const;
const offline = { kind: 'offline', nextRetryAt: 0, retryInMs: 1000, attempt: 2, reason: 'closed' } as const;
const inRing = { joined: true, successors: ['b'], refusal: null };
const alone = { joined: false, successors: [], refusal: null };
const base: ReachInput = { signaling: online, ring: inRing, refusedAlways: false, joinAsked: false, phone: { name: 'alice', registration: 'registered', error: null } };

describe('the reachability banner (issue 18)', () => {
  it('says nothing while the person is reachable, or before the peer is assembled', () => {
    expect(reachNotice(base)).toBeNull();
    expect(reachNotice({ ...base, ring: null, signaling: offline })).toBeNull();
  });

  it('a "Deny" to joining says people cannot call you, with a way to join', () => {
    const n = reachNotice({ ...base, ring: { ...alone, refusal: 'you answered “deny”' } });
    expect(n).toMatchObject({ kind: 'refused', action: { label: 'Join now', does: 'join' } });
    expect(n!.text).toMatch(/People cannot call you/);
  });

  it('"Always deny" sends the person to the Permissions page, where it is undone', () => {
    const n = reachNotice({ ...base, ring: { ...alone, refusal: 'you refused links' }, refusedAlways: true });
    expect(n).toMatchObject({ kind: 'refused', action: { does: 'open-permissions' } });
    expect(n!.text).toMatch(/Permissions page/);
  });

  it('offline: nobody can call when out of the ring; calls still come over existing links when in it', () => {
    expect(reachNotice({ ...base, ring: alone, signaling: offline })).toMatchObject({ kind: 'offline', action: { does: 'retry-signaling' } });
    expect(reachNotice({ ...base, ring: alone, signaling: offline })!.text).toMatch(/nobody can call you/);
    expect(reachNotice({ ...base, signaling: offline })!.text).toMatch(/Calls still reach you/);
  });

  it('out of the ring while online: a way to join; nothing while the join question is on screen', () => {
    expect(reachNotice({ ...base, ring: alone })).toMatchObject({ kind: 'not-in-ring', action: { does: 'join' } });
    expect(reachNotice({ ...base, ring: alone, joinAsked: true })).toBeNull();
    expect(reachNotice({ ...base, ring: { ...alone, refusal: 'deny' }, joinAsked: true })).toBeNull();
  });

  it('a name that does not register says so with its reason and a retry', () => {
    const n = reachNotice({ ...base, phone: { name: 'alice', registration: 'failed', error: 'the name alice is taken by someone else' } });
    expect(n).toMatchObject({ kind: 'not-reachable', action: { does: 'register-again' } });
    expect(n!.text).toBe('Nobody can call you as alice right now: the name alice is taken by someone else.');
  });
});
